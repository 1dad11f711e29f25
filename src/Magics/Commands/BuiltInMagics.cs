using System.Diagnostics;
using System.Globalization;

namespace NasNotebooks.Magics;

/// <summary>
/// A command made of subcommands, such as <c>#!nas</c>. It always has a <c>help</c> subcommand listing the others;
/// run without a subcommand it prints the same list.
/// </summary>
public sealed class MagicCommandGroup : IMagicCommand
{
    private readonly List<IMagicCommand> _subcommands = [];
    private readonly object _gate = new();

    /// <summary>Creates a group with a <c>help</c> subcommand.</summary>
    public MagicCommandGroup(string name, string description)
    {
        Name = name;
        Description = description;
        _subcommands.Add(new HelpSubcommand(this));
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public IReadOnlyList<MagicOption> Options => [];

    /// <inheritdoc/>
    public IReadOnlyList<IMagicCommand> Subcommands
    {
        get
        {
            lock (_gate)
            {
                return _subcommands.ToArray();
            }
        }
    }

    /// <summary>Adds (or replaces, by name) a subcommand, e.g. <c>search</c> under <c>#!nas</c>.</summary>
    public MagicCommandGroup Add(IMagicCommand subcommand)
    {
        ArgumentNullException.ThrowIfNull(subcommand);
        lock (_gate)
        {
            var i = _subcommands.FindIndex(c => c.Name == subcommand.Name);
            if (i >= 0)
            {
                _subcommands[i] = subcommand;
            }
            else
            {
                _subcommands.Add(subcommand);
            }
        }
        return this;
    }

    /// <inheritdoc/>
    public Task RunAsync(MagicInvocation invocation, IKernelContext context)
    {
        context.Out.Write(MagicRegistry.HelpText(this, "#!" + Name));
        return Task.CompletedTask;
    }

    private sealed class HelpSubcommand(MagicCommandGroup group) : IMagicCommand
    {
        public string Name => "help";
        public string Description => $"List the #!{group.Name} subcommands.";
        public IReadOnlyList<MagicOption> Options => [];

        public Task RunAsync(MagicInvocation invocation, IKernelContext context)
        {
            context.Out.Write(MagicRegistry.HelpText(group, "#!" + group.Name));
            context.Out.WriteLine();
            context.Out.WriteLine($"Run '#!{group.Name} <subcommand> --help' for the options of a subcommand.");
            return Task.CompletedTask;
        }
    }
}

/// <summary><c>#!time</c>: runs the rest of the cell and prints its wall-clock time.</summary>
internal sealed class TimeMagic : IMagicCommand
{
    public string Name => "time";
    public string Description => "Run the rest of the cell and print its wall-clock time.";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new MagicOption("unit", "Unit of the printed time.") { Alias = "-u", Default = "auto", AllowedValues = ["auto", "ms", "s"] },
    ];

    public async Task RunAsync(MagicInvocation invocation, IKernelContext context)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            await invocation.ContinueAsync().ConfigureAwait(false);
        }
        finally
        {
            sw.Stop();
            context.Out.WriteLine("Wall time: " + Format(sw.Elapsed, invocation.GetString("unit") ?? "auto"));
        }
    }

    internal static string Format(TimeSpan t, string unit) => unit switch
    {
        "ms" => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms",
        "s" => t.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture) + " s",
        _ when t.TotalSeconds >= 1 => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s",
        _ => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms",
    };
}
