using NasNotebooks.Magics.Nas;
namespace NasNotebooks.Interactive;

using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.ValueSharing;
using NasNotebooks.Magics;
using NasFormatter = NasNotebooks.Magics.Formatter;

/// <summary>
/// The host glue for one <c>#!nas</c> line in .NET Interactive: variables of the cell's kernel (C# or F#) through
/// <see cref="RequestValueInfos"/>/<see cref="RequestValue"/>/<see cref="SendValue"/>, displays through
/// <see cref="KernelInvocationContextExtensions.Display"/> (updated in place with <see cref="DisplayedValue.Update"/>),
/// stdout/stderr as standard output events, and the invocation's cancellation token.
/// </summary>
internal sealed class InteractiveKernelContext : IKernelContext
{
    private readonly Kernel _kernel;
    private readonly KernelInvocationContext _context;
    private readonly EventWriter _out;
    private readonly EventWriter _error;

    public InteractiveKernelContext(Kernel kernel, KernelInvocationContext context, KernelCommand command, MagicRegistry magics)
    {
        _kernel = kernel;
        _context = context;
        Magics = magics;
        _out = new EventWriter(text => context.Publish(new StandardOutputValueProduced(command, [new FormattedValue("text/plain", text)])));
        _error = new EventWriter(text => context.Publish(new StandardErrorValueProduced(command, [new FormattedValue("text/plain", text)])));
    }

    public CancellationToken CancellationToken => _context.CancellationToken;

    public TextWriter Out => _out;

    public TextWriter Error => _error;

    /// <summary>.NET Interactive does not expose the Jupyter execution count to handlers.</summary>
    public int ExecutionCount => 0;

    public MagicRegistry Magics { get; }

    public DisplayHandle Display(object? value)
    {
        FlushOutput();
        var bundle = NasFormatter.ToMimeBundle(value);
        var displayed = KernelInvocationContextExtensions.Display(_context, new NasOutput(bundle), InteractiveFormatters.MimeTypesOf(bundle));
        return new DisplayHandle(displayed.DisplayId, v => displayed.Update(new NasOutput(NasFormatter.ToMimeBundle(v))));
    }

    public IReadOnlyCollection<string> VariableNames =>
        Task.Run(async () => (await ValueInfosAsync().ConfigureAwait(false)).Select(v => v.Name).Distinct().ToArray()).GetAwaiter().GetResult();

    /// <summary>
    /// Blocks on <see cref="TryGetVariableAsync"/> (the request runs on the thread pool as a child of the current
    /// command: seen to complete in dotnet-interactive's C# and F# kernels); the <c>#!nas</c> commands use the asynchronous form.
    /// </summary>
    public bool TryGetVariable(string name, out object? value)
    {
        (var found, value) = Task.Run(() => TryGetVariableAsync(name)).GetAwaiter().GetResult();
        return found;
    }

    public async Task<(bool Found, object? Value)> TryGetVariableAsync(string name)
    {
        // Asking for a missing value fails that request and prints an error into the cell, so look first.
        if (!(await ValueInfosAsync().ConfigureAwait(false)).Any(v => v.Name == name))
        {
            return (false, null);
        }
        var result = await _kernel.SendAsync(new RequestValue(name, InteractiveFormatters.ReferenceMimeType)).ConfigureAwait(false);
        return result.Events.OfType<ValueProduced>().FirstOrDefault() is { } produced ? (true, produced.Value) : (false, null);
    }

    public T GetVariable<T>(string name)
    {
        if (!TryGetVariable(name, out var value))
        {
            throw new MagicUsageException($"error: no variable named '{name}' is defined in this session");
        }
        return value is T t ? t : throw new MagicUsageException(
            $"error: variable '{name}' is a {value?.GetType().Name ?? "null"}, expected {NasFormatter.FriendlyName(typeof(T))}");
    }

    public async Task SetVariableAsync(string name, object? value)
    {
        var formatted = new FormattedValue("text/plain", value is null ? "null" : NasFormatter.FriendlyName(value.GetType()));
        var result = await _kernel.SendAsync(new SendValue(name, value, formatted)).ConfigureAwait(false);
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
        {
            throw new InvalidOperationException($"could not declare variable '{name}' in the {_kernel.Name} kernel: {failed.Message}");
        }
    }

    /// <summary>Sends what was written to stdout and stderr so far.</summary>
    public void FlushOutput()
    {
        _out.Flush();
        _error.Flush();
    }

    private async Task<IReadOnlyCollection<KernelValueInfo>> ValueInfosAsync()
    {
        var result = await _kernel.SendAsync(new RequestValueInfos(mimeType: InteractiveFormatters.ReferenceMimeType)).ConfigureAwait(false);
        return result.Events.OfType<ValueInfosProduced>().SelectMany(e => e.ValueInfos).ToArray();
    }

    /// <summary>A line-buffered writer that publishes complete lines (and the rest on <see cref="Flush"/>).</summary>
    private sealed class EventWriter(Action<string> publish) : TextWriter
    {
        private readonly StringBuilder _buffer = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_buffer)
            {
                _buffer.Append(value);
            }
            if (value == '\n')
            {
                PublishLines();
            }
        }

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return;
            }
            lock (_buffer)
            {
                _buffer.Append(value);
            }
            if (value.Contains('\n', StringComparison.Ordinal))
            {
                PublishLines();
            }
        }

        public override void Flush()
        {
            string text;
            lock (_buffer)
            {
                text = _buffer.ToString();
                _buffer.Clear();
            }
            if (text.Length > 0)
            {
                publish(text);
            }
        }

        private void PublishLines()
        {
            string text;
            lock (_buffer)
            {
                var s = _buffer.ToString();
                var end = s.LastIndexOf('\n') + 1;
                text = s[..end];
                _buffer.Remove(0, end);
            }
            if (text.Length > 0)
            {
                publish(text);
            }
        }
    }
}
