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

/// <summary>Cells compiled one after another: a later cell's models use searchable types from an earlier cell's assembly.</summary>
public class CrossCellTests
{
    private const string Cell1 = """
        using NasNotebooks.Dsl;
        public interface IOp { }
        [Searchable] public partial class Conv : IOp { [OneOf(3, 5, Name = "kernel")] public int Kernel { get; set; } = 3; }
        [Searchable] public partial class Pool : IOp { [OneOf("max", "avg")] public string Kind { get; set; } = "max"; }
        """;

    private static MetadataReference EmitCell1()
    {
        var (generated, diagnostics) = SearchableSourceGenerator.Run(Cell1, GeneratorHarness.References, path: "cell-1.cs");
        Assert.Empty(diagnostics);
        var compilation = CSharpCompilation.Create("Cell1",
            [CSharpSyntaxTree.ParseText(Cell1, GeneratorHarness.ParseOptions, "cell-1.cs"), .. generated.Select(g => CSharpSyntaxTree.ParseText(g.Source, GeneratorHarness.ParseOptions, g.HintName))],
            GeneratorHarness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var ms = new MemoryStream();
        var emit = compilation.Emit(ms);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        return MetadataReference.CreateFromImage(ms.ToArray());
    }

    [Fact]
    public void LaterCell_UsesSearchableTypesFromAnEarlierCellsAssembly()
    {
        var cell1 = EmitCell1();
        const string cell2 = """
            using System.Collections.Generic;
            using NasNotebooks.Dsl;
            [Searchable] public partial class Stage { [OneOf(typeof(Conv), typeof(Pool))] public IOp Op { get; set; } = new Pool(); }
            [Searchable] public partial class Net { [Repeat(1, 1)] public List<Stage> Stages { get; set; } = []; public Conv Stem { get; set; } = new(); }
            """;
        var (generated, diagnostics) = SearchableSourceGenerator.Run(cell2, [.. GeneratorHarness.References, cell1], path: "cell-2.cs");
        // Conv's decision is named 'kernel': Net holds it twice (Stem and through Stages), which the generator sees in metadata.
        var d = Assert.Single(diagnostics);
        Assert.Equal("NAS009", d.Id);
        Assert.Contains("'kernel'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["Stage.Searchable.g.cs"], generated.Select(g => g.HintName));
        var compilation = CSharpCompilation.Create("Cell2",
            [CSharpSyntaxTree.ParseText(cell2, GeneratorHarness.ParseOptions, "cell-2.cs"), .. generated.Select(g => CSharpSyntaxTree.ParseText(g.Source, GeneratorHarness.ParseOptions, g.HintName))],
            [.. GeneratorHarness.References, cell1], new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // Only Net lacks its generated half; Stage (which uses Conv and Pool from cell 1) compiles.
        Assert.DoesNotContain(compilation.GetDiagnostics(), x => x.Severity == DiagnosticSeverity.Error && x.Location.SourceTree?.FilePath == "Stage.Searchable.g.cs");
    }
}
