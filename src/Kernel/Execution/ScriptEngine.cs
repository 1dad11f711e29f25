using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace NasNotebooks.Kernel;

/// <summary>
/// The namespaces imported into every cell. Add to <see cref="Namespaces"/> before the first cell runs
/// (e.g. <c>KernelImports.Namespaces.Add("NasNotebooks.Runtime")</c>); namespaces that no referenced
/// assembly defines are skipped so that the list can name assemblies that do not exist yet.
/// </summary>
public static class KernelImports
{
    /// <summary>The imported namespaces.</summary>
    public static IList<string> Namespaces { get; } = new List<string>
    {
        "System",
        "System.Linq",
        "System.Collections.Generic",
        "System.Threading",
        "System.Threading.Tasks",
        "NasNotebooks.Dsl",
        "NasNotebooks.Runtime",
        "NasNotebooks.Runtime.Algorithms",
        "NasNotebooks.Runtime.Torch",
        "NasNotebooks.Kernel",
        "NasNotebooks.Magics",
    };

    /// <summary>
    /// Shared-framework assemblies referenced by every cell (simple names). Kept short on purpose: each reference
    /// costs compile time in every cell; cells can add more with <c>#r "System.Xml.Linq"</c>.
    /// </summary>
    public static IList<string> FrameworkAssemblyNames { get; } = new List<string>
    {
        "System.Private.CoreLib", "System.Runtime", "netstandard", "System.Console", "System.Linq", "System.Collections",
        "System.Collections.Concurrent", "System.Collections.Immutable", "System.Threading", "System.Threading.Tasks",
        "System.Threading.Thread", "System.Text.RegularExpressions", "System.Text.Json", "System.Net.Http", "System.Private.Uri",
        "System.Runtime.Numerics", "System.Memory", "System.Linq.Expressions", "System.ObjectModel", "System.ComponentModel.Primitives",
        "System.Diagnostics.Process", "System.IO.Compression", "System.Runtime.InteropServices", "System.Security.Cryptography",
        "Microsoft.CSharp",
    };

    /// <summary>Assemblies referenced by every cell in addition to the .NET libraries.</summary>
    public static IList<Assembly> Assemblies { get; } = new List<Assembly>
    {
        typeof(KernelGlobals).Assembly,
    };

    /// <summary>Names (without extension) of assemblies next to the kernel that are referenced when present.</summary>
    public static IList<string> OptionalAssemblyNames { get; } = new List<string>
    {
        "NasNotebooks.Dsl",
        "NasNotebooks.Runtime",
        "NasNotebooks.Magics",
        "Plotly.NET",
        "Plotly.NET.CSharp",
        "FSharp.Core",
        "DynamicObj",
        "Giraffe.ViewEngine",
        "Newtonsoft.Json",
    };
}

/// <summary>
/// Resolves <c>#r</c> like Roslyn's script resolver (paths relative to the notebook, framework assemblies by
/// name) and the dependencies of assemblies added with <c>#r</c>, but not the dependencies of the kernel's own
/// default references (Roslyn, NetMQ, ... behind the kernel assembly; the framework behind netstandard): resolving
/// those adds dozens of assemblies to every cell's compilation and made each cell about a third slower.
/// </summary>
internal sealed class CellReferenceResolver : MetadataReferenceResolver
{
    private readonly ScriptMetadataResolver _inner;
    private readonly HashSet<string> _defaults;

    public CellReferenceResolver(ScriptMetadataResolver inner, IEnumerable<string> defaultReferencePaths)
    {
        _inner = inner;
        _defaults = new HashSet<string>(defaultReferencePaths, StringComparer.Ordinal);
    }

    public override bool ResolveMissingAssemblies => true;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        _inner.ResolveReference(reference, baseFilePath, properties);

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        definition is PortableExecutableReference { FilePath: { } path } && _defaults.Contains(path)
            ? null
            : _inner.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}

/// <summary>The result of running one cell.</summary>
internal sealed record CellResult(object? Value, bool HasValue, Exception? Exception, IReadOnlyList<Diagnostic> Errors)
{
    public bool Succeeded => Exception is null && Errors.Count == 0;
}

