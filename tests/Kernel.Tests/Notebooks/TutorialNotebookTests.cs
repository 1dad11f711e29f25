using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Notebooks;

/// <summary>
/// Executes every tutorial in notebooks/ with the real Jupyter client (`jupyter nbconvert --execute`) against
/// this kernel, fails on any error output, checks each tutorial's key outputs, and leaves the executed copy
/// and an HTML export in artifacts/notebooks/.
/// </summary>
public sealed class TutorialNotebookTests
{
    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NasNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NasNotebooks.sln not found above " + AppContext.BaseDirectory);
    });

    private static readonly Lazy<string> JupyterPath = new(() =>
    {
        var prefix = Path.Combine(RepoRoot.Value, "artifacts", "test-jupyter");
        var install = PythonJupyter.Run([PythonJupyter.KernelDll, "kernel", "install", "--prefix", prefix, "--name", "nasnotebooks"], null, TimeSpan.FromMinutes(2), "dotnet");
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        return Path.Combine(prefix, "share", "jupyter");
    });

    /// <summary>Runs a notebook and returns its executed JSON.</summary>
    private static JsonNode Execute(string name)
    {
        var missing = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("nbconvert", "jupyter-nbconvert"), ("nbclient", "python3-nbclient"));
        if (missing is not null) Assert.Fail(missing);
        var notebooks = Path.Combine(RepoRoot.Value, "notebooks");
        foreach (var f in Directory.GetFiles(notebooks, "*.db*")) File.Delete(f);
        var output = Path.Combine(RepoRoot.Value, "artifacts", "notebooks");
        Directory.CreateDirectory(output);
        var env = new Dictionary<string, string> { ["JUPYTER_PATH"] = JupyterPath.Value };
        var run = PythonJupyter.Run(["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=900",
            "--ExecutePreprocessor.startup_timeout=120", "--ExecutePreprocessor.kernel_name=nasnotebooks", "--output-dir", output,
            Path.Combine(notebooks, name)], env, TimeSpan.FromMinutes(20));
        Assert.True(run.ExitCode == 0, $"nbconvert failed on {name} ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        var executedPath = Path.Combine(output, name);
        var htmlPath = Path.Combine(output, Path.ChangeExtension(name, ".html"));
        File.Delete(htmlPath);
        var html = PythonJupyter.Run(["-m", "nbconvert", "--to", "html", "--output-dir", output, executedPath], env, TimeSpan.FromMinutes(2));
        Assert.True(html.ExitCode == 0, $"the HTML export of {name} failed ({html.ExitCode}):\n{html.Stdout}\n{html.Stderr}");
        Assert.True(File.Exists(htmlPath) && new FileInfo(htmlPath).Length > 0, $"the HTML export of {name} wrote no {htmlPath}");
        var executed = JsonNode.Parse(File.ReadAllText(executedPath))!;
        var errors = Outputs(executed).Where(o => S(o["output_type"]) == "error").Select(o => $"{S(o["ename"])}: {S(o["evalue"])}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return executed;
    }

    private static IEnumerable<JsonNode> Outputs(JsonNode nb) =>
        nb["cells"]!.AsArray().Where(c => S(c!["cell_type"]) == "code").SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!);

    private static string S(JsonNode? n) => n is null ? "" : n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n.GetValue<string>();

    private static IEnumerable<string> Texts(JsonNode nb, string mime) => Outputs(nb).Select(o => o["data"]?[mime] is { } d ? S(d) : null).OfType<string>();

    private static IEnumerable<string> Streams(JsonNode nb) => Outputs(nb).Where(o => S(o["output_type"]) == "stream").Select(o => S(o["text"]));

    [Fact]
    public void Quickstart_HasAResultsTable_AndPlotlyCharts()
    {
        var nb = Execute("01-quickstart.ipynb");
        Assert.Contains(Texts(nb, "text/html"), h => h.Contains("<table class=\"nas-table\"", StringComparison.Ordinal) && h.Contains("Top trials", StringComparison.Ordinal));
        Assert.True(Outputs(nb).Count(o => o["data"]?["application/vnd.plotly.v1+json"] is not null) >= 3);
        Assert.Contains(Streams(nb), s => s.Contains("best trial", StringComparison.Ordinal));
    }

    [Fact]
    public void Nb201_ListsEachAlgorithmsMeanTestAccuracy()
    {
        var nb = Execute("03-algorithms-on-nasbench201.ipynb");
        var table = Texts(nb, "text/html").Single(h => h.Contains("mean_test_accuracy", StringComparison.Ordinal));
        foreach (var algo in new[] { "random", "evolution", "tpe", "ppo", "bananas" }) Assert.Contains($"<td>{algo}</td>", table);
        Assert.Contains(Outputs(nb), o => o["data"]?["application/vnd.plotly.v1+json"] is not null);
    }

    [Fact]
    public void Digits_ReachesOver90PercentTestAccuracy()
    {
        var nb = Execute("04-train-real-networks.ipynb");
        var line = Streams(nb).Single(s => s.StartsWith("best test accuracy", StringComparison.Ordinal));
        var percent = double.Parse(line.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(percent > 90, line);
        // ASHA (--early-stop asha) stopped some of the 12 trials, and those trained fewer of the 3 epochs.
        var text = string.Concat(Streams(nb));
        var stopped = System.Text.RegularExpressions.Regex.Match(text, @"(\d+) trials stopped early by ASHA");
        Assert.True(stopped.Success, text);
        Assert.InRange(int.Parse(stopped.Groups[1].Value), 1, 11);
        var epochs = System.Text.RegularExpressions.Regex.Match(text, @"epochs trained: at most (\d+) by a stopped trial, (\d+) to (\d+) by a completed one");
        Assert.True(epochs.Success, text);
        Assert.True(int.Parse(epochs.Groups[1].Value) < 3, epochs.Value);
        Assert.Equal(("3", "3"), (epochs.Groups[2].Value, epochs.Groups[3].Value));
    }

    [Fact]
    public void MultiObjective_ShowsTheParetoFront()
    {
        var nb = Execute("06-multi-objective.ipynb");
        Assert.Contains(Texts(nb, "text/html"), h => h.Contains("Pareto front", StringComparison.Ordinal) && h.Contains("<table", StringComparison.Ordinal));
        Assert.Contains(Outputs(nb), o => o["data"]?["application/vnd.plotly.v1+json"]?["layout"]?["title"]?["text"] is { } t && S(t) == "Pareto front");
    }

    [Fact]
    public void SymbolicModels_GenerateSpacesInCells_AndRoundTrip()
    {
        var nb = Execute("02-symbolic-models.ipynb");
        var text = string.Concat(Streams(nb));
        Assert.Contains("materialize(encode(net)) gives the same DNA: True", text);
        Assert.Contains("diff: Blocks[0].Channels:", text);
        Assert.Contains("rejected: Cannot rebind 'Blocks[0].Channels'", text);
        Assert.Contains("JSON round trip equal: True", text);
    }

    [Fact]
    public void FSharpAndCSharp_ShareTheSpace_SearchAndPlot()
    {
        var nb = Execute("08-fsharp-and-csharp.ipynb");
        var text = string.Concat(Streams(nb));
        Assert.Contains("C# sees the F# space (3 keys)", text);
        Assert.Contains("best reward", text);
        Assert.Contains(Outputs(nb), o => o["data"]?["application/vnd.plotly.v1+json"] is not null);
        Assert.Contains(Texts(nb, "text/markdown"), m => m.Contains("**F#**", StringComparison.Ordinal));
    }

    [Fact]
    public void Distributed_TwoWorkerProcesses_ShareOneSqliteStudy()
    {
        var nb = Execute("07-distributed.ipynb");
        var text = string.Concat(Streams(nb));
        Assert.Equal(2, text.Split("finished MaxTrials: the study holds 8 trials").Length - 1);
        var table = Texts(nb, "text/html").Last(h => h.Contains("worker-a", StringComparison.Ordinal));
        Assert.Contains("worker-b", table);
        for (int id = 1; id <= 8; id++) Assert.Contains($"<td>{id}</td>", table);
    }

    [Fact]
    public void WeightSharing_SposSearchAndDarts_GiveNb201Cells()
    {
        var nb = Execute("05-weight-sharing.ipynb");
        var text = string.Concat(Streams(nb));
        Assert.Contains("60 sub-networks scored with inherited weights", text);
        Assert.Matches(@"best: \|\w+~0\|\+\|\w+~0\|\w+~1\|\+\|\w+~0\|\w+~1\|\w+~2\|", text);
        Assert.Contains("stand-alone test accuracy of the SPOS pick", text);
        Assert.Contains("DARTS cell: |", text);
        Assert.Contains(Texts(nb, "text/html"), h => h.Contains("nor_conv_3x3", StringComparison.Ordinal) && h.Contains("<table", StringComparison.Ordinal));
    }
}
