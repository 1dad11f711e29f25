using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Notebooks;

/// <summary>
/// notebooks/10-dashboard.ipynb through the real Jupyter client (nbconvert --execute): two worker processes write a
/// study while the dashboard served by the kernel watches it; the notebook reads what the dashboard shows as they run.
/// </summary>
public sealed class DashboardNotebookTests
{
    private static string S(JsonNode? n) => n is null ? "" : n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n.GetValue<string>();

    [Fact]
    public void The_dashboard_notebook_watches_two_workers_live()
    {
        var missing = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("nbconvert", "jupyter-nbconvert"), ("nbclient", "python3-nbclient"));
        if (missing is not null) Assert.Fail(missing);
        var repo = NasNotebooks.Tests.Browser.Chromium.RepoRoot();
        var notebooks = Path.Combine(repo, "notebooks");
        foreach (var f in Directory.GetFiles(notebooks, "dashboard.db*")) File.Delete(f);
        var prefix = Path.Combine(repo, "artifacts", "test-jupyter-dashboard");
        var install = PythonJupyter.Run([PythonJupyter.KernelDll, "install", "--prefix", prefix, "--name", "nasnotebooks"], null, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        var output = Path.Combine(repo, "artifacts", "notebooks");
        Directory.CreateDirectory(output);
        var env = new Dictionary<string, string> { ["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter") };
        var run = PythonJupyter.Run(["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=900",
            "--ExecutePreprocessor.startup_timeout=120", "--ExecutePreprocessor.kernel_name=nasnotebooks", "--output-dir", output,
            Path.Combine(notebooks, "10-dashboard.ipynb")], env, TimeSpan.FromMinutes(20));
        Assert.True(run.ExitCode == 0, $"nbconvert failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        var nb = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "10-dashboard.ipynb")))!;
        var outputs = nb["cells"]!.AsArray().Where(c => S(c!["cell_type"]) == "code").SelectMany(c => c!["outputs"]!.AsArray()).Select(o => o!).ToList();
        Assert.Empty(outputs.Where(o => S(o["output_type"]) == "error").Select(o => S(o["evalue"])));
        var link = outputs.Single(o => o["data"]?["text/html"] is { } h && S(h).Contains("nas-dashboard-link", StringComparison.Ordinal));
        Assert.Matches(@"<a href=""http://127\.0\.0\.1:\d+/study\?store=dashboard\.db&amp;name=digits"" target=""_blank""", S(link["data"]!["text/html"]));
        var text = string.Concat(outputs.Where(o => S(o["output_type"]) == "stream").Select(o => S(o["text"])));
        var seen = text.Split('\n').Where(l => l.StartsWith("the dashboard shows ", StringComparison.Ordinal)).ToList();
        Assert.True(seen.Count >= 3, "the dashboard's view did not change while the workers ran:\n" + text);
        Assert.Equal(2, text.Split("finished MaxTrials: the study holds 24 trials").Length - 1);
        Assert.Contains("24 trials by worker-a and worker-b", text);
        Assert.Matches(@"best trial \d+: accuracy 0\.\d+, decisions \{""hidden"":", text);
    }
}
