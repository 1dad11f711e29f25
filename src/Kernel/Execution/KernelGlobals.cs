using System.ComponentModel;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel;

/// <summary>Where cell outputs go (implemented by the kernel; publishes on iopub for the current cell).</summary>
internal interface IOutputSink
{
    void Stream(string name, string text);
    void Display(MimeBundle bundle, string? displayId, bool update);
    void FlushStreams();
}

/// <summary>
/// The globals object of every C# cell: its members are in scope in cell code,
/// e.g. <c>var h = display("starting"); h.Update("done");</c> or
/// <c>Kernel.CancellationToken.ThrowIfCancellationRequested();</c>.
/// </summary>
public class KernelGlobals
{
    internal KernelGlobals(KernelApi kernel)
    {
        Kernel = kernel;
    }

    /// <summary>Information about and services of the running kernel.</summary>
    public KernelApi Kernel { get; }

    /// <summary>Cancelled when the user interrupts the running cell (same as <c>Kernel.CancellationToken</c>).</summary>
    public CancellationToken CancellationToken => Kernel.CancellationToken;

    /// <summary>True once the user has interrupted the running cell.</summary>
    public bool Interrupted => Kernel.Interrupted;

    /// <summary>Shows <paramref name="value"/> as a rich output; returns a handle to update it in place.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "Jupyter convention")]
    public DisplayHandle display(object? value) => Kernel.Display(value);
}

/// <summary>The <c>Kernel</c> object visible from cells and magic commands.</summary>
public sealed class KernelApi
{
    private readonly Dictionary<string, object?> _staged = new(StringComparer.Ordinal);
    private CancellationTokenSource _cts = new();

    internal KernelApi(IOutputSink sink, MagicRegistry magics)
    {
        Sink = sink;
        Magics = magics;
    }

    internal IOutputSink Sink { get; }

    /// <summary>The kernel's version.</summary>
    public string Version { get; } = typeof(KernelApi).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Cancelled when the user interrupts the running cell. Long-running code should observe it.</summary>
    public CancellationToken CancellationToken => _cts.Token;

    /// <summary>True once the user has interrupted the running cell.</summary>
    public bool Interrupted => _cts.IsCancellationRequested;

    /// <summary>The execution count of the running (or last) cell.</summary>
    public int ExecutionCount { get; internal set; }

    /// <summary>The directory the kernel was started in (the notebook's directory); <c>#r</c> paths are relative to it.</summary>
    public string WorkingDirectory { get; } = Environment.CurrentDirectory;

    /// <summary>The magic command registry.</summary>
    public MagicRegistry Magics { get; }

    /// <summary>Shows <paramref name="value"/> as a display_data output and returns a handle to update it.</summary>
    public DisplayHandle Display(object? value)
    {
        var id = Guid.NewGuid().ToString("N");
        var sink = Sink;
        var handle = new DisplayHandle(id, v => sink.Display(Formatter.ToMimeBundle(v), id, update: true));
        Sink.FlushStreams();
        Sink.Display(Formatter.ToMimeBundle(value), id, update: false);
        return handle;
    }

    /// <summary>Internal: hands a value staged by <see cref="IKernelContext.SetVariableAsync"/> to the declaring submission.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public object? TakeStaged(string key)
    {
        lock (_staged)
        {
            _staged.Remove(key, out var v);
            return v;
        }
    }

    internal string Stage(object? value)
    {
        var key = Guid.NewGuid().ToString("N");
        lock (_staged)
        {
            _staged[key] = value;
        }
        return key;
    }

    /// <summary>Starts a new cell: a fresh cancellation token.</summary>
    internal CancellationToken BeginCell(int executionCount)
    {
        ExecutionCount = executionCount;
        // The previous source is not disposed: code left running in the background may still hold its token.
        Interlocked.Exchange(ref _cts, new CancellationTokenSource());
        return _cts.Token;
    }

    internal void Interrupt()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
