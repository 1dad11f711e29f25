using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasNotebooks.Dsl;
using NasNotebooks.Dsl.Generators;

namespace NasNotebooks.Generators.Tests;

/// <summary>Compiles sources with the generator in memory.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var refs = tpa.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        refs.Add(MetadataReference.CreateFromFile(typeof(SymObject).Assembly.Location));
        return [.. refs];
    });

    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("TestModels",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, $"Model{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> OutputDiagnostics) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SearchableGenerator().AsSourceGenerator()], parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        // Errors anywhere; warnings (documentation included) only in generated files, since the test models have no doc comments.
        var generated = output.SyntaxTrees.Skip(sources.Length).ToHashSet();
        var diags = output.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error || d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } t && generated.Contains(t))
            .ToImmutableArray();
        return (driver.GetRunResult(), output, diags);
    }

    /// <summary>Emits the output compilation and loads it (for running generated code).</summary>
    public static Assembly Load(Compilation output)
    {
        using var ms = new MemoryStream();
        var r = output.Emit(ms);
        if (!r.Success) throw new InvalidOperationException(string.Join("\n", r.Diagnostics));
        return Assembly.Load(ms.ToArray());
    }
}
