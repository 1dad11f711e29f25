using System.Globalization;
using System.Text;

namespace NasNotebooks.Magics;

/// <summary>The magic commands known to the kernel, and the parser for <c>#!name --option value</c> lines.</summary>
public sealed class MagicRegistry
{
    private readonly List<IMagicCommand> _commands = [];
    private readonly object _gate = new();

    /// <summary>Top-level commands in registration order.</summary>
    public IReadOnlyList<IMagicCommand> Commands
    {
        get
        {
            lock (_gate)
            {
                return _commands.ToArray();
            }
        }
    }

    /// <summary>Adds (or replaces, by name) a top-level command.</summary>
    public void Register(IMagicCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            _commands.RemoveAll(c => c.Name == command.Name);
            _commands.Add(command);
        }
    }

    /// <summary>The command group named <paramref name="name"/> (e.g. <c>nas</c>), created empty if absent.</summary>
    public MagicCommandGroup Group(string name, string description = "")
    {
        lock (_gate)
        {
            if (_commands.FirstOrDefault(c => c.Name == name) is MagicCommandGroup g)
            {
                return g;
            }
            var group = new MagicCommandGroup(name, description);
            _commands.RemoveAll(c => c.Name == name);
            _commands.Add(group);
            return group;
        }
    }

    /// <summary>Finds a top-level command by name.</summary>
    public IMagicCommand? Find(string name)
    {
        lock (_gate)
        {
            return _commands.FirstOrDefault(c => c.Name == name);
        }
    }

    /// <summary>The kernel's registry with the built-in commands (<c>#!nas</c> with <c>help</c>, <c>#!time</c>).</summary>
    public static MagicRegistry CreateDefault()
    {
        var r = new MagicRegistry();
        r.Group("nas", "Neural architecture search: run and inspect studies from the notebook.");
        Nas.NasMagics.Register(r);
        r.Register(new TimeMagic());
        return r;
    }

    /// <summary>True when the (trimmed) line is a magic command line.</summary>
    public static bool IsMagicLine(string line) => line.TrimStart().StartsWith("#!", StringComparison.Ordinal);

    /// <summary>
    /// Splits a cell into its leading magic lines (blank lines may separate them) and the C# code.
    /// The code keeps its line numbers: magic lines are replaced by empty lines.
    /// </summary>
    public static (IReadOnlyList<(int Line, string Text)> Magics, string Code) SplitCell(string cell)
    {
        var lines = cell.Split('\n');
        var magics = new List<(int, string)>();
        int i = 0;
        for (; i < lines.Length; i++)
        {
            var l = lines[i].TrimEnd('\r');
            if (IsMagicLine(l))
            {
                magics.Add((i + 1, l.Trim()));
            }
            else if (l.Trim().Length != 0)
            {
                break;
            }
        }
        if (magics.Count == 0)
        {
            return (magics, cell);
        }
        var sb = new StringBuilder();
        for (int k = 0; k < lines.Length; k++)
        {
            if (k > 0)
            {
                sb.Append('\n');
            }
            if (k >= i)
            {
                sb.Append(lines[k]);
            }
        }
        return (magics, sb.ToString());
    }

    /// <summary>Parses one magic line; throws <see cref="MagicUsageException"/> naming the bad part.</summary>
    public MagicInvocation Parse(string line, int lineNumber = 1)
    {
        var tokens = Tokenize(line.Trim());
        if (tokens.Count == 0 || !tokens[0].StartsWith("#!", StringComparison.Ordinal) || tokens[0].Length == 2)
        {
            throw new MagicUsageException($"error: expected a magic command such as '#!nas help', got '{line.Trim()}'");
        }
        var name = tokens[0][2..];
        var command = Find(name) ?? throw new MagicUsageException(
            $"error: unknown magic command '#!{name}'; known commands: {string.Join(", ", Commands.Select(c => "#!" + c.Name))}");
        var path = "#!" + name;
        int t = 1;
        while (command.Subcommands.Count > 0 && t < tokens.Count && !tokens[t].StartsWith('-'))
        {
            var sub = command.Subcommands.FirstOrDefault(s => s.Name == tokens[t]) ?? throw new MagicUsageException(
                $"error: unknown subcommand '{tokens[t]}' for '{path}'; see '{path} help'");
            command = sub;
            path += " " + sub.Name;
            t++;
        }
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        var args = new List<string>();
        bool help = false;
        string See() => command.Subcommands.Count > 0 ? $"see '{path} help'" : $"see '{path} --help'";
        for (; t < tokens.Count; t++)
        {
            var tok = tokens[t];
            if (tok is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }
            if (tok.StartsWith('-') && tok.Length > 1 && !IsNumber(tok))
            {
                string optName = tok;
                string? inline = null;
                var eq = tok.IndexOf('=', StringComparison.Ordinal);
                if (tok.StartsWith("--", StringComparison.Ordinal) && eq > 0)
                {
                    optName = tok[..eq];
                    inline = tok[(eq + 1)..];
                }
                var opt = command.Options.FirstOrDefault(o => "--" + o.Name == optName || o.Alias == optName)
                    ?? throw new MagicUsageException($"error: unknown option {optName} for '{path}'; {See()}");
                string? value;
                if (opt.Kind == MagicValueKind.Flag)
                {
                    value = inline ?? "true";
                    if (value is not ("true" or "false"))
                    {
                        throw new MagicUsageException($"error: option --{opt.Name} for '{path}' is a flag and takes no value, got '{value}'; {See()}");
                    }
                }
                else if (inline is not null)
                {
                    value = inline;
                }
                else if (t + 1 < tokens.Count && (!tokens[t + 1].StartsWith('-') || IsNumber(tokens[t + 1])))
                {
                    value = tokens[++t];
                }
                else
                {
                    throw new MagicUsageException($"error: option --{opt.Name} for '{path}' expects a value; {See()}");
                }
                ValidateValue(opt, value!, path, See());
                if (!options.TryAdd(opt.Name, value))
                {
                    throw new MagicUsageException($"error: option --{opt.Name} for '{path}' is given more than once; {See()}");
                }
                continue;
            }
            if (args.Count >= command.Arguments.Count)
            {
                throw new MagicUsageException($"error: unexpected argument '{tok}' for '{path}'; {See()}");
            }
            args.Add(tok);
        }
        if (!help)
        {
            foreach (var opt in command.Options.Where(o => o.Required && !options.ContainsKey(o.Name)))
            {
                throw new MagicUsageException($"error: missing required option --{opt.Name} for '{path}'; {See()}");
            }
            var missing = command.Arguments.Skip(args.Count).FirstOrDefault(a => a.Required);
            if (missing is not null)
            {
                throw new MagicUsageException($"error: missing required argument <{missing.Name}> for '{path}'; {See()}");
            }
        }
        return new MagicInvocation(command, path, options, args, help, lineNumber);
    }

    private static void ValidateValue(MagicOption opt, string value, string path, string see)
    {
        switch (opt.Kind)
        {
            case MagicValueKind.Integer when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _):
                throw new MagicUsageException($"error: option --{opt.Name} for '{path}' expects an integer, got '{value}'; {see}");
            case MagicValueKind.Number when !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _):
                throw new MagicUsageException($"error: option --{opt.Name} for '{path}' expects a number, got '{value}'; {see}");
        }
        if (opt.AllowedValues is { Count: > 0 } allowed && !allowed.Contains(value))
        {
            throw new MagicUsageException($"error: invalid value '{value}' for option --{opt.Name} of '{path}' (expected one of: {string.Join(", ", allowed)}); {see}");
        }
    }

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Splits a line into words; single or double quotes group words, backslash escapes inside double quotes.</summary>
    public static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        bool inToken = false;
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else if (c == '\\' && quote == '"' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                {
                    sb.Append(line[++i]);
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    tokens.Add(sb.ToString());
                    sb.Clear();
                    inToken = false;
                }
            }
            else
            {
                sb.Append(c);
                inToken = true;
            }
        }
        if (quote != '\0')
        {
            throw new MagicUsageException($"error: unterminated {quote} quote in '{line}'");
        }
        if (inToken)
        {
            tokens.Add(sb.ToString());
        }
        return tokens;
    }

    /// <summary>The <c>--help</c> text of a command.</summary>
    public static string HelpText(IMagicCommand command, string path)
    {
        var sb = new StringBuilder();
        sb.Append(path);
        if (command.Description.Length > 0)
        {
            sb.Append(" - ").Append(command.Description);
        }
        sb.Append("\n\nUsage: ").Append(path);
        if (command.Subcommands.Count > 0)
        {
            sb.Append(" <subcommand>");
        }
        foreach (var a in command.Arguments)
        {
            sb.Append(a.Required ? $" <{a.Name}>" : $" [<{a.Name}>]");
        }
        sb.Append(" [options]\n");
        if (command.Subcommands.Count > 0)
        {
            sb.Append("\nSubcommands:\n");
            var w = command.Subcommands.Max(s => s.Name.Length);
            foreach (var s in command.Subcommands)
            {
                sb.Append("  ").Append(s.Name.PadRight(w + 2)).Append(s.Description).Append('\n');
            }
        }
        if (command.Arguments.Count > 0)
        {
            sb.Append("\nArguments:\n");
            foreach (var a in command.Arguments)
            {
                sb.Append("  <").Append(a.Name).Append(">  ").Append(a.Description).Append('\n');
            }
        }
        sb.Append("\nOptions:\n");
        var rows = command.Options.Select(o => (Left: OptionSyntax(o), Right: OptionDescription(o))).ToList();
        rows.Add(("-h, --help", "Show this help."));
        var width = rows.Max(r => r.Left.Length);
        foreach (var (l, r) in rows)
        {
            sb.Append("  ").Append(l.PadRight(width + 2)).Append(r).Append('\n');
        }
        return sb.ToString();
    }

    private static string OptionSyntax(MagicOption o)
    {
        var s = (o.Alias is null ? "" : o.Alias + ", ") + "--" + o.Name;
        return o.Kind switch
        {
            MagicValueKind.Flag => s,
            MagicValueKind.Integer => s + " <int>",
            MagicValueKind.Number => s + " <number>",
            _ => s + (o.AllowedValues is { Count: > 0 } a ? " <" + string.Join("|", a) + ">" : " <value>"),
        };
    }

    private static string OptionDescription(MagicOption o)
    {
        var d = o.Description;
        if (o.Required)
        {
            d += " (required)";
        }
        if (o.Default is not null)
        {
            d += $" (default: {o.Default})";
        }
        return d;
    }

    /// <summary>The help text of the command a magic line names (as far as it resolves), or null.</summary>
    public string? HelpFor(string line)
    {
        List<string> tokens;
        try
        {
            tokens = Tokenize(line.Trim());
        }
        catch (MagicUsageException)
        {
            return null;
        }
        if (tokens.Count == 0 || Find(tokens[0].TrimStart('#', '!')) is not { } command)
        {
            return null;
        }
        var path = "#!" + command.Name;
        foreach (var t in tokens.Skip(1))
        {
            var sub = command.Subcommands.FirstOrDefault(s => s.Name == t);
            if (sub is null)
            {
                break;
            }
            command = sub;
            path += " " + sub.Name;
        }
        return HelpText(command, path);
    }

    /// <summary>Completion candidates for a magic line with the cursor at <paramref name="column"/>; returns the replaced span start.</summary>
    public (int Start, IReadOnlyList<string> Matches) Complete(string line, int column)
    {
        column = Math.Clamp(column, 0, line.Length);
        var before = line[..column];
        int start = before.LastIndexOfAny([' ', '\t']) + 1;
        var word = before[start..];
        var previous = before[..start].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (previous.Length == 0)
        {
            return (start, Commands.Select(c => "#!" + c.Name).Where(n => n.StartsWith(word, StringComparison.Ordinal)).ToList());
        }
        var command = Find(previous[0].TrimStart('#', '!'));
        if (command is null)
        {
            return (start, []);
        }
        foreach (var p in previous.Skip(1))
        {
            var sub = command.Subcommands.FirstOrDefault(s => s.Name == p);
            if (sub is null)
            {
                break;
            }
            command = sub;
        }
        var candidates = new List<string>();
        if (!word.StartsWith('-'))
        {
            candidates.AddRange(command.Subcommands.Select(s => s.Name));
        }
        if (word.Length == 0 || word.StartsWith('-'))
        {
            candidates.AddRange(command.Options.Select(o => "--" + o.Name));
            candidates.Add("--help");
        }
        return (start, candidates.Where(c => c.StartsWith(word, StringComparison.Ordinal)).ToList());
    }
}
