using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests;

/// <summary>Executes a notebook with Debian's nbconvert (`python3 -m nbconvert --execute`) on this kernel.</summary>
public sealed class NbconvertTests
{
    [Fact]
    public void Nbconvert_ExecutesNotebook_WithoutErrors_AndWithHtmlTable()
    {
        var missing = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("nbconvert", "jupyter-nbconvert"), ("nbclient", "python3-nbclient"));
        if (missing is not null)
        {
            Assert.Fail(missing);
        }
        var dir = PythonJupyter.NewTempDir("nasnb-nbconvert");
        try
        {
            var prefix = Path.Combine(dir, "prefix");
            var install = PythonJupyter.Run([PythonJupyter.KernelDll, "kernel", "install", "--prefix", prefix, "--name", "nasnb-nbconvert"], null, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
            Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
            static JsonObject Cell(string source) => new()
            {
                ["cell_type"] = "code",
                ["execution_count"] = null,
                ["metadata"] = new JsonObject(),
                ["outputs"] = new JsonArray(),
                ["source"] = source,
            };
            var nb = new JsonObject
            {
                ["nbformat"] = 4,
                ["nbformat_minor"] = 5,
                ["metadata"] = new JsonObject
                {
                    ["kernelspec"] = new JsonObject { ["name"] = "nasnb-nbconvert", ["display_name"] = "C# (NasNotebooks)", ["language"] = "C#" },
                    ["language_info"] = new JsonObject { ["name"] = "C#" },
                },
                ["cells"] = new JsonArray(
                    Cell("var rows = Enumerable.Range(1, 3).Select(i => new { Id = i, Square = i * i }).ToList();"),
                    Cell("rows"),
                    Cell("#!time\nConsole.WriteLine($\"sum = {rows.Sum(r => r.Square)}\");")),
            };
            var input = Path.Combine(dir, "test.ipynb");
            File.WriteAllText(input, nb.ToJsonString());
            var env = new Dictionary<string, string>
            {
                ["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter"),
                ["JUPYTER_RUNTIME_DIR"] = Path.Combine(dir, "runtime"),
            };
            var run = PythonJupyter.Run(["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=180",
                "--ExecutePreprocessor.startup_timeout=120", "--output", "executed.ipynb", input], env, TimeSpan.FromMinutes(6));
            Assert.True(run.ExitCode == 0, $"nbconvert failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
            var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "executed.ipynb")))!;
            var outputs = executed["cells"]!.AsArray().SelectMany(c => c!["outputs"]!.AsArray()).ToList();
            Assert.DoesNotContain(outputs, o => o!["output_type"]!.GetValue<string>() == "error");
            Assert.Contains(outputs, o => o!["data"]?["text/html"] is { } html && string.Concat(Lines(html)).Contains("<table", StringComparison.Ordinal));
            Assert.Contains(outputs, o => o!["output_type"]!.GetValue<string>() == "stream" && string.Concat(Lines(o["text"]!)).Contains("sum = 14", StringComparison.Ordinal));
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>nbformat stores multi-line strings either as a string or as a list of lines.</summary>
    private static IEnumerable<string> Lines(JsonNode node) =>
        node is JsonArray a ? a.Select(x => x!.GetValue<string>()) : [node.GetValue<string>()];
}
