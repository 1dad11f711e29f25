using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests;

/// <summary>Runs client/kernel_driver.py once (all scenarios against one kernel) and exposes its JSON.</summary>
public class KernelDriverFixture : IDisposable
{
    private readonly string _work;

    public KernelDriverFixture() : this("all")
    {
    }

    /// <summary>Runs only the named scenarios (comma-separated; "all" is every default scenario).</summary>
    protected KernelDriverFixture(string scenarios)
    {
        _work = PythonJupyter.NewTempDir("nasnb-kernel-tests");
        SetupError = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("zmq", "python3-zmq"));
        if (SetupError is not null)
        {
            return;
        }
        var output = Path.Combine(_work, "result.json");
        var (code, stdout, stderr) = PythonJupyter.Run(
            [PythonJupyter.ClientScript("kernel_driver.py"), "--kernel-dll", PythonJupyter.KernelDll, "--work", Path.Combine(_work, "work"), "--out", output, "--dotnet", PythonJupyter.Dotnet, "--scenarios", scenarios],
            null, TimeSpan.FromMinutes(8));
        DriverLog = $"exit {code}\nstdout:\n{stdout}\nstderr (last 4000 chars):\n{(stderr.Length > 4000 ? stderr[^4000..] : stderr)}";
        if (!File.Exists(output))
        {
            SetupError = "kernel_driver.py wrote no result.\n" + DriverLog;
            return;
        }
        Result = JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        if (Result["fatal"] is { } fatal)
        {
            SetupError = "kernel_driver.py failed before the scenarios:\n" + fatal + "\n" + DriverLog;
        }
    }

    public string? SetupError { get; }

    public string DriverLog { get; } = "";

    public JsonObject? Result { get; }

    /// <summary>The data a scenario recorded; fails the test with the driver's traceback when it raised.</summary>
    public JsonNode Scenario(string name)
    {
        if (SetupError is not null)
        {
            Assert.Fail(SetupError);
        }
        var s = Result!["scenarios"]?[name];
        if (s is null)
        {
            Assert.Fail($"scenario '{name}' did not run (an earlier scenario may have killed the kernel).\n{DriverLog}");
        }
        if (s["ok"]?.GetValue<bool>() != true)
        {
            Assert.Fail($"scenario '{name}' raised:\n{s["error"]}\n{DriverLog}");
        }
        return s["data"]!;
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
