namespace NasNotebooks.Magics;

/// <summary>How an option's value is read.</summary>
public enum MagicValueKind
{
    /// <summary>Any text.</summary>
    String,
    /// <summary>A 32-bit integer.</summary>
    Integer,
    /// <summary>A floating-point number (invariant culture).</summary>
    Number,
    /// <summary>A switch that takes no value (present = true).</summary>
    Flag,
}

/// <summary>An option of a magic command, written <c>--name value</c>, <c>--name=value</c> or <c>-a value</c>.</summary>
/// <param name="Name">The long name without dashes, e.g. <c>trials</c> for <c>--trials</c>.</param>
/// <param name="Description">One line shown by <c>--help</c>.</param>
public sealed record MagicOption(string Name, string Description)
{
    /// <summary>Optional short alias including its dash, e.g. <c>-n</c>.</summary>
    public string? Alias { get; init; }

    /// <summary>The value kind; <see cref="MagicValueKind.Flag"/> options take no value.</summary>
    public MagicValueKind Kind { get; init; } = MagicValueKind.String;

    /// <summary>When true, a missing option is a usage error.</summary>
    public bool Required { get; init; }

    /// <summary>Default shown in help and returned by the typed getters when the option is absent.</summary>
    public string? Default { get; init; }

    /// <summary>When set, the value must be one of these (ordinal comparison).</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }
}

/// <summary>A positional argument of a magic command.</summary>
/// <param name="Name">Name shown in help, e.g. <c>study</c>.</param>
/// <param name="Description">One line shown by <c>--help</c>.</param>
/// <param name="Required">Whether the argument must be given.</param>
public sealed record MagicArgument(string Name, string Description, bool Required = false);

/// <summary>
/// A magic command such as <c>#!time</c> or a <c>#!nas</c> subcommand. Register top-level commands
/// with <see cref="MagicRegistry.Register"/> and subcommands with <see cref="MagicCommandGroup.Add"/>
/// (e.g. <c>registry.Group("nas").Add(new SearchMagic())</c>).
/// </summary>
public interface IMagicCommand
{
    /// <summary>The name without <c>#!</c>, e.g. <c>time</c> or, for a subcommand, <c>search</c>.</summary>
    string Name { get; }

    /// <summary>One line shown in help listings.</summary>
    string Description { get; }

    /// <summary>Accepted options (<c>--help</c>/<c>-h</c> is implicit).</summary>
    IReadOnlyList<MagicOption> Options { get; }

    /// <summary>Accepted positional arguments, in order.</summary>
    IReadOnlyList<MagicArgument> Arguments => [];

    /// <summary>Subcommands; a command with subcommands is selected by the next word on the line.</summary>
    IReadOnlyList<IMagicCommand> Subcommands => [];

    /// <summary>
    /// Runs the command. Call <see cref="MagicInvocation.ContinueAsync"/> to run the rest of the cell
    /// (later magics and the C# code) inside the command, e.g. to time it; otherwise the kernel runs the
    /// rest after this returns. Throw <see cref="MagicUsageException"/> (see <see cref="MagicInvocation.UsageError"/>)
    /// for bad arguments.
    /// </summary>
    Task RunAsync(MagicInvocation invocation, IKernelContext context);
}

/// <summary>What a magic command can reach in the running kernel.</summary>
public interface IKernelContext
{
    /// <summary>Cancelled when the user interrupts the cell; long-running work must observe it.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>The cell's standard output (sent as a <c>stdout</c> stream).</summary>
    TextWriter Out { get; }

    /// <summary>The cell's standard error (sent as a <c>stderr</c> stream).</summary>
    TextWriter Error { get; }

    /// <summary>The current execution count (the <c>In [n]</c> number).</summary>
    int ExecutionCount { get; }

    /// <summary>Shows <paramref name="value"/> as a display_data output; the handle updates it in place.</summary>
    DisplayHandle Display(object? value);

    /// <summary>Names of the variables declared by the cells run so far.</summary>
    IReadOnlyCollection<string> VariableNames { get; }

    /// <summary>Reads a session variable by name (the latest declaration wins).</summary>
    bool TryGetVariable(string name, out object? value);

    /// <summary>
    /// Reads a session variable by name without blocking: hosts that fetch values with a kernel command
    /// (.NET Interactive) implement it; by default it calls <see cref="TryGetVariable"/>. Commands use this one.
    /// </summary>
    Task<(bool Found, object? Value)> TryGetVariableAsync(string name) =>
        Task.FromResult(TryGetVariable(name, out var value) ? (true, value) : (false, (object?)null));

    /// <summary>Reads a session variable, throwing a <see cref="MagicUsageException"/> naming it when it is missing or of another type.</summary>
    T GetVariable<T>(string name);

    /// <summary>Declares (or shadows) a session variable visible to later cells.</summary>
    Task SetVariableAsync(string name, object? value);

    /// <summary>The magic command registry (for listing commands).</summary>
    MagicRegistry Magics { get; }
}

/// <summary>A usage error in a magic command line; reported to the user without a stack trace.</summary>
public sealed class MagicUsageException : Exception
{
    /// <summary>Creates the exception; the message should start with <c>error:</c> and name the bad argument.</summary>
    public MagicUsageException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MagicUsageException() : base("error: invalid magic command")
    {
    }

    /// <summary>Creates the exception.</summary>
    public MagicUsageException(string message, Exception inner) : base(message, inner)
    {
    }
}
