using FSharp.Compiler.CodeAnalysis;
using FSharp.Compiler.Diagnostics;
using FSharp.Compiler.Interactive;
using FSharp.Compiler.Text;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Control;
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
    private readonly Lazy<FSharpParsingOptions> _parsingOptions;
    private int _cell;
    private int _evaluating;
    private int _runAsWritten;

    private FSharpSession(IEnumerable<string> references)
    {
        var config = Shell.FsiEvaluationSession.GetDefaultConfiguration();
        var argv = new List<string> { "fsi.exe", "--noninteractive", "--nologo", "--gui-", "--multiemit-", "--usesdkrefs-" };
        // Cells are instrumented with calls to CellGuard (this assembly).
        argv.AddRange(references.Append(typeof(CellGuard).Assembly.Location).Distinct(StringComparer.Ordinal).Select(r => "-r:" + r));
        _session = Shell.FsiEvaluationSession.Create(config, argv.ToArray(), new StringReader(""), _fsiOut, _fsiErr, false, null);
        _parsingOptions = new Lazy<FSharpParsingOptions>(() => _session.InteractiveChecker.GetParsingOptionsFromCommandLineArgs(
            ListModule.OfSeq(["cell.fsx"]), FSharpOption<bool>.Some(true), FSharpOption<bool>.None).Item1);
    }

    /// <summary>
    /// True while a cell is being evaluated, e.g. one that an interrupt could not stop and that the kernel left running:
    /// the session can't evaluate a second cell beside it (when the first ended it would put back the state it started
    /// from, dropping what the second defined).
    /// </summary>
    public bool IsBusy => Volatile.Read(ref _evaluating) > 0;

    /// <summary>Cells that compiled only without the interrupt checks (for tests: should stay 0 for ordinary code).</summary>
    internal int CellsRunAsWritten => Volatile.Read(ref _runAsWritten);

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
        Interlocked.Increment(ref _evaluating);
        try
        {
            int cell = Interlocked.Increment(ref _cell);
            var fileName = $"cell{cell}.fsx";
            if (Instrument(code, fileName) is { } instrumented)
            {
                var result = EvaluateAs(instrumented.Code, fileName, cancellationToken, line => instrumented.OriginalLine(line) + lineOffset);
                if (result.Success || result.Exception is not null)
                {
                    return result;
                }
                // The cell has errors, or the checks made it fail to compile (a layout they don't fit): run it as
                // written, so that its own errors are reported where they are.
                var plain = EvaluateAs(code, fileName, cancellationToken, line => line + lineOffset);
                if (plain.Success || plain.Exception is not null)
                {
                    Interlocked.Increment(ref _runAsWritten);
                    Log.Debug("interrupt checks could not be added to this F# cell; it ran as written");
                }
                return plain;
            }
            return EvaluateAs(code, fileName, cancellationToken, line => line + lineOffset);
        }
        finally
        {
            Interlocked.Decrement(ref _evaluating);
        }
    }

    /// <summary>The cell with interrupt and recursion checks (<see cref="FSharpCellInstrumenter"/>), or null if it can't be parsed.</summary>
    private FSharpInstrumentedCell? Instrument(string code, string fileName)
    {
        try
        {
            var parse = FSharpAsync.RunSynchronously(
                _session.InteractiveChecker.ParseFile(fileName, SourceText.ofString(code), _parsingOptions.Value, FSharpOption<bool>.Some(false), FSharpOption<string>.None),
                FSharpOption<int>.None, FSharpOption<CancellationToken>.None);
            return FSharpCellInstrumenter.Instrument(code, parse.ParseTree, parse.ParseHadErrors);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Warn("F# cell could not be instrumented: " + e.Message);
            return null;
        }
    }

    private FSharpCellResult EvaluateAs(string code, string fileName, CancellationToken cancellationToken, Func<int, int> originalLine)
    {
        var (choice, diagnostics) = _session.EvalInteractionNonThrowing(code, fileName, cancellationToken).ToValueTuple();
        var diags = diagnostics
            .Where(d => d.Severity == FSharpDiagnosticSeverity.Error || d.Severity == FSharpDiagnosticSeverity.Warning)
            .Select(d => new FSharpCellDiagnostic(Math.Max(1, originalLine(d.StartLine)), d.StartColumn + 1, d.ErrorNumberText, d.Message.ReplaceLineEndings(" ").Replace("    ", " "), d.Severity == FSharpDiagnosticSeverity.Error))
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
