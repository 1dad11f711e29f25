using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Interruption;

/// <summary>Runs client/interrupt_driver.py once (every case against one kernel, through jupyter_client) and exposes its JSON.</summary>
public sealed class InterruptDriverFixture : IDisposable
{
    private readonly string _work;

    public InterruptDriverFixture()
    {
        _work = PythonJupyter.NewTempDir("nasnb-interrupt-tests");
        SetupError = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("zmq", "python3-zmq"));
        if (SetupError is not null)
        {
            return;
        }
        var output = Path.Combine(_work, "result.json");
        var (code, stdout, stderr) = PythonJupyter.Run(
            [PythonJupyter.ClientScript("interrupt_driver.py"), "--kernel-dll", PythonJupyter.KernelDll, "--work", Path.Combine(_work, "work"), "--out", output, "--dotnet", PythonJupyter.Dotnet],
            null, TimeSpan.FromMinutes(8));
        DriverLog = $"exit {code}\nstdout:\n{stdout}\nstderr (last 4000 chars):\n{(stderr.Length > 4000 ? stderr[^4000..] : stderr)}";
        if (!File.Exists(output))
        {
            SetupError = "interrupt_driver.py wrote no result.\n" + DriverLog;
            return;
        }
        Result = JsonNode.Parse(File.ReadAllText(output))!.AsObject();
        if (Result["fatal"] is { } fatal)
        {
            SetupError = "interrupt_driver.py failed before the cases:\n" + fatal + "\n" + DriverLog;
        }
    }

    public string? SetupError { get; }

    public string DriverLog { get; } = "";

    public JsonObject? Result { get; }

    /// <summary>What a case recorded (<paramref name="group"/>: "cases" or "recursion"); fails with the driver's traceback when it raised.</summary>
    public JsonNode Case(string group, string name)
    {
        if (SetupError is not null)
        {
            Assert.Fail(SetupError);
        }
        var c = Result![group]?[name];
        if (c is null)
        {
            Assert.Fail($"case '{name}' did not run (an earlier case may have killed the kernel).\n{DriverLog}");
        }
        if (c["ok"]?.GetValue<bool>() != true)
        {
            Assert.Fail($"case '{name}' raised:\n{c["error"]}\n{DriverLog}");
        }
        return c["data"]!;
    }

    public void Dispose()
    {
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

/// <summary>
/// Acceptance: an interrupt stops any C# or F# cell (tight loops, loops in methods and lambdas, blocking waits, awaits
/// without a token) and the kernel answers within a second; the session's variables survive and the next cell runs.
/// Native calls are abandoned after the grace period with a message; runaway recursion is an error reply. Through the
/// real jupyter_client, with interrupt_request (message mode) and, for some cases, SIGINT (signal mode).
/// </summary>
public sealed class InterruptTests(InterruptDriverFixture fixture) : IClassFixture<InterruptDriverFixture>
{
    // The kernel answers in well under a second on a quiet machine (see bench/kernel/interrupt_probe.py); the bound is
    // generous for loaded CI machines, and still far below the 60 s each cell would otherwise block.
    private const double ReplyBoundSeconds = 5;

    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "<null>";

    [Theory]
    [InlineData("cs_while")]
    [InlineData("cs_while@signal")]
    [InlineData("cs_for")]
    [InlineData("cs_method_loop")]
    [InlineData("cs_lambda_loop")]
    [InlineData("cs_linq_lambda")]
    [InlineData("cs_sleep")]
    [InlineData("cs_sleep@signal")]
    [InlineData("cs_task_wait")]
    [InlineData("cs_monitor_wait")]
    [InlineData("cs_semaphore_wait")]
    [InlineData("fs_while")]
    [InlineData("fs_while@signal")]
    [InlineData("fs_for")]
    [InlineData("fs_function_loop")]
    [InlineData("fs_lambda_loop")]
    [InlineData("fs_sleep")]
    [InlineData("fs_sleep@signal")]
    [InlineData("fs_task_wait")]
    [InlineData("fs_monitor_wait")]
    [InlineData("fs_semaphore_wait")]
    [InlineData("fs_async_sleep")]
    [InlineData("fs_await_task")]
    public void Interrupt_StopsTheCell_AndTheSessionGoesOn(string name)
    {
        var d = fixture.Case("cases", name);
        var reply = d["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("OperationCanceledException", S(reply["ename"]));
        // Stopped, not abandoned: the cell's code really ended.
        Assert.Equal("The cell was interrupted.", S(reply["evalue"]));
        AssertAnsweredAndSessionIntact(d);
    }

    [Theory]
    [InlineData("cs_await")]
    [InlineData("cs_await@signal")]
    [InlineData("cs_native")]
    [InlineData("fs_native")]
    public void Interrupt_AbandonsAwaitsAndNativeCallsAfterTheGracePeriod_WithAMessage(string name)
    {
        var d = fixture.Case("cases", name);
        var reply = d["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("OperationCanceledException", S(reply["ename"]));
        Assert.StartsWith("The cell was interrupted. It did not stop within 0.5 s", S(reply["evalue"]));
        Assert.Contains("its work may still be running in the background", S(reply["evalue"]));
        Assert.True(d["seconds"]!.GetValue<double>() >= 0.45, "answered before the grace period: the cell can't have stopped by itself");
        AssertAnsweredAndSessionIntact(d);
    }

    [Fact]
    public void FSharpNativeCall_WhileItRuns_FSharpCellsAreRefusedAndCSharpWorks()
    {
        var d = fixture.Case("cases", "fs_native");
        var busy = d["fs_while_busy"]!;
        Assert.Equal("error", S(busy["status"]));
        Assert.Equal("FSharpSessionBusy", S(busy["ename"]));
        Assert.Contains("an interrupted F# cell is still running", S(busy["evalue"]));
        Assert.Equal("2", S(d["cs_while_busy"]));
        // After the native call returned, F# works again with its earlier values (checked in the case: variable, 1+1).
        Assert.Equal("42", S(d["variable"]));
    }

    [Theory]
    [InlineData("cs_recursion")]
    [InlineData("cs_recursion_lambda")]
    [InlineData("fs_recursion")]
    [InlineData("fs_recursion_lambda")]
    public void RunawayRecursion_IsAnErrorReply_AndTheKernelLives(string name)
    {
        var d = fixture.Case("recursion", name);
        var reply = d["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("System.InsufficientExecutionStackException", S(reply["ename"]));
        Assert.StartsWith("Recursion too deep", S(reply["evalue"]));
        Assert.True(d["traceback_lines"]!.GetValue<int>() < 50, "traceback of " + d["traceback_lines"] + " lines");
        Assert.True(d["alive"]!.GetValue<bool>());
        Assert.Equal("42", S(d["variable"]));
        Assert.Equal("2", S(d["after"]));
    }

    private static void AssertAnsweredAndSessionIntact(JsonNode d)
    {
        var seconds = d["seconds"]!.GetValue<double>();
        Assert.True(seconds < ReplyBoundSeconds, $"reply {seconds:0.000} s after the interrupt");
        Assert.Equal("ok", S(d["setup_status"]));
        Assert.Equal("42", S(d["variable"]));
        Assert.Equal("2", S(d["after"]));
        Assert.True(d["alive"]!.GetValue<bool>());
    }
}