/// <summary>Roslyn scripting with state carried across cells.</summary>
internal sealed class ScriptEngine
{
    private readonly KernelGlobals _globals;
    private readonly Lazy<ScriptOptions> _options;
    private readonly Lazy<ScriptOptions> _continuationOptions;
    private ScriptState<object>? _state;
    // How many of _searchable.References the submissions of the current chain already reference.
    private int _searchableInChain;
    private readonly List<string> _history = [];
    private int _runAsWritten;

    public ScriptEngine(KernelGlobals globals, string workingDirectory)
    {
        _globals = globals;
        WorkingDirectory = workingDirectory;
        _options = new Lazy<ScriptOptions>(CreateOptions, LazyThreadSafetyMode.ExecutionAndPublication);
        // Roslyn adds the explicit references of the previous submission to each new one, so a continuation
        // that lists the default references again makes every cell's reference list one copy longer: the cost
        // of a `1+1` cell grew with the number of cells run (0.6 MB allocated per cell at cell 20, 4.7 MB at
        // cell 1000). Continuations therefore pass only references that the chain does not have yet.
        _continuationOptions = new Lazy<ScriptOptions>(() => Options.WithReferences(Array.Empty<MetadataReference>()), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string WorkingDirectory { get; }

    /// <summary>Cells that compiled only without the interrupt checks (for tests: should stay 0 for ordinary code).</summary>
    internal int CellsRunAsWritten => Volatile.Read(ref _runAsWritten);

    public ScriptOptions Options => _options.Value;

    /// <summary>The code of the cells that compiled and ran so far (for completion).</summary>
    public IReadOnlyList<string> History
    {
        get
        {
            lock (_history)
            {
                return _history.ToArray();
            }
        }
    }

    public ScriptState<object>? State => _state;

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    private ScriptOptions CreateOptions()
    {
        var refs = new List<MetadataReference>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        void Add(string path)
        {
            if (File.Exists(path) && seen.Add(Path.GetFileName(path)))
            {
                // Memory-mapped, not copied: ReadyToRun images hold machine code besides metadata (the 34 default
                // references would be about 40 MB read into memory at start).
                refs.Add(AssemblyMetadata.CreateFromFile(path).GetReference(filePath: path));
            }
        }
        // A curated part of the shared framework: every referenced assembly makes each cell's compilation
        // slower (all 160 framework assemblies triple the cost of a `1+1` cell). Others can be added by
        // name with `#r "System.Xml.Linq"` (resolved from the trusted platform assemblies).
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? "";
        var wanted = new HashSet<string>(KernelImports.FrameworkAssemblyNames, StringComparer.OrdinalIgnoreCase);
        foreach (var path in tpa)
        {
            if (Path.GetDirectoryName(path) == runtimeDir && wanted.Contains(Path.GetFileNameWithoutExtension(path)))
            {
                Add(path);
            }
        }
        foreach (var asm in KernelImports.Assemblies)
        {
            Add(asm.Location);
        }
        var baseDir = AppContext.BaseDirectory;
        foreach (var name in KernelImports.OptionalAssemblyNames)
        {
            Add(Path.Combine(baseDir, name + ".dll"));
        }
        LatencyTrace.Startup($"options: {refs.Count} references read");
        var namespaces = DefinedNamespaces(refs);
        var imports = KernelImports.Namespaces.Where(namespaces.Contains).Distinct().ToArray();
        LatencyTrace.Startup("options: imported namespaces checked");
        return ScriptOptions.Default
            .WithReferences(refs)
            .WithImports(imports)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithMetadataResolver(new CellReferenceResolver(
                ScriptMetadataResolver.Default.WithBaseDirectory(WorkingDirectory).WithSearchPaths(WorkingDirectory),
                refs.OfType<PortableExecutableReference>().Select(r => r.FilePath).OfType<string>()))
            .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, WorkingDirectory))
            .WithAllowUnsafe(true)
            .WithEmitDebugInformation(false)
            .WithOptimizationLevel(OptimizationLevel.Release);
    }

