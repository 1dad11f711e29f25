using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Tests;

public sealed class ScriptEngineTests
{
    [Theory]
    [InlineData("var a = 1;", true)]
    [InlineData("if (true) {", false)]
    [InlineData("Console.WriteLine(\"x\"", false)]
    [InlineData("1 + 1", true)]
    [InlineData("class A { void M() {} }", true)]
    public void IsCompleteSubmission(string code, bool complete) =>
        Assert.Equal(complete, ScriptEngine.IsCompleteSubmission(code));

    [Theory]
    [InlineData("x + 2", true)]
    [InlineData("var x = 1;", false)]
    [InlineData("var x = 1;\nx", true)]
    [InlineData("Console.WriteLine(1);", false)]
    public void EndsWithExpression(string code, bool expected) =>
        Assert.Equal(expected, ScriptEngine.EndsWithExpression(code));

    [Fact]
    public void FormatDiagnostic_CountsLinesWithinTheCell()
    {
        var tree = CSharpSyntaxTree.ParseText("var ok = 1;\nint y = \"s\";", ScriptEngine.ParseOptions);
        var compilation = CSharpCompilation.CreateScriptCompilation("t", tree, [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]);
        var error = compilation.GetDiagnostics().First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("(2,9): error CS0029: Cannot implicitly convert type 'string' to 'int'", ScriptEngine.FormatDiagnostic(error));
    }

    [Fact]
    public void Traceback_DropsRoslynAndAsyncFrames()
    {
        Exception captured;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException e)
        {
            captured = e;
        }
        var lines = ScriptEngine.Traceback(captured);
        Assert.Equal("System.InvalidOperationException: boom", lines[0]);
        Assert.DoesNotContain(lines, l => l.Contains("at NasNotebooks.Kernel.", StringComparison.Ordinal));
    }

    [Fact]
    public void CSharpTypeName_SpellsGenericsArraysAndFallsBackToObject()
    {
        Assert.Equal("global::System.Collections.Generic.List<global::System.Int32>", CSharpTypeName.Of(typeof(List<int>)));
        Assert.Equal("global::System.String[]", CSharpTypeName.Of(typeof(string[])));
        Assert.Equal("global::System.Collections.Generic.Dictionary<global::System.String, global::System.Double[,]>", CSharpTypeName.Of(typeof(Dictionary<string, double[,]>)));
        Assert.Equal("object", CSharpTypeName.Of(new { A = 1 }.GetType()));
    }

    /// <summary>The metadata scan that decides which default imports exist agrees with Roslyn's own view of the namespaces.</summary>
    [Fact]
    public void DefinedNamespaces_AgreeWithTheCompilersGlobalNamespace()
    {
        MetadataReference[] refs =
        [
            AssemblyMetadata.CreateFromFile(typeof(object).Assembly.Location).GetReference(),
            AssemblyMetadata.CreateFromFile(typeof(Enumerable).Assembly.Location).GetReference(),
            AssemblyMetadata.CreateFromFile(typeof(NasNotebooks.Dsl.Space).Assembly.Location).GetReference(),
            AssemblyMetadata.CreateFromFile(typeof(KernelGlobals).Assembly.Location).GetReference(),
        ];
        var defined = ScriptEngine.DefinedNamespaces(refs);
        var compilation = CSharpCompilation.Create("probe", references: refs);
        string[] names = ["System", "System.Linq", "System.Collections.Generic", "System.Threading.Tasks", "NasNotebooks", "NasNotebooks.Dsl",
            "NasNotebooks.Kernel", "NasNotebooks.Kernel.Polyglot", "NasNotebooks.Runtime", "NasNotebooks.Runtime.Torch", "System.Xml.Linq", "Nope", "System.Nope"];
        foreach (var name in names)
        {
            INamespaceSymbol? ns = compilation.GlobalNamespace;
            foreach (var part in name.Split('.'))
            {
                ns = ns?.GetNamespaceMembers().FirstOrDefault(n => n.Name == part);
            }
            Assert.True((ns is not null) == defined.Contains(name), $"{name}: compiler sees it {ns is not null}, metadata scan {defined.Contains(name)}");
        }
        Assert.Contains("NasNotebooks", defined);
        Assert.DoesNotContain("System.Nope", defined);
    }

    private sealed class NullSink : IOutputSink
    {
        public void Stream(string name, string text) { }
        public void Display(MimeBundle bundle, string? displayId, bool update) { }
        public void FlushStreams() { }
    }

    /// <summary>The start-up warm-up compiles in its own submission chain: the user's first cell waits for it, then starts a clean session.</summary>
    [Fact]
    public async Task WarmUp_LeavesNoTraceInTheUsersSession()
    {
        var engine = new ScriptEngine(new KernelGlobals(new KernelApi(new NullSink(), MagicRegistry.CreateDefault())), Environment.CurrentDirectory);
        var warmUp = engine.StartWarmUp();
        var first = await engine.RunAsync("var x = 40;\nx + 2", default);
        Assert.True(warmUp.IsCompleted);
        Assert.True(first.Succeeded, string.Join("; ", first.Errors));
        Assert.Equal(42, first.Value);
        Assert.Equal(["x"], engine.Variables.Select(v => v.Name));
        await engine.WarmUpContinuationAsync();
        await engine.WarmUpTieringAsync(rounds: 1, cellsPerRound: 3);
        Assert.Equal(["x"], engine.Variables.Select(v => v.Name));
        var missing = await engine.RunAsync("__w", default);
        Assert.Contains(missing.Errors, e => e.Id == "CS0103");
        Assert.Equal(["var x = 40;\nx + 2"], engine.History);
    }

    [Fact]
    public void TimeMagic_FormatsUnits()
    {
        Assert.Equal("12.5 ms", TimeMagic.Format(TimeSpan.FromMilliseconds(12.5), "auto"));
        Assert.Equal("1.5 s", TimeMagic.Format(TimeSpan.FromMilliseconds(1500), "auto"));
        Assert.Equal("1500 ms", TimeMagic.Format(TimeSpan.FromMilliseconds(1500), "ms"));
    }
}
