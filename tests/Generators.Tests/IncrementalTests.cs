using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasNotebooks.Dsl.Generators;

namespace NasNotebooks.Generators.Tests;

/// <summary>The pipeline models are value-equatable, so unrelated edits do not re-run the output step.</summary>
public class IncrementalTests
{
    private static GeneratorDriver Driver() => CSharpGeneratorDriver.Create([new SearchableGenerator().AsSourceGenerator()],
        parseOptions: GeneratorHarness.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    [Fact]
    public void EditingAnUnrelatedFile_DoesNotRerunTheOutputStep()
    {
        var compilation = GeneratorHarness.Compile(Models.Interface, "namespace Other; public class Unrelated { public int A; }");
        var driver = Driver().RunGenerators(compilation);
        var first = driver.GetRunResult().Results[0];
        Assert.Equal(4, first.GeneratedSources.Length);

        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int A; public int B; }", GeneratorHarness.ParseOptions, unrelated.FilePath));
        driver = driver.RunGenerators(edited);
        var second = driver.GetRunResult().Results[0];

        var models = second.TrackedSteps[SearchableGenerator.ModelStep];
        Assert.NotEmpty(models);
        Assert.All(models.SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"model step reason {o.Reason}"));
        var outputs = second.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step reason {o.Reason}"));
        Assert.Equal(first.GeneratedSources.Select(s => s.SourceText.ToString()), second.GeneratedSources.Select(s => s.SourceText.ToString()));
    }

    [Fact]
    public void EditingTheModel_RerunsTheOutputStep()
    {
        var compilation = GeneratorHarness.Compile(Models.Interface);
        var driver = Driver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Models.Interface.Replace("\"sum\", \"concat\"", "\"sum\", \"concat\", \"max\""), GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results[0];
        var reasons = result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("\"max\"", StringComparison.Ordinal));
    }
}
