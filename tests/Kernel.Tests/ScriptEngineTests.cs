using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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

    [Fact]
    public void TimeMagic_FormatsUnits()
    {
        Assert.Equal("12.5 ms", TimeMagic.Format(TimeSpan.FromMilliseconds(12.5), "auto"));
        Assert.Equal("1.5 s", TimeMagic.Format(TimeSpan.FromMilliseconds(1500), "auto"));
        Assert.Equal("1500 ms", TimeMagic.Format(TimeSpan.FromMilliseconds(1500), "ms"));
    }
}
