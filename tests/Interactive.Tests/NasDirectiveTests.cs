using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;

namespace NasNotebooks.Interactive.Tests;

/// <summary>#!nas in a hosted .NET Interactive C# kernel, loaded from the packed package: searches, displays, errors.</summary>
[Collection(InProcessCollection.Name)]
public sealed class NasDirectiveTests(NasSessionFixture session) : IClassFixture<NasSessionFixture>
{
    private InteractiveHost Host => session.Host;

    private static readonly string[] Subcommands = ["help", "search", "resume", "status", "best", "plot", "pareto", "stop", "export"];

    [Fact]
    public async Task Nas_IsADirectiveOfTheCSharpKernel_WithTheSharedSubcommandsAndOptions()
    {
        var csharp = Host.Root.FindKernelByName("csharp")!;
        var nas = Assert.IsType<KernelActionDirective>(csharp.KernelInfo.SupportedDirectives.Single(d => d.Name == "#!nas"));
        Assert.Equal(Subcommands.Order(), nas.Subcommands.Select(s => s.Name).Order());
        // Subcommands are reached through #!nas only, not listed as directives of their own.
        Assert.DoesNotContain(csharp.KernelInfo.SupportedDirectives, d => Subcommands.Contains(d.Name));
        var search = nas.Subcommands.Single(s => s.Name == "search");
        foreach (var p in new[] { "--space", "-s", "--evaluator", "-e", "--algo", "--trials", "--study", "--name", "--seed", "--parallel", "--timeout", "--early-stop", "--objectives", "--device", "--background", "--help", "-h" })
            Assert.Contains(search.Parameters, x => x.Name == p);
        Assert.True(search.Parameters.Single(x => x.Name == "--background").Flag);
        Assert.False(search.Parameters.Single(x => x.Name == "--space").Flag);
        Assert.Equal("Variable holding the search space (a symbolic space or a SpaceSpec).", search.Parameters.Single(x => x.Name == "--space").Description);
        var kind = nas.Subcommands.Single(s => s.Name == "plot").Parameters.Single(x => x.Name == "--kind");
        var completions = (await kind.GetValueCompletionsAsync()).Select(c => c.DisplayText).ToList();
        Assert.Equal(["progress", "importance", "parallel", "pareto"], completions);
    }

    [Fact]
    public async Task Help_IsTheKernelsHelpText()
    {
        var cell = await Host.SubmitAsync("#!nas help");
        cell.AssertSucceeded();
        Assert.StartsWith("#!nas - Neural architecture search: run and inspect studies from the notebook.", cell.Stdout);
        foreach (var s in Subcommands) Assert.Contains($"\n  {s} ", cell.Stdout);
        cell = await Host.SubmitAsync("#!nas plot --help");
        cell.AssertSucceeded();
        Assert.Contains("Usage: #!nas plot [options]", cell.Stdout);
        Assert.Contains("-k, --kind <progress|importance|parallel|pareto>", cell.Stdout);
    }

