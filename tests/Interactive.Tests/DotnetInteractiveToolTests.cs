using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NasNotebooks.Interactive.Tests;

/// <summary>
/// End to end through the real tool: installs Microsoft.dotnet-interactive 1.0.712001 from NuGet into a temporary tool
/// path, registers its Jupyter kernelspecs in a temporary Jupyter path, packs NasNotebooks into a temporary folder and
/// executes notebooks/09-dotnet-interactive.ipynb with <c>jupyter nbconvert --execute</c> on the <c>.net-csharp</c>
/// kernel (its F# cells run <c>#!nas</c> in dotnet-interactive's F# kernel). Fails, not skips, when the tool cannot
/// be installed.
/// </summary>
public sealed class DotnetInteractiveToolTests : IDisposable
{
    private const string ToolVersion = "1.0.712001";
    private readonly string _dir = Processes.NewTempDir("nas-dotnet-interactive");

    public void Dispose() => Processes.DeleteQuietly(_dir);

    [Fact]
    public void Notebook09_RunsInDotnetInteractive_WithHtmlTablesOfflineCharts_AndNasFromFSharp()
    {
        var clock = Stopwatch.StartNew();
        // The tool, from NuGet (no other network).
        var tools = Path.Combine(_dir, "tools");
        var install = Processes.Run("dotnet", ["tool", "install", "--tool-path", tools, "Microsoft.dotnet-interactive", "--version", ToolVersion], TimeSpan.FromMinutes(8));
        Assert.True(install.ExitCode == 0, $"could not install Microsoft.dotnet-interactive {ToolVersion} from NuGet: {install}");
        var installed = clock.Elapsed;

        // Its kernelspecs in a Jupyter path of our own; their argv is `dotnet interactive ...`, so the tool folder goes on PATH.
        var jupyter = Path.Combine(_dir, "jupyter");
        var kernels = Directory.CreateDirectory(Path.Combine(jupyter, "kernels")).FullName;
        var path = tools + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var spec = Processes.Run(Path.Combine(tools, "dotnet-interactive"), ["jupyter", "install", "--path", kernels], TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["PATH"] = path });
        Assert.True(spec.ExitCode == 0, $"dotnet-interactive jupyter install failed: {spec}");
        Assert.True(File.Exists(Path.Combine(kernels, ".net-csharp", "kernel.json")), spec.ToString());

        // The package, under a version of its own so that no NuGet cache can serve an older build; the notebook finds
        // it in ../artifacts/packages, as in the repository.
        var version = "0.1.0-e2e." + Guid.NewGuid().ToString("N")[..10];
        var packages = Path.Combine(_dir, "artifacts", "packages");
        var pack = Processes.Run("dotnet", ["pack", Path.Combine(Processes.RepoRoot, "pack", "NasNotebooks"), "-c", Processes.Configuration, "--no-build", "-o", packages, $"-p:Version={version}"], TimeSpan.FromMinutes(5));
        Assert.True(pack.ExitCode == 0, $"dotnet pack failed: {pack}");
        var notebooks = Directory.CreateDirectory(Path.Combine(_dir, "notebooks")).FullName;
        var source = File.ReadAllText(Path.Combine(Processes.RepoRoot, "notebooks", "09-dotnet-interactive.ipynb"));
        Assert.Equal(2, Regex.Matches(source, "nuget: NasNotebooks, 0\\.1\\.0\\\\\"").Count);
        var notebook = Path.Combine(notebooks, "09-dotnet-interactive.ipynb");
        File.WriteAllText(notebook, source.Replace("nuget: NasNotebooks, 0.1.0\\\"", $"nuget: NasNotebooks, {version}\\\"", StringComparison.Ordinal));

