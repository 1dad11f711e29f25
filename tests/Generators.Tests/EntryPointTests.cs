using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasNotebooks.Dsl.Generators;

namespace NasNotebooks.Generators.Tests;

/// <summary>The kernel's library entry point: run the generator on a cell's type declarations.</summary>
public class EntryPointTests
{
    [Fact]
    public void Run_GeneratesSources_ThatCompileWithTheCell()
    {
        var (generated, diagnostics) = SearchableSourceGenerator.Run(Models.Interface, GeneratorHarness.References);
        Assert.Empty(diagnostics);
        Assert.Equal(["Demo.Cell.Searchable.g.cs", "Demo.ConvBlock.Searchable.g.cs", "Demo.IdentityBlock.Searchable.g.cs", "Demo.ResidualBlock.Searchable.g.cs"],
            generated.Select(g => g.HintName));
        var compilation = GeneratorHarness.Compile([Models.Interface, .. generated.Select(g => g.Source)]);
        var cellTree = compilation.SyntaxTrees.First();
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error || d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree != cellTree));
    }

    [Fact]
    public void Run_ReportsDiagnostics_WithLinesInTheCell()
    {
        const string cell = """
            using NasNotebooks.Dsl;

            [Searchable]
            public partial class Model
            {
                [IntRange(4, 2)] public int Depth { get; set; }
            }
            """;
        var (generated, diagnostics) = SearchableSourceGenerator.Run(cell, GeneratorHarness.References, path: "cell-3.cs");
        Assert.Empty(generated);
        var d = Assert.Single(diagnostics);
        Assert.Equal("NAS004", d.Id);
        var span = d.Location.GetLineSpan();
        Assert.Equal("cell-3.cs", span.Path);
        Assert.Equal(5, span.StartLinePosition.Line);
        Assert.Equal(5, span.StartLinePosition.Character);
    }

    [Fact]
    public void Run_WorksForGlobalNamespaceTypes_AndTheirOutputLoads()
    {
        const string cell = """
            using NasNotebooks.Dsl;
            [Searchable]
            public partial class Tiny { [OneOf(1, 2, 3)] public int X { get; set; } = 1; }
            """;
        var (generated, diagnostics) = SearchableSourceGenerator.Run(cell, GeneratorHarness.References);
        Assert.Empty(diagnostics);
        var compilation = GeneratorHarness.Compile([cell, .. generated.Select(g => g.Source)]);
        var asm = GeneratorHarness.Load(compilation);
        var type = asm.GetType("Tiny")!;
        var dna = NasNotebooks.Dsl.Dna.Leaf(2);
        var value = type.GetMethod("Materialize")!.Invoke(null, [dna])!;
        Assert.Equal(3, type.GetProperty("X")!.GetValue(value));
        Assert.Equal(dna, type.GetMethod("Encode")!.Invoke(value, []));
    }

    [Fact]
    public void Run_RejectsNullArguments()
    {
        Assert.Throws<ArgumentNullException>(() => SearchableSourceGenerator.Run(null!, GeneratorHarness.References));
        Assert.Throws<ArgumentNullException>(() => SearchableSourceGenerator.Run("", null!));
    }
}
