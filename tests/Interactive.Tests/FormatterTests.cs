using System.Diagnostics;
using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;

namespace NasNotebooks.Interactive.Tests;

/// <summary>What .NET Interactive shows for the DSL and result types once the package is loaded.</summary>
[Collection(InProcessCollection.Name)]
public sealed class FormatterTests(NasSessionFixture session) : IClassFixture<NasSessionFixture>
{
    private InteractiveHost Host => session.Host;

    private async Task<(string Html, string Text)> ShowAsync(string expression)
    {
        var cell = await Host.SubmitAsync(expression);
        cell.AssertSucceeded();
        return (cell.ReturnText("text/html") ?? "", cell.ReturnText("text/plain") ?? "");
    }

    [Fact]
    public async Task SpaceSpec_IsACompactTable()
    {
        var (html, text) = await ShowAsync("Space.Spec(space)");
        Assert.StartsWith("<div><b>Search space</b>: 2 decisions, 32 points</div><table class=\"nas-table\">", html);
        Assert.Contains("<td><code>x</code></td><td></td><td>choice of 8</td><td>0, 1, 2, 3, 4, 5, 6, 7</td>", html);
        Assert.True(html.Length < 2_000, $"{html.Length} characters of HTML for two decisions");
        Assert.Equal("Search space: 2 decisions, 32 points\n  x: choice of 8 0, 1, 2, 3, 4, 5, 6, 7\n  y: choice of 4 0, 1, 2, 3\n", text.Replace("\r\n", "\n"));

        // The NB201 space: 6 decisions, compact (the default formatter's tree was about 128 KB).
        (html, _) = await ShowAsync("Space.Spec(NasNotebooks.Runtime.Nb201.Nb201Space.Create())");
        Assert.Contains("6 decisions, 15,625 points", html);
        Assert.True(html.Length < 3_000, $"{html.Length} characters");
    }

    [Fact]
    public async Task Dna_ShowsItsLiteral_WithoutReadingThrowingAccessors()
    {
        var (html, text) = await ShowAsync("Dna.Parse(\"[(1, 0.5), 2, 'conv']\")");
        Assert.Equal("Dna([(1,0.5),2,'conv'])", text);
        Assert.DoesNotContain("Exception", html + text);
    }

    [Fact]
    public async Task SymbolicValues_Results_Trials_Reports_AndCharts_HaveHtmlAndText()
    {
        (await Host.SubmitAsync("#!nas search --space space --evaluator objective --algo random --trials 6 --study memory: --name formats --seed 4")).AssertSucceeded();
        var (html, text) = await ShowAsync("(SymDict)Space.Spec(space).Materialize(Dna.Parse(\"[5,2]\"))");
        Assert.Equal("<pre>{x: 5, y: 2}</pre>", html);
        Assert.Equal("{x: 5, y: 2}", text);

        (html, text) = await ShowAsync("nasResult");
        Assert.StartsWith("<div>Study &#39;formats&#39;: 6 trials, 6 completed, ended by MaxTrials after", html);
        Assert.Contains("<table class=\"nas-table\"><caption>Top trials</caption>", html);
        Assert.StartsWith("Study 'formats': 6 trials, 6 completed, ended by MaxTrials after", text);

        (html, text) = await ShowAsync("nasResult.Trials[0]");
        Assert.StartsWith("<table class=\"nas-table\">", html);
        Assert.StartsWith("trial  status     reward", text);

        (html, text) = await ShowAsync("new NasNotebooks.Runtime.Reporting.StudyReport(nasResult.Trials)");
        Assert.Contains("<caption>Top 6 of 6 completed trials</caption>", html);
        Assert.StartsWith("Top 6 of 6 completed trials", text);

        (html, text) = await ShowAsync("new NasNotebooks.Runtime.Reporting.StudyReport(nasResult.Trials).ProgressChart(\"formats\")");
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("cdn.", html);
        Assert.Equal("Plotly chart: formats (2 traces)", text);
    }

    /// <summary>
    /// Formatters that walk properties (.NET Interactive's defaults for types without a formatter, debuggers) read every
    /// public property: none of the DSL and runtime values may throw there.
    /// </summary>
    [Fact]
    public async Task PublicProperties_DoNotThrow_AndDefaultFormattingShowsNoException()
    {
        (await Host.SubmitAsync("#!nas search --space space --evaluator objective --algo random --trials 4 --study memory: --name audit --seed 5")).AssertSucceeded();
        (await Host.SubmitAsync("""
            using NasNotebooks.Runtime.Reporting;
            var auditSpec = Space.Spec(Space.Dict().OneOf("a", 1, Space.Dict().Float("b", 0, 1).Build()).Int("c", 1, 4).Build());
            var samples = new List<object?>
            {
                Dna.Parse("[0]"), Dna.Parse("0.5"), Dna.Parse("'custom'"), Dna.Empty, Dna.Parse("[(1, 0.25), 2]"),
                auditSpec, auditSpec.Random(new Random(1)), NasNotebooks.Dsl.KeyPath.Parse("a.b[0]"), NasNotebooks.Dsl.KeyPath.Root,
                default(Reward), new Reward(1, 2), nasResult, nasResult.Trials[0], nasResult.Trials[0].Measurements.FirstOrDefault(),
                new StudyReport(nasResult.Trials), new StudyReport(nasResult.Trials).ProgressChart(), Space.Spec(space).Materialize(Dna.Parse("[1,1]")),
                new SearchOptions(),
            };
            samples.AddRange(auditSpec.DecisionPoints);
            """)).AssertSucceeded();
        var csharp = (CSharpKernel)Host.Root.FindKernelByName("csharp")!;
        Assert.True(csharp.TryGetValue<List<object?>>("samples", out var samples));
        var magics = InteractiveHost.LoadedAssembly("NasNotebooks.Magics");
        var studies = (System.Collections.IEnumerable)magics.GetType("NasNotebooks.Magics.Nas.NasStudies")!.GetProperty("All")!.GetValue(null)!;
        samples.AddRange(studies.Cast<object>());
        var failures = new List<string>();
        foreach (var sample in samples.OfType<object>())
        {
            foreach (var p in sample.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.GetIndexParameters().Length > 0 || p.GetCustomAttribute<DebuggerBrowsableAttribute>()?.State == DebuggerBrowsableState.Never) continue;
                try { p.GetValue(sample); }
                catch (TargetInvocationException e) { failures.Add($"{sample.GetType().Name}.{p.Name}: {e.InnerException?.Message}"); }
            }
            foreach (var mime in new[] { "text/plain", "text/html" })
            {
                var shown = InteractiveHost.Format(sample, mime);
                // A throwing property shows up as e.g. "InvalidOperationException: DNA '1' is not a float."
                if (System.Text.RegularExpressions.Regex.IsMatch(shown, "[A-Za-z]Exception\\b")) failures.Add($"{sample.GetType().Name} as {mime}: {shown[..Math.Min(300, shown.Length)]}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(samples.Count > 20);
    }
}