    [Fact]
    public async Task Search_OnAFunctionEvaluator_StoresTheStudy_ShowsLiveProgress_AndDeclaresTheResult()
    {
        var db = Path.Combine(session.Dir, "function.db");
        var cell = await Host.SubmitAsync($"#!nas search --space space --evaluator objective --algo evolution --trials 25 --study {db} --name fn --seed 3");
        cell.AssertSucceeded();
        Assert.True(File.Exists(db));

        // Live progress: one display, updated in place, last showing the finished study.
        var progress = cell.Events.OfType<DisplayedValueProduced>().First();
        Assert.StartsWith("[running] fn (evolution): 0/25 trials", cell.Text(progress, "text/plain"));
        var updates = cell.Events.OfType<DisplayedValueUpdated>().Where(u => u.ValueId == progress.ValueId).ToList();
        Assert.NotEmpty(updates);
        Assert.StartsWith("[finished] fn (evolution): 25/25 trials", cell.Text(updates[^1], "text/plain"));
        Assert.Contains("class=\"nas-progress\"", cell.Text(updates[^1], "text/html"));

        // The summary: best trials as an HTML table and the progress chart.
        var summary = cell.Events.OfType<DisplayedValueProduced>().Last();
        var html = cell.Text(summary, "text/html")!;
        Assert.Contains("<table class=\"nas-table\"><caption>Top trials</caption>", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.StartsWith("[finished] fn (evolution): 25/25 trials", cell.Text(summary, "text/plain"));

        // nasResult is a variable of the C# kernel, as in the NasNotebooks kernel.
        var count = await Host.SubmitAsync("nasResult.Trials.Count(t => t.Status == TrialStatus.Completed) + \" \" + nasResult.StudyName");
        count.AssertSucceeded();
        Assert.Equal("25 fn", count.ReturnText("text/plain"));

        // Other subcommands on the same study.
        var best = await Host.SubmitAsync("#!nas best --top 2 --name fn");
        best.AssertSucceeded();
        Assert.Contains(best.Html, h => h.Contains("fn: top 2 of 25 completed trials", StringComparison.Ordinal));
        Assert.Contains(best.Html, h => h.Contains("Best architecture", StringComparison.Ordinal));
        var status = await Host.SubmitAsync($"#!nas status --study {db}");
        status.AssertSucceeded();
        Assert.Contains(status.Displays, d => status.Text(d, "text/plain")?.Contains("study: fn, algorithm: evolution, trials: 25, completed: 25", StringComparison.Ordinal) == true);
        var export = Path.Combine(session.Dir, "fn.csv");
        var exported = await Host.SubmitAsync($"#!nas export --name fn --output {export}");
        exported.AssertSucceeded();
        Assert.Contains($"Wrote 25 trials of 'fn' to {export}.", exported.Stdout);
        Assert.Equal(26, File.ReadAllLines(export).Length);
    }

    [Nb201Fact]
    public async Task Search_OnTheNb201Table_FindsAGoodCell()
    {
        var table = FindNb201Table()!;
        (await Host.SubmitAsync($$"""
            using NasNotebooks.Runtime.Nb201;
            var table = Nb201Table.Load(@"{{table}}");
            var nb201 = Nb201Space.Create();
            Func<SymDict, double> validAccuracy = c => table.Lookup(c).ValidAccuracy;
            var top10Percent = table.Records.Select(r => r.ValidAccuracy).OrderDescending().ElementAt(table.Records.Count / 10);
            """)).AssertSucceeded();
        var db = Path.Combine(session.Dir, "nb201.db");
        var cell = await Host.SubmitAsync($"#!nas search --space nb201 --evaluator validAccuracy --algo evolution --trials 60 --study {db} --name nb201-evo --seed 1");
        cell.AssertSucceeded();
        var check = await Host.SubmitAsync("""
            var bestTrial = nasResult.Trials.MaxBy(t => t.FinalReward!.Value.Value)!;
            var bestCell = Nb201Space.Spec().Materialize(bestTrial.Dna);
            $"{nasResult.Trials.Count} {bestTrial.FinalReward!.Value.Value == table[bestTrial.Dna].ValidAccuracy} {bestTrial.FinalReward!.Value.Value >= top10Percent}"
            """);
        check.AssertSucceeded();
        Assert.Equal("60 True True", check.ReturnText("text/plain"));
    }

    [Fact]
    public async Task Charts_AreOffline_PlotlyJsFromPlotlyNetOncePerSession()
    {
        // A new session for the formatters (what a kernel restart gives).
        InteractiveHost.LoadedAssembly("NasNotebooks.Magics").GetType("NasNotebooks.Magics.PlotlyFormatter")!
            .GetMethod("ResetSession", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!.Invoke(null, null);
        var search = await Host.SubmitAsync("#!nas search --space space --evaluator objective --algo random --trials 8 --study memory: --name charts --seed 1");
        var progress = await Host.SubmitAsync("#!nas plot --name charts");
        var importance = await Host.SubmitAsync("#!nas plot --kind importance --name charts");
        var parallel = await Host.SubmitAsync("#!nas plot --kind parallel --name charts");
        foreach (var c in new[] { search, progress, importance, parallel }) c.AssertSucceeded();
        var charts = new[] { progress, importance, parallel }.Select(c => c.Html.Single()).ToList();
        Assert.All(charts, h => Assert.Contains("Plotly.newPlot", h));
        Assert.All(charts, h => Assert.True(h.Length < 20_000, "plotly.js was sent again"));
        Assert.Contains(charts, h => h.Contains("\"text\":\"Decision importance (share of reward variance)\"", StringComparison.Ordinal));
        var all = search.Html.Concat(charts).ToList();
        // No script is loaded from anywhere (plotly.js itself mentions a CDN only as the default for geo maps' topojson).
        Assert.All(all, h => Assert.DoesNotMatch("<script[^>]*\\ssrc=", h));
        Assert.All(all, h => Assert.DoesNotContain("cdn.plot.ly/plotly", h));

        // plotly.js went out once, inline with the first chart (the search summary's), and it is Plotly.NET's own copy.
        var plotlyNet = typeof(Plotly.NET.GenericChart).Assembly;
        using var resource = plotlyNet.GetManifestResourceStream(plotlyNet.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal)))!;
        var bundle = new StreamReader(resource).ReadToEnd();
        var withBundle = all.Where(h => h.Contains("* plotly.js v", StringComparison.Ordinal)).ToList();
        var sent = Assert.Single(withBundle);
        Assert.Contains(bundle[..4000], sent);
        Assert.True(sent.Length > bundle.Length);
        Assert.Contains("Top trials", sent);
    }

