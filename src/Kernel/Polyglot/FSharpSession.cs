using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using Microsoft.FSharp.Core;

namespace NasNotebooks.Kernel.Polyglot;

/// <summary>An F# diagnostic with its position counted within the cell (line 1 = first line of the cell body).</summary>
public sealed record FSharpCellDiagnostic(int Line, int Column, string Code, string Message, bool IsError)
{
    /// <inheritdoc />
    public override string ToString() => $"({Line},{Column}): {(IsError ? "error" : "warning")} {Code}: {Message}";
}

/// <summary>The outcome of evaluating an F# cell.</summary>
public sealed record FSharpCellResult(bool Success, bool HasValue, object? Value, Type? ValueType, Exception? Exception, IReadOnlyList<FSharpCellDiagnostic> Diagnostics);

/// <summary>
/// An F# interactive session hosted in the kernel process (FSharp.Compiler.Service's
/// <c>FsiEvaluationSession</c>). State carries across cells; values are shared with C# as the same
/// CLR objects (<see cref="SetValue"/>, <see cref="TryGetValue"/>).
/// </summary>
public sealed class FSharpSession : IDisposable
{
    private readonly Shell.FsiEvaluationSession _session;
    private readonly StringWriter _fsiOut = new(), _fsiErr = new();
    private int _cell;

    private FSharpSession(IEnumerable<string> references)
    {
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        var argv = new List<string> { "fsi.exe", "--noninteractive", "--nologo", "--gui-", "--multiemit-", "--usesdkrefs-" };
        argv.AddRange(references.Select(r => "-r:" + r));
        _session = Shell.FsiEvaluationSession.Create(config, argv.ToArray(), new StringReader(""), _fsiOut, _fsiErr, false, null);
    }

    /// <summary>Creates a session (about 2 s) and references the given assemblies (e.g. the DSL).</summary>
    public static FSharpSession Create(IEnumerable<string>? references = null) => new(references ?? []);

    /// <summary>
    /// Evaluates a cell. Compile errors come back as diagnostics (no exception); a runtime exception
    /// comes back in <see cref="FSharpCellResult.Exception"/>. <paramref name="lineOffset"/> is the
    /// number of lines removed above the code (e.g. a <c>#!fsharp</c> line); it is added to the reported
    /// lines so that they count from the first line of the cell as typed.
    /// </summary>
    public FSharpCellResult Evaluate(string code, CancellationToken cancellationToken = default, int lineOffset = 0)
    {
        int cell = Interlocked.Increment(ref _cell);
        var (choice, diagnostics) = _session.EvalInteractionNonThrowing(code, $"cell{cell}.fsx", cancellationToken).ToValueTuple();
        var diags = diagnostics
            .Where(d => d.Severity == FSharpDiagnosticSeverity.Error || d.Severity == FSharpDiagnosticSeverity.Warning)
            .Select(d => new FSharpCellDiagnostic(Math.Max(1, d.StartLine + lineOffset), d.StartColumn + 1, d.ErrorNumberText, d.Message.ReplaceLineEndings(" ").Replace("    ", " "), d.Severity == FSharpDiagnosticSeverity.Error))
            .ToList();
        if (choice is FSharpChoice<FSharpOption<Shell.FsiValue>, Exception>.Choice1Of2 ok)
        {
            var value = ok.Item;
            bool has = FSharpOption<Shell.FsiValue>.get_IsSome(value) && value.Value.ReflectionType != typeof(Unit) && value.Value.ReflectionType != typeof(void);
            return new FSharpCellResult(true, has, has ? value.Value.ReflectionValue : null, has ? value.Value.ReflectionType : null, null, diags);
        }
        var exn = choice is FSharpChoice<FSharpOption<Shell.FsiValue>?, Exception>.Choice2Of2 failed ? failed.Item : new InvalidOperationException("F# evaluation failed.");
        bool compileError = diags.Any(d => d.IsError);
        return new FSharpCellResult(false, false, null, null, compileError ? null : Unwrap(exn), diags);
    }

    private static Exception Unwrap(Exception e) => e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;

    /// <summary>Binds <paramref name="name"/> to the same CLR object in the F# session.</summary>
    /// <exception cref="ArgumentException">The name is not a valid F# identifier or the value is null.</exception>
    public void SetValue(string name, object? value)
    {
        if (string.IsNullOrWhiteSpace(name) || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"'{name}' is not a valid F# identifier.", nameof(name));
        if (value is null) { Evaluate($"let {name} : obj = null"); return; }
        _session.AddBoundValue(name, value);
    }

    /// <summary>Reads a value bound in the F# session (the same object, not a copy).</summary>
    public bool TryGetValue(string name, out object? value, out Type? type)
    {
        var found = _session.TryFindBoundValue(name);
        if (found is not null && FSharpOption<Shell.FsiBoundValue>.get_IsSome(found))
        {
            value = found.Value.Value.ReflectionValue;
            type = found.Value.Value.ReflectionType;
            return true;
        }
        value = null; type = null;
        return false;
    }

    /// <summary>The variables bound in the session with their types.</summary>
    public IReadOnlyList<(string Name, Type Type)> Variables =>
        _session.GetBoundValues().Where(b => b.Name != "it").Select(b => (b.Name, b.Value.ReflectionType)).ToList();

    /// <summary>Completion of the identifier chain ending at <paramref name="cursor"/> (e.g. <c>list.Cou</c> → <c>Count</c>).</summary>
    public IReadOnlyList<string> Complete(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        int start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] is '_' or '.')) start--;
        string chain = code[start..cursor];
        if (chain.Length == 0) return [];
        return _session.GetCompletions(chain).Distinct().ToList();
    }

    /// <inheritdoc />
    public void Dispose() => ((IDisposable)_session).Dispose();
}