        // Packages restored by the kernel go to a folder of this test; the usual cache serves their dependencies.
        var env = new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["JUPYTER_PATH"] = jupyter,
            ["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget"),
            ["NUGET_FALLBACK_PACKAGES"] = GlobalPackagesFolder(),
        };
        var executed = Path.Combine(notebooks, "executed.ipynb");
        var run = Processes.Run(Processes.Python, ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
            "--ExecutePreprocessor.startup_timeout=180", "--ExecutePreprocessor.kernel_name=.net-csharp", "--output", executed, notebook],
            TimeSpan.FromMinutes(15), env, notebooks);
        Assert.True(run.ExitCode == 0, $"nbconvert failed on notebook 09: {run}");
        Console.WriteLine($"notebook 09 through dotnet-interactive {ToolVersion}: tool install {installed.TotalSeconds:0} s, total {clock.Elapsed.TotalSeconds:0} s");
        var output = Directory.CreateDirectory(Path.Combine(Processes.RepoRoot, "artifacts", "notebooks")).FullName;
        File.Copy(executed, Path.Combine(output, "09-dotnet-interactive.ipynb"), overwrite: true);

        var nb = JsonNode.Parse(File.ReadAllText(executed))!;
        var cells = nb["cells"]!.AsArray().Where(c => S(c!["cell_type"]) == "code").ToList();
        var outputs = cells.SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!).ToList();
        var errors = outputs.Where(o => S(o["output_type"]) == "error" || (S(o["output_type"]) == "stream" && S(o["name"]) == "stderr")).Select(o => o.ToJsonString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        string[] Html(JsonNode cell) => cell["outputs"]!.AsArray().Select(o => S(o!["data"]?["text/html"])).Where(h => h.Length > 0).ToArray();
        string[] Text(JsonNode cell) => cell["outputs"]!.AsArray().Select(o => S(o!["data"]?["text/plain"])).Where(h => h.Length > 0).ToArray();
        JsonNode Cell(string start) => cells.Single(c => S(c!["source"]).StartsWith(start, StringComparison.Ordinal))!;

        Assert.Contains(Text(Cell("#r \"nuget: NasNotebooks")), t => t.Contains("/interactive-extensions/dotnet/NasNotebooks.Interactive.dll", StringComparison.Ordinal));
        Assert.Contains(Html(Cell("using NasNotebooks.Dsl;")), h => h.StartsWith("<div><b>Search space</b>: 4 decisions, infinite points</div><table class=\"nas-table\">", StringComparison.Ordinal));
        var search = Cell("#!nas search --space space");
        Assert.Contains(Text(search), t => t.StartsWith("[finished] space-tpe (tpe): 40/40 trials", StringComparison.Ordinal));
        Assert.Contains(Html(search), h => h.Contains("<caption>Top trials</caption>", StringComparison.Ordinal) && h.Contains("Plotly.newPlot", StringComparison.Ordinal));
        Assert.Contains(Html(Cell("#!nas best")), h => h.Contains("space-tpe: top 3 of 40 completed trials", StringComparison.Ordinal));
        Assert.Contains(Html(Cell("#!nas plot --kind importance")), h => h.Contains("Plotly.newPlot", StringComparison.Ordinal) && h.Contains("Decision importance", StringComparison.Ordinal));
        Assert.Contains(Html(Cell("#!nas plot --kind parallel")), h => h.Contains("Plotly.newPlot", StringComparison.Ordinal));
        Assert.Contains(Html(Cell("nasResult.Trials")), h => h.Contains("<pre>40</pre>", StringComparison.Ordinal));
        Assert.Contains(Text(Cell("#!fsharp\n#!nas search")), t => t.StartsWith("[finished] fsharp-study (random): 15/15 trials", StringComparison.Ordinal));

        // Charts are offline: plotly.js is inlined once for the whole session, no script is loaded from elsewhere
        // (plotly.js itself names a CDN only as the default source of geo maps' topojson).
        var html = outputs.Select(o => S(o["data"]?["text/html"])).Where(h => h.Contains("Plotly.newPlot", StringComparison.Ordinal)).ToList();
        Assert.True(html.Count >= 4, $"{html.Count} chart outputs");
        Assert.Single(html, h => h.Contains("* plotly.js v", StringComparison.Ordinal));
        Assert.DoesNotContain(html, h => h.Contains("cdn.plot.ly/plotly", StringComparison.Ordinal) || Regex.IsMatch(h, "<script[^>]*\\ssrc="));
    }

    private static string S(JsonNode? n) => n switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => x!.GetValue<string>())),
        _ => n.GetValue<string>(),
    };

    private static string GlobalPackagesFolder()
    {
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured) return configured;
        var r = Processes.Run("dotnet", ["nuget", "locals", "global-packages", "--list"], TimeSpan.FromMinutes(1));
        var line = r.Stdout.Split('\n').FirstOrDefault(l => l.Contains("global-packages:", StringComparison.Ordinal));
        return line is null ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") : line[(line.IndexOf(':') + 1)..].Trim();
    }
}