    [Theory]
    [InlineData("#!nas search --space nope --evaluator objective",
        "error: no variable 'nope' (--space) in this session; define it in a C# cell first; see '#!nas search --help'")]
    [InlineData("#!nas search --space space --evaluator nope",
        "error: no variable 'nope' (--evaluator) in this session; see '#!nas search --help'")]
    [InlineData("#!nas search --space space --evaluator objective --trials abc",
        "error: option --trials for '#!nas search' expects an integer, got 'abc'; see '#!nas search --help'")]
    [InlineData("#!nas search --space space --evaluator objective --timeout soon",
        "error: option --timeout for '#!nas search' expects a number, got 'soon'; see '#!nas search --help'")]
    [InlineData("#!nas search --space space --evaluator objective --trials 0",
        "error: --trials must be at least 1, got 0; see '#!nas search --help'")]
    [InlineData("#!nas search --evaluator objective",
        "error: missing required option --space for '#!nas search'; see '#!nas search --help'")]
    [InlineData("#!nas search --space space --evaluator objective --color red",
        "error: unknown option --color for '#!nas search'; see '#!nas search --help'")]
    [InlineData("#!nas serch",
        "error: unknown subcommand 'serch' for '#!nas'; see '#!nas help'")]
    [InlineData("#!nas plot --kind pie",
        "error: invalid value 'pie' for option --kind of '#!nas plot' (expected one of: progress, importance, parallel, pareto); see '#!nas plot --help'")]
    [InlineData("#!nas search --space space --evaluator objective --background=yes",
        "error: option --background for '#!nas search' is a flag and takes no value, got 'yes'; see '#!nas search --help'")]
    [InlineData("#!nas best --name no-such-study",
        "^error: unknown study 'no-such-study' for '#!nas best' \\(--name\\)\\. Known: .*\\.$")]
    [InlineData("#!nas search --space space --evaluator objective --algo foo",
        "^error: --algo foo: unknown algorithm; use one of random, grid, evolution, .*auto or a variable holding an ISearchAlgorithm; see '#!nas search --help'$")]
    [InlineData("#!nas search --space space --evaluator notAnEvaluator",
        "^error: --evaluator notAnEvaluator: .+; see '#!nas search --help'$")]
    [InlineData("#!nas search --space notASpace --evaluator objective",
        "^error: --space notASpace is not a valid search space: .+; see '#!nas search --help'$")]
    public async Task BadArguments_FailTheCell_WithOneMessageNamingTheArgument(string line, string expected)
    {
        var cell = await Host.SubmitAsync(line);
        var message = cell.SingleErrorMessage();
        if (expected.StartsWith('^')) Assert.Matches(expected, message);
        else Assert.Equal(expected, message);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task BadStudyPaths_FailTheCell_NamingTheStore()
    {
        var cell = await Host.SubmitAsync($"#!nas search --space space --evaluator objective --study {session.NotAStore}");
        Assert.Matches($"^error: --study {Regex(session.NotAStore)}: '{Regex(session.NotAStore)}' is not a NasNotebooks study store: .+; see '#!nas search --help'$", cell.SingleErrorMessage());
        var underAFile = Path.Combine(session.NotAStore, "runs.db");
        cell = await Host.SubmitAsync($"#!nas search --space space --evaluator objective --study {underAFile}");
        Assert.Matches($"^error: --study {Regex(underAFile)}: .+; see '#!nas search --help'$", cell.SingleErrorMessage());
        cell = await Host.SubmitAsync($"#!nas status --study {session.NotAStore}");
        Assert.Matches($"^error: --study {Regex(session.NotAStore)}: .+; see '#!nas status --help'$", cell.SingleErrorMessage());
    }

    [Fact]
    public async Task AnotherCSharpKernel_GetsNas_OnItsOwnVariables()
    {
        using var host = await InteractiveHost.StartAsync(true, new CSharpKernel("csharp"), new CSharpKernel("csharp2"));
        (await host.SubmitAsync("#!csharp2\nusing NasNotebooks.Dsl;\nvar other = Space.Dict().OneOf(\"a\", 1, 2, 3).Build();\nFunc<SymDict, double> f = c => (int)c[\"a\"]!;")).AssertSucceeded();
        var cell = await host.SubmitAsync("#!csharp2\n#!nas search --space other --evaluator f --algo grid --trials 3 --study memory: --name second-kernel");
        cell.AssertSucceeded();
        Assert.Contains(cell.Displays, d => cell.Text(d, "text/plain")?.StartsWith("[finished] second-kernel (grid): 3/3 trials", StringComparison.Ordinal) == true);
        // The variable lives in the kernel the cell ran in.
        Assert.Equal("error: no variable 'other' (--space) in this session; define it in a C# cell first; see '#!nas search --help'",
            (await host.SubmitAsync("#!csharp\n#!nas search --space other --evaluator f")).SingleErrorMessage());
    }

    /// <summary>
    /// dotnet-interactive parses a directive before its handler runs: an option after a word that is not a subcommand is
    /// an undeclared parameter of #!nas itself, which its parser reports (still one message, naming the argument).
    /// </summary>
    [Fact]
    public async Task AnOptionAfterAnUnknownSubcommand_IsReportedByDotnetInteractivesParser()
    {
        var cell = await Host.SubmitAsync("#!nas serch --space space");
        Assert.Equal("(1,13): error DNI103: Unrecognized parameter name '--space'", cell.SingleErrorMessage());
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    /// <summary>A fact skipped, with the reason shown, when the NB201 table is absent (users of the project do not have it).</summary>
    public sealed class Nb201FactAttribute : FactAttribute
    {
        public Nb201FactAttribute()
        {
            if (FindNb201Table() is null) Skip = "NB201 table not found (looked for <repo>/../shared/data/nb201-cifar10.csv and $NASNB_DATA); skipping.";
        }
    }

    internal static string? FindNb201Table()
    {
        if (Environment.GetEnvironmentVariable("NASNB_DATA") is { Length: > 0 } env)
        {
            var p = Directory.Exists(env) ? Path.Combine(env, "nb201-cifar10.csv") : env;
            if (File.Exists(p)) return p;
        }
        var shared = Path.GetFullPath(Path.Combine(Processes.RepoRoot, "..", "shared", "data", "nb201-cifar10.csv"));
        return File.Exists(shared) ? shared : null;
    }
}