    /// <summary>
    /// Namespaces that the given references define (with every enclosing namespace), read from their metadata: a
    /// namespace exists when a type is declared in it or below it. Reading the type table is cheap; binding the global
    /// namespace of a probe compilation, as this did before, cost about 100 ms of CPU at start.
    /// </summary>
    internal static HashSet<string> DefinedNamespaces(IEnumerable<MetadataReference> refs)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in refs.OfType<PortableExecutableReference>())
        {
            if (reference.GetMetadata() is not AssemblyMetadata assembly)
            {
                continue;
            }
            foreach (var module in assembly.GetModules())
            {
                var reader = module.GetMetadataReader();
                foreach (var handle in reader.TypeDefinitions)
                {
                    var type = reader.GetTypeDefinition(handle);
                    if (type.Namespace.IsNil || !type.GetDeclaringType().IsNil)
                    {
                        continue;
                    }
                    for (var ns = reader.GetString(type.Namespace); ns.Length > 0 && result.Add(ns);)
                    {
                        var dot = ns.LastIndexOf('.');
                        ns = dot < 0 ? "" : ns[..dot];
                    }
                }
            }
        }
        return result;
    }

    private Task _firstCellWarmUp = Task.CompletedTask;
    private ScriptState<object>? _warmUpState;

    /// <summary>
    /// Starts the first-cell warm-up in the background (<see cref="WarmUpAsync"/>); C# cells that arrive before it
    /// is done wait for it rather than compiling beside it: two cold compilations at once do the cold work twice
    /// (measured on 2 cores under load, 6 starts each: about 50 ms more CPU and a slower first cell than the warm-up
    /// followed by a warm compilation).
    /// </summary>
    public Task StartWarmUp() =>
        // Its own thread, not the thread pool's (2 threads on 2 cores), which the shell requests need meanwhile.
        _firstCellWarmUp = Task.Factory.StartNew(() => WarmUpAsync().GetAwaiter().GetResult(), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Compiles and runs a throwaway first submission through the same path as a first cell (script options with
    /// the default references, compilation, emit, load, run, the expression-value check), so that the first real
    /// cell is fast.
    /// </summary>
    public async Task WarmUpAsync()
    {
        try
        {
            var state = await RunInitialAsync(CSharpScript.Create<object>("1+1", Options, typeof(KernelGlobals)), CancellationToken.None).ConfigureAwait(false);
            _ = EndsWithExpression(state.Script.GetCompilation().SyntaxTrees.First());
            _ = IsCompleteSubmission("if (true) {");
            _warmUpState = state;
            LatencyTrace.Startup("warm-up: first submission ran");
        }
        catch (Exception e)
        {
            Log.Warn("warm-up failed: " + e.Message);
        }
    }

    /// <summary>
    /// Continues the warm-up chain with a submission that uses a lambda, generics, LINQ and string interpolation, so
    /// that the second cell (the first continuation) is fast too. Run it when the kernel is idle.
    /// </summary>
    public async Task WarmUpContinuationAsync()
    {
        try
        {
            await _firstCellWarmUp.ConfigureAwait(false);
            if (_warmUpState is not { } state)
            {
                return;
            }
            _warmUpState = null;
            state = await ContinueAsync(state, "var __w = new List<int> { 1 }.Select(x => x + 1).First(); $\"{__w}\"", _continuationOptions.Value, CancellationToken.None).ConfigureAwait(false);
            _ = EndsWithExpression(state.Script.GetCompilation().SyntaxTrees.First());
            LatencyTrace.Startup("warm-up: continuation ran");
        }
        catch (Exception e)
        {
            Log.Warn("warm-up failed: " + e.Message);
        }
    }

    /// <summary>
    /// Gets Roslyn's submission compiler to optimized code before the user's cells arrive. Where Roslyn is not
    /// ReadyToRun-compiled it first runs as quickly jitted tier-0 code; the runtime re-jits a method with full
    /// optimization once it has been called 30 times, but only after 100 ms without new tier-0 jitting (and with
    /// dynamic PGO in two steps). Cells run back to back jit their own new code, so without pauses the compiler
    /// stayed at tier 0 (a `1+1` cell took twice as long as after tier-up). This compiles small throwaway
    /// cells in a few rounds separated by pauses so that each step of tiering can happen; before each cell it awaits
    /// <paramref name="whenIdle"/>, so that it never competes with the user's requests.
    /// </summary>
    public async Task WarmUpTieringAsync(int rounds = 3, int cellsPerRound = 32, Func<Task>? whenIdle = null)
    {
        try
        {
            string[] snippets = ["1+1", "var __a = new List<int> { 2 };", "__a.Count * 3", "$\"x{__a[0]}\"", "__a.Select(x => x + 1).Sum()", "__a.Add(1);"];
            if (whenIdle is not null) await whenIdle().ConfigureAwait(false);
            var state = await RunInitialAsync(CSharpScript.Create<object>("var __w = 1;", Options, typeof(KernelGlobals)), CancellationToken.None).ConfigureAwait(false);
            for (int round = 0; round < rounds; round++)
            {
                await Task.Delay(250).ConfigureAwait(false);
                for (int i = 0; i < cellsPerRound; i++)
                {
                    if (whenIdle is not null) await whenIdle().ConfigureAwait(false);
                    state = await ContinueAsync(state, snippets[i % snippets.Length], _continuationOptions.Value, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e)
        {
            Log.Warn("tiering warm-up failed: " + e.Message);
        }
    }

    public void Reset()
    {
        _state = null;
        _searchableInChain = 0;
        lock (_history)
        {
            _history.Clear();
        }
    }

    private readonly SearchableCells _searchable = new();

    /// <summary>
    /// The options of the next submission: for the first one the default references plus the assemblies built
    /// from [Searchable] cells; for a continuation only the [Searchable] assemblies that earlier submissions of
    /// the chain do not reference yet (the rest are inherited from the previous submission).
    /// </summary>
    private ScriptOptions CellOptions(bool first, out int searchableCount)
    {
        var extra = _searchable.References;
        searchableCount = extra.Count;
        if (first)
        {
            return extra.Count == 0 ? Options : Options.AddReferences(extra);
        }
        return extra.Count == _searchableInChain ? _continuationOptions.Value : _continuationOptions.Value.AddReferences(extra.Skip(_searchableInChain));
    }

    public async Task<CellResult> RunAsync(string code, CancellationToken cancellationToken)
    {
        if (!_firstCellWarmUp.IsCompleted) await _firstCellWarmUp.ConfigureAwait(false);
        var written = code;
        if (SearchableCells.Applies(code))
        {
            var (scriptCode, errors) = _searchable.Compile(code, Options.MetadataReferences, Options.Imports);
            if (errors.Count > 0) return new CellResult(null, false, null, errors);
            code = scriptCode;
        }
        var options = CellOptions(_state is null, out var searchableCount);
        ScriptState<object> newState;
        try
        {
            var script = Compile(code, options);
            // The compilation is over: from here on the cell's own code runs (an interrupt may wake its waits).
            CellGuard.Current?.EnterUserCode();
            newState = _state is null
                ? await script.RunAsync(_globals, _ => true, cancellationToken).ConfigureAwait(false)
                : await script.RunFromAsync(_state, _ => true, cancellationToken).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            return new CellResult(null, false, null, e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray());
        }
        catch (Exception e)
        {
            return new CellResult(null, false, Unwrap(e), []);
        }
        var run = CellGuard.Current;
        run?.LeaveUserCode();
        void Commit()
        {
            _state = newState;
            _searchableInChain = searchableCount;
            lock (_history)
            {
                _history.Add(written);
            }
        }
        if (run is null)
        {
            Commit();
        }
        else if (!run.CommitUnlessAbandoned(Commit))
        {
            Log.Debug("an abandoned cell ended; its variables are dropped");
        }
        if (newState.Exception is { } ex)
        {
            return new CellResult(null, false, Unwrap(ex), []);
        }
        var tree = newState.Script.GetCompilation().SyntaxTrees.FirstOrDefault();
        var hasValue = tree is null ? EndsWithExpression(code) : EndsWithExpression(tree);
        return new CellResult(newState.ReturnValue, hasValue && newState.ReturnValue is not null, null, []);
    }

    /// <summary>
    /// The cell's submission, compiled: with interrupt and recursion checks added (<see cref="CSharpCellInstrumenter"/>)
    /// when that compiles. A cell with errors is compiled again as written, so that errors name the cell's own text;
    /// if only the instrumented text fails (a construct the checks don't fit), the cell runs as written.
    /// </summary>
    private Script<object> Compile(string code, ScriptOptions options)
    {
        var instrumented = CSharpCellInstrumenter.Instrument(code, ParseOptions);
        if (instrumented is not null)
        {
            var script = Create(instrumented, options);
            try
            {
                BuildExecutor(script);
                return script;
            }
            catch (CompilationErrorException)
            {
            }
        }
        var plain = Create(code, options);
        BuildExecutor(plain);
        if (instrumented is not null)
        {
            Interlocked.Increment(ref _runAsWritten);
            Log.Debug("interrupt checks could not be added to this cell; it runs as written");
        }
        return plain;
    }

    private static readonly Func<Script, CancellationToken, Func<object[], Task>>? GetExecutor =
        typeof(Script).GetMethod("CommonGetExecutor", BindingFlags.NonPublic | BindingFlags.Instance, [typeof(CancellationToken)]) is { } m && m.ReturnType == typeof(Func<object[], Task>)
            ? m.CreateDelegate<Func<Script, CancellationToken, Func<object[], Task>>>()
            : null;

    /// <summary>True when a submission can be compiled before it runs (see <see cref="BuildExecutor"/>).</summary>
    internal static bool CompilesBeforeRunning => GetExecutor is not null;

    /// <summary>
    /// Compiles the submission now (throws <see cref="CompilationErrorException"/>), so that the run that follows only
    /// runs it. <see cref="Script.Compile"/> would do so too but then collects all warnings in a second pass over the
    /// compilation. Through an internal method of <see cref="Script"/>; when a Roslyn update renames it, the submission
    /// compiles when it runs, interrupts count the compilation as the cell's code, and a kernel test fails.
    /// </summary>
    private static void BuildExecutor(Script<object> script)
    {
        if (GetExecutor is not null)
        {
            GetExecutor(script, CancellationToken.None);
        }
    }

    private Script<object> Create(string code, ScriptOptions options) =>
        Sequential(_state is null ? CSharpScript.Create<object>(code, options, typeof(KernelGlobals)) : _state.Script.ContinueWith<object>(code, options));

    private Task<ScriptState<object>> RunInitialAsync(Script<object> script, CancellationToken cancellationToken) =>
        Sequential(script).RunAsync(_globals, _ => true, cancellationToken);

    private static Task<ScriptState<object>> ContinueAsync(ScriptState<object> state, string code, ScriptOptions options, CancellationToken cancellationToken) =>
        Sequential(state.Script.ContinueWith<object>(code, options)).RunFromAsync(state, _ => true, cancellationToken);

    private static readonly FieldInfo? LazyCompilation = typeof(Script).GetField("_lazyCompilation", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>True when submissions are compiled on the calling thread (see <see cref="Sequential"/>).</summary>
    internal static bool CompilesSequentially => LazyCompilation?.FieldType == typeof(Compilation);

    /// <summary>
    /// Makes Roslyn compile the submission on the calling thread. Scripting creates submissions with
    /// <c>ConcurrentBuild</c> on and has no option for it: the one or two methods of a cell were then compiled
    /// by thread-pool workers that the cell's thread waited for, which on a busy machine cost more than the
    /// compilation itself. The compilation is swapped for the same one with <c>ConcurrentBuild</c> off before
    /// anything binds it (a private field of <see cref="Script"/>; when a Roslyn update renames it, this does
    /// nothing and a kernel test fails).
    /// </summary>
    private static Script<object> Sequential(Script<object> script)
    {
        if (CompilesSequentially)
        {
            var compilation = script.GetCompilation();
            if (compilation.Options.ConcurrentBuild)
            {
                LazyCompilation!.SetValue(script, compilation.WithOptions(compilation.Options.WithConcurrentBuild(false)));
            }
        }
        return script;
    }

    /// <summary>The variables declared so far, latest declaration last.</summary>
    public IReadOnlyList<ScriptVariable> Variables => _state?.Variables ?? ImmutableArray<ScriptVariable>.Empty;

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a:
                    e = a.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }

    /// <summary>True when the cell ends with an expression without a semicolon (its value is the cell's result).</summary>
    public static bool EndsWithExpression(string code) => EndsWithExpression(CSharpSyntaxTree.ParseText(code, ParseOptions));

    private static bool EndsWithExpression(SyntaxTree tree)
    {
        var root = (CompilationUnitSyntax)tree.GetRoot();
        return root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax es } && es.SemicolonToken.IsMissing;
    }

    /// <summary>Whether the code is a complete submission (Roslyn's SyntaxFactory.IsCompleteSubmission).</summary>
    public static bool IsCompleteSubmission(string code)
    {
        var tree = SyntaxFactory.ParseSyntaxTree(code, ParseOptions);
        return SyntaxFactory.IsCompleteSubmission(tree);
    }

    /// <summary>Formats compile errors as <c>(line,col): error CSxxxx: message</c>, lines counted within the cell.</summary>
    public static string FormatDiagnostic(Diagnostic d)
    {
        var sb = new StringBuilder();
        // Generator diagnostics are external-file locations that still carry their line positions.
        if (d.Location.IsInSource || d.Location.Kind == LocationKind.ExternalFile)
        {
            var pos = d.Location.GetLineSpan().StartLinePosition;
            sb.Append('(').Append(pos.Line + 1).Append(',').Append(pos.Character + 1).Append("): ");
        }
        sb.Append(d.Severity == DiagnosticSeverity.Error ? "error " : "warning ").Append(d.Id).Append(": ")
          .Append(d.GetMessage(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>The stack trace of a cell exception without Roslyn/kernel/async plumbing frames.</summary>
    public static IReadOnlyList<string> Traceback(Exception e)
    {
        var trace = new System.Diagnostics.StackTrace(e, false);
        if (trace.FrameCount > MaxTracebackFrames)
        {
            // Runaway recursion: formatting every frame of a 250,000-frame trace takes seconds and megabytes.
            return CompactTraceback(e, trace);
        }
        var lines = new List<string>();
        foreach (var raw in e.ToString().Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var t = line.TrimStart();
            if (t.StartsWith("at ", StringComparison.Ordinal) &&
                (t.StartsWith("at Microsoft.CodeAnalysis.", StringComparison.Ordinal) ||
                 t.StartsWith("at NasNotebooks.Kernel.", StringComparison.Ordinal) ||
                 t.StartsWith("at NasNotebooks.Magics.", StringComparison.Ordinal) ||
                 t.StartsWith("at System.Runtime.CompilerServices.", StringComparison.Ordinal) ||
                 t.StartsWith("at System.Runtime.ExceptionServices.", StringComparison.Ordinal) ||
                 t.StartsWith("at System.Threading.Tasks.", StringComparison.Ordinal) ||
                 t.StartsWith("at System.Threading.ExecutionContext.", StringComparison.Ordinal)))
            {
                continue;
            }
            if (t.StartsWith("--- End of stack trace from previous location", StringComparison.Ordinal))
            {
                continue;
            }
            lines.Add(line);
        }
        return lines;
    }

    private const int MaxTracebackFrames = 200;

    private static bool IsPlumbing(string frame) =>
        frame.StartsWith("Microsoft.CodeAnalysis.", StringComparison.Ordinal) || frame.StartsWith("NasNotebooks.Kernel.", StringComparison.Ordinal) ||
        frame.StartsWith("NasNotebooks.Magics.", StringComparison.Ordinal) ||
        frame.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal) || frame.StartsWith("System.Runtime.ExceptionServices.", StringComparison.Ordinal) ||
        frame.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal) || frame.StartsWith("System.Threading.ExecutionContext.", StringComparison.Ordinal) ||
        frame.StartsWith("FSharp.Compiler.", StringComparison.Ordinal) || frame.StartsWith("System.RuntimeMethodHandle.", StringComparison.Ordinal) ||
        frame.StartsWith("System.Reflection.", StringComparison.Ordinal);

    /// <summary>A deep trace in the style of Python's: the first and last frames, runs of the same frame collapsed into one line.</summary>
    private static List<string> CompactTraceback(Exception e, System.Diagnostics.StackTrace trace)
    {
        var lines = new List<string> { $"{e.GetType().FullName}: {e.Message}" };
        var frames = trace.GetFrames();
        var names = new List<(string Name, int Count)>();
        foreach (var frame in frames)
        {
            var method = frame.GetMethod();
            var name = method is null ? "<unknown>" : $"{method.DeclaringType?.FullName}.{method.Name}";
            if (IsPlumbing(name))
            {
                continue;
            }
            if (names.Count > 0 && names[^1].Name == name)
            {
                names[^1] = (name, names[^1].Count + 1);
            }
            else
            {
                names.Add((name, 1));
            }
        }
        const int keep = 20;
        for (int i = 0; i < names.Count; i++)
        {
            if (i == keep && names.Count > 2 * keep)
            {
                int skipped = names.Skip(keep).Take(names.Count - 2 * keep).Sum(n => n.Count);
                lines.Add($"   ... {skipped:N0} more frames ...");
                i = names.Count - keep - 1;
                continue;
            }
            lines.Add("   at " + names[i].Name);
            if (names[i].Count > 1)
            {
                lines.Add($"   [the frame above repeated {names[i].Count - 1:N0} more times]");
            }
        }
        lines.Add($"   ({frames.Length:N0} frames in all)");
        return lines;
    }
}
