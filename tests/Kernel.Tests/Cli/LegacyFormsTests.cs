using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Cli;

/// <summary>
/// What users of the former `nasnotebooks-kernel` tool already have keeps working: kernelspecs it wrote (their argv
/// runs nasnotebooks-kernel.dll with `run --connection-file {connection_file}`, or the bare connection file) start
/// the kernel through the real jupyter_client, and its top-level `install`, `list`, `uninstall` still answer.
/// </summary>
public sealed class LegacyFormsTests : IDisposable
{
    private readonly string _dir = PythonJupyter.NewTempDir("nasnb-legacy");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Kernels => Path.Combine(_dir, "share", "jupyter", "kernels");

    private void WriteSpec(string name, params string[] argv)
    {
        Directory.CreateDirectory(Path.Combine(Kernels, name));
        var json = new JsonObject
        {
            ["argv"] = new JsonArray(argv.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["display_name"] = "C# (NasNotebooks)",
            ["language"] = "C#",
            ["interrupt_mode"] = "message",
        };
        File.WriteAllText(Path.Combine(Kernels, name, "kernel.json"), json.ToJsonString());
    }

    [Theory]
    [InlineData("run-form", new[] { "run", "--connection-file", "{connection_file}" })]
    [InlineData("bare-form", new[] { "{connection_file}" })]
    public void A_kernelspec_written_by_nasnotebooks_kernel_still_starts_the_kernel(string name, string[] tail)
    {
        var missing = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"));
        if (missing is not null) Assert.Fail(missing);
        WriteSpec(name, [PythonJupyter.Dotnet, PythonJupyter.KernelDll, .. tail]);
        var env = new Dictionary<string, string>
        {
            ["JUPYTER_PATH"] = Path.Combine(_dir, "share", "jupyter"),
            ["JUPYTER_RUNTIME_DIR"] = Path.Combine(_dir, "runtime"),
        };
        var r = PythonJupyter.Run([PythonJupyter.ClientScript("run_cell.py"), name, "var x = 20; x * 2 + 2"], env, TimeSpan.FromMinutes(4));
        Assert.True(r.ExitCode == 0, $"{r.Stdout}\n{r.Stderr}");
        var result = JsonNode.Parse(r.Stdout.Trim().Split('\n')[^1])!;
        Assert.Equal(("ok", "42"), (result["status"]!.GetValue<string>(), result["text"]?.GetValue<string>()));
    }

    [Fact]
    public void The_old_top_level_commands_still_work_and_list_names_broken_specs()
    {
        static PythonJupyterResult Old(params string[] args)
        {
            var (code, stdout, stderr) = PythonJupyter.Run([PythonJupyter.KernelDll, .. args], null, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
            return new(code, stdout, stderr);
        }
        var install = Old("install", "--prefix", _dir, "--name", "old-install");
        Assert.True(install.Code == 0, install.Err);
        var argv = JsonNode.Parse(File.ReadAllText(Path.Combine(Kernels, "old-install", "kernel.json")))!["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal(["kernel", "run", "-f", "{connection_file}"], argv[2..]); // an install writes the new form

        // A spec of this kernel whose dll is gone (an uninstalled tool version) is listed as broken, with the repair.
        var gone = Path.Combine(_dir, "old-tool", "nasnotebooks-kernel.dll");
        WriteSpec("stale", PythonJupyter.Dotnet, gone, "run", "--connection-file", "{connection_file}");
        WriteSpec("python3", "python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"); // not ours: not listed
        var list = Old("list", "--prefix", _dir);
        Assert.Equal(0, list.Code);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(_dir, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("old-install ", lines[0]);
        Assert.DoesNotContain("broken", lines[0]);
        Assert.StartsWith("stale ", lines[1]);
        Assert.EndsWith($"(broken: {gone} no longer exists; run 'nasnotebooks kernel install --name stale' again)", lines[1].TrimEnd());

        Assert.Equal(0, Old("uninstall", "--prefix", _dir, "--name", "old-install").Code);
        Assert.False(Directory.Exists(Path.Combine(Kernels, "old-install")));
    }

    private sealed record PythonJupyterResult(int Code, string Out, string Err);
}
