using System.Globalization;
using System.Text;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Polyglot;

/// <summary>
/// The language sessions beside C#: the F# session (created on first use, so kernel start stays fast)
/// and the values stored by <c>#!value</c> cells; plus the language of the cell being run.
/// </summary>
public sealed class PolyglotState : IDisposable
{
    private readonly Lazy<FSharpSession> _fsharp;

    /// <summary>
    /// Creates the state; the F# session references the given assemblies when it starts, and
    /// <paramref name="globals"/> are bound in it (e.g. <c>Kernel</c>, for its cancellation token).
    /// </summary>
    public PolyglotState(IEnumerable<string> fsharpReferences, IReadOnlyDictionary<string, object>? globals = null)
    {
        var refs = fsharpReferences.ToList();
        _fsharp = new Lazy<FSharpSession>(() =>
        {
            var session = FSharpSession.Create(refs);
            foreach (var (name, value) in globals ?? new Dictionary<string, object>()) session.SetValue(name, value);
            return session;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The F# session (started on first access).</summary>
    public FSharpSession FSharp => _fsharp.Value;

    /// <summary>True once the F# session exists.</summary>
    public bool FSharpStarted => _fsharp.IsValueCreated;

    /// <summary>Raw texts stored by <c>#!value --name N</c> cells.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Language of the cell being run.</summary>
    public CellLanguage CurrentLanguage { get; set; } = CellLanguage.CSharp;

    /// <summary>Reads a variable of a language (<c>csharp</c>, <c>fsharp</c> or <c>value</c>).</summary>
    public bool TryGetVariable(CellLanguage language, string name, IKernelContext csharp, out object? value)
    {
        switch (language)
        {
            case CellLanguage.CSharp: return csharp.TryGetVariable(name, out value);
            case CellLanguage.FSharp:
                if (!FSharpStarted) { value = null; return false; }
                return FSharp.TryGetValue(name, out value, out _);
            case CellLanguage.Value:
                bool found = Values.TryGetValue(name, out var text);
                value = text;
                return found;
            default:
                value = null;
                return false;
        }
    }

    /// <summary>Declares a variable in a language (C# or F#) bound to the same object.</summary>
    public async Task SetVariableAsync(CellLanguage language, string name, object? value, IKernelContext csharp)
    {
        switch (language)
        {
            case CellLanguage.CSharp: await csharp.SetVariableAsync(name, value).ConfigureAwait(false); break;
            case CellLanguage.FSharp when FSharp.IsBusy:
                throw new MagicUsageException($"error: can't declare '{name}' in F#: an interrupted F# cell is still running in the background; wait for it to end or restart the kernel");
            case CellLanguage.FSharp: FSharp.SetValue(name, value); break;
            case CellLanguage.Value: Values[name] = value?.ToString() ?? ""; break;
            default: throw new MagicUsageException($"error: values can't be declared in {CellLanguages.MagicName(language)} cells");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_fsharp.IsValueCreated) _fsharp.Value.Dispose();
    }

    /// <summary>Registers <c>#!share</c>, <c>#!set</c>, <c>#!who</c> and <c>#!whos</c>.</summary>
    public void RegisterMagics(MagicRegistry registry)
    {
        registry.Register(new ShareMagic(this));
        registry.Register(new SetMagic(this));
        registry.Register(new WhoMagic(this, detailed: false));
        registry.Register(new WhoMagic(this, detailed: true));
    }

    internal static CellLanguage ParseLanguage(MagicInvocation inv, string option, string text)
    {
        if (!CellLanguages.TryParse(text, out var lang) || lang is not (CellLanguage.CSharp or CellLanguage.FSharp or CellLanguage.Value))
            throw inv.UsageError($"--{option} {text}: expected csharp, fsharp or value");
        return lang;
    }
}

/// <summary><c>#!share --from fsharp x [--as y]</c>: the same object, visible in the current cell's language.</summary>
internal sealed class ShareMagic(PolyglotState state) : IMagicCommand
{
    public string Name => "share";
    public string Description => "Share a variable from another language with this cell's language (the same object, no copy).";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("from", "Language that holds the variable: csharp, fsharp or value.") { Alias = "-f", Required = true },
        new("as", "Name in this cell's language (default: the same name)."),
    ];
    public IReadOnlyList<MagicArgument> Arguments { get; } = [new("name", "The variable to share.", Required: true)];

    public async Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var from = PolyglotState.ParseLanguage(inv, "from", inv.GetString("from")!);
        var name = inv.Arguments.Count > 0 ? inv.Arguments[0] : throw inv.UsageError("missing the name of the variable to share");
        var target = state.CurrentLanguage;
        if (from == target) throw inv.UsageError($"--from {CellLanguages.MagicName(from)}: this cell is already {CellLanguages.MagicName(target)}");
        if (!state.TryGetVariable(from, name, context, out var value))
            throw inv.UsageError($"no variable '{name}' in {CellLanguages.MagicName(from)} (see #!who)");
        await state.SetVariableAsync(target, inv.GetString("as") ?? name, value, context).ConfigureAwait(false);
    }
}

/// <summary><c>#!set --name x --value 42 | @csharp:y | @fsharp:y | @value:y</c>.</summary>
internal sealed class SetMagic(PolyglotState state) : IMagicCommand
{
    public string Name => "set";
    public string Description => "Declare a variable in this cell's language from a literal or another language's variable (@csharp:x, @fsharp:x, @value:x).";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("name", "Name of the variable to declare.") { Alias = "-n", Required = true },
        new("value", "A literal (number, true/false, text) or @language:variable.") { Alias = "-v", Required = true },
    ];

