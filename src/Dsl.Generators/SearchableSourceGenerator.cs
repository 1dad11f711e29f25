using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NasNotebooks.Dsl.Generators;

/// <summary>
/// Library entry point for hosts that are not a build (the Jupyter kernel): runs the
/// <see cref="SearchableGenerator"/> on a regular (non-script) compilation of some C# source,
/// e.g. a notebook cell's type declarations.
/// </summary>
/// <example><code>
/// var (generated, diagnostics) = SearchableSourceGenerator.Run(cellSource, references);
/// // compile cellSource + generated sources into an in-memory assembly and reference it from later cells
/// </code></example>
public static class SearchableSourceGenerator
{
    /// <summary>
    /// Parses <paramref name="csharpSource"/> (as a regular compilation unit, C# latest) under the file name
    /// <paramref name="path"/>, runs the generator and returns the generated sources with their hint names
    /// and the generator's diagnostics (their locations point into <paramref name="csharpSource"/>).
    /// </summary>
    /// <param name="csharpSource">Type declarations, e.g. a notebook cell; may use namespaces.</param>
    /// <param name="references">Metadata references; must include NasNotebooks.Dsl and the framework.</param>
    /// <param name="path">File name used in diagnostic locations.</param>
    /// <param name="parseOptions">Parse options (default: C# latest, regular kind).</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public static (IReadOnlyList<(string HintName, string Source)> Generated, IReadOnlyList<Diagnostic> Diagnostics) Run(
        string csharpSource, IEnumerable<MetadataReference> references, string path = "Cell.cs", CSharpParseOptions? parseOptions = null)
    {
        if (csharpSource is null) throw new ArgumentNullException(nameof(csharpSource));
        if (references is null) throw new ArgumentNullException(nameof(references));
        parseOptions ??= new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Regular);
        var tree = CSharpSyntaxTree.ParseText(csharpSource, parseOptions, path);
        var compilation = CSharpCompilation.Create("NasNotebooksCell", [tree], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return Run(compilation);
    }

    /// <summary>Runs the generator on an existing compilation.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="compilation"/> is null.</exception>
    public static (IReadOnlyList<(string HintName, string Source)> Generated, IReadOnlyList<Diagnostic> Diagnostics) Run(Compilation compilation)
    {
        if (compilation is null) throw new ArgumentNullException(nameof(compilation));
        var parseOptions = compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions;
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SearchableGenerator().AsSourceGenerator()], parseOptions: parseOptions);
        driver = driver.RunGenerators(compilation);
        var result = driver.GetRunResult().Results[0];
        var generated = result.GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .Select(s => (s.HintName, s.SourceText.ToString()))
            .ToImmutableArray();
        IReadOnlyList<Diagnostic> diagnostics = result.Exception is { } ex
            ? [.. result.Diagnostics, Diagnostic.Create(new DiagnosticDescriptor("NAS000", "Generator failure", "The [Searchable] generator failed: {0}", "NasNotebooks.Searchable", DiagnosticSeverity.Error, true), Location.None, ex.Message)]
            : result.Diagnostics;
        return (generated, diagnostics);
    }
}
