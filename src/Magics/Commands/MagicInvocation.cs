using System.Globalization;

namespace NasNotebooks.Magics;

/// <summary>A parsed magic command line and the way to continue the cell.</summary>
public sealed class MagicInvocation
{
    private readonly Dictionary<string, string?> _options;
    private Func<Task>? _continuation;
    private Task? _continued;

    internal MagicInvocation(IMagicCommand command, string commandPath, Dictionary<string, string?> options,
        IReadOnlyList<string> arguments, bool helpRequested, int line)
    {
        Command = command;
        CommandPath = commandPath;
        _options = options;
        Arguments = arguments;
        HelpRequested = helpRequested;
        Line = line;
    }

    /// <summary>The command being run.</summary>
    public IMagicCommand Command { get; }

    /// <summary>The command as written, e.g. <c>#!nas search</c>.</summary>
    public string CommandPath { get; }

    /// <summary>Options given on the line, by long name (flags map to <c>"true"</c>).</summary>
    public IReadOnlyDictionary<string, string?> Options => _options;

    /// <summary>Positional arguments, in order.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>True when <c>--help</c> or <c>-h</c> was given.</summary>
    public bool HelpRequested { get; }

    /// <summary>The 1-based line of the cell holding this magic.</summary>
    public int Line { get; }

    /// <summary>The C# code of the cell after the magic lines.</summary>
    public string Code { get; internal set; } = "";

    internal bool Continued => _continued is not null;

    internal void SetContinuation(Func<Task> continuation) => _continuation = continuation;

    /// <summary>Runs the rest of the cell (later magics, then the C# code) once; later calls return the same task.</summary>
    public Task ContinueAsync() => _continued ??= _continuation?.Invoke() ?? Task.CompletedTask;

    /// <summary>True when the option (long name, no dashes) was given.</summary>
    public bool Has(string option) => _options.ContainsKey(option);

    /// <summary>The option's value, its declared default, or <paramref name="fallback"/>.</summary>
    public string? GetString(string option, string? fallback = null) =>
        _options.TryGetValue(option, out var v) ? v : DeclaredDefault(option) ?? fallback;

    /// <summary>The option's value as an integer; a malformed value is a usage error naming the option.</summary>
    public int GetInt(string option, int fallback = 0)
    {
        var s = GetString(option);
        if (s is null)
        {
            return fallback;
        }
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw UsageError($"option --{option} for '{CommandPath}' expects an integer, got '{s}'");
    }

    /// <summary>The option's value as a number; a malformed value is a usage error naming the option.</summary>
    public double GetDouble(string option, double fallback = 0)
    {
        var s = GetString(option);
        if (s is null)
        {
            return fallback;
        }
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw UsageError($"option --{option} for '{CommandPath}' expects a number, got '{s}'");
    }

    /// <summary>Builds a usage error: <c>error: {message}; see '{CommandPath} --help'</c>.</summary>
    public MagicUsageException UsageError(string message) => new($"error: {message}; see '{CommandPath} --help'");

    private string? DeclaredDefault(string option) => Command.Options.FirstOrDefault(o => o.Name == option)?.Default;
}