    public async Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var name = inv.GetString("name")!;
        var source = inv.GetString("value")!;
        object? value;
        if (source.StartsWith('@'))
        {
            int colon = source.IndexOf(':');
            if (colon < 0) throw inv.UsageError($"--value {source}: expected @csharp:name, @fsharp:name or @value:name");
            if (!CellLanguages.TryParse(source[1..colon], out var lang) || lang is not (CellLanguage.CSharp or CellLanguage.FSharp or CellLanguage.Value))
                throw inv.UsageError($"--value {source}: unknown language '{source[1..colon]}'; expected @csharp:, @fsharp: or @value:");
            var variable = source[(colon + 1)..];
            if (variable.Length == 0 || !state.TryGetVariable(lang, variable, context, out value))
                throw inv.UsageError($"--value {source}: no variable '{variable}' in {CellLanguages.MagicName(lang)}");
        }
        else value = Literal(source);
        await state.SetVariableAsync(state.CurrentLanguage, name, value, context).ConfigureAwait(false);
    }

    private static object Literal(string text)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) return i;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        if (bool.TryParse(text, out var b)) return b;
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1] : text;
    }
}

/// <summary><c>#!who</c> / <c>#!whos</c>: variables per language (with types for whos).</summary>
internal sealed class WhoMagic(PolyglotState state, bool detailed) : IMagicCommand
{
    public string Name => detailed ? "whos" : "who";
    public string Description => detailed ? "List the variables of every language with their types." : "List the variables of every language.";
    public IReadOnlyList<MagicOption> Options => [];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var sb = new StringBuilder();
        void Section(string language, IEnumerable<(string Name, string Type)> vars)
        {
            var list = vars.ToList();
            sb.AppendLine($"{language}: {(list.Count == 0 ? "(none)" : "")}");
            foreach (var (n, t) in list) sb.AppendLine(detailed ? $"  {n,-24} {t}" : $"  {n}");
        }
        Section("csharp", context.VariableNames.Order(StringComparer.Ordinal).Select(n =>
            (n, context.TryGetVariable(n, out var v) && v is not null ? Formatter.FriendlyName(v.GetType()) : "null")));
        Section("fsharp", state.FSharpStarted ? state.FSharp.Variables.Select(v => (v.Name, Formatter.FriendlyName(v.Type))) : []);
        Section("value", state.Values.Select(kv => (kv.Key, $"text ({kv.Value.Length} chars)")));
        context.Out.Write(sb.ToString());
        return Task.CompletedTask;
    }
}
