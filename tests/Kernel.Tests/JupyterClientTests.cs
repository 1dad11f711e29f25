using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests;

/// <summary>
/// Acceptance tests through the real jupyter_client (client/kernel_driver.py): the kernelspec is installed
/// with the tool's own `kernel install --prefix` command and the kernel is started by KernelManager.
/// </summary>
public sealed class JupyterClientTests(KernelDriverFixture fixture) : IClassFixture<KernelDriverFixture>
{
    private static IEnumerable<JsonNode> Iopub(JsonNode execution, string msgType) =>
        execution["iopub"]!.AsArray().Where(m => m!["msg_type"]!.GetValue<string>() == msgType).Select(m => m!["content"]!);

    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "<null>";

    [Fact]
    public void KernelSpec_IsInstalledWithDotnetAndConnectionFilePlaceholder()
    {
        fixture.Scenario("kernel_info");
        var spec = fixture.Result!["kernelspec"]!;
        var argv = spec["argv"]!.AsArray().Select(S).ToArray();
        Assert.EndsWith("nasnotebooks-kernel.dll", argv[1]);
        Assert.Equal(["kernel", "run", "-f", "{connection_file}"], argv[2..]);
        Assert.Contains("{connection_file}", argv);
        Assert.Equal("C#", S(spec["language"]));
        Assert.Equal("C# (NasNotebooks)", S(spec["display_name"]));
    }

    [Fact]
    public void KernelInfo_ReportsProtocol53AndCSharp()
    {
        var info = fixture.Scenario("kernel_info");
        Assert.Equal("ok", S(info["status"]));
        Assert.Equal("5.3", S(info["protocol_version"]));
        Assert.Equal("C#", S(info["language_info"]!["name"]));
        Assert.Equal(".cs", S(info["language_info"]!["file_extension"]));
    }

    [Fact]
    public void Execute_CarriesStateAcrossCells()
    {
        var data = fixture.Scenario("state");
        Assert.Equal("ok", S(data["first"]!["reply"]!["status"]));
        Assert.Empty(Iopub(data["first"]!, "execute_result"));
        var second = data["second"]!;
        Assert.Equal("ok", S(second["reply"]!["status"]));
        var result = Assert.Single(Iopub(second, "execute_result"));
        Assert.Equal("42", S(result["data"]!["text/plain"]));
        var c1 = data["first"]!["reply"]!["execution_count"]!.GetValue<int>();
        var c2 = second["reply"]!["execution_count"]!.GetValue<int>();
        Assert.Equal(c1 + 1, c2);
        Assert.Equal(c2, result["execution_count"]!.GetValue<int>());
    }

    [Fact]
    public void Execute_PublishesBusyInputOutputIdleInOrder()
    {
        var second = fixture.Scenario("state")["second"]!;
        var types = second["iopub"]!.AsArray().Select(m => S(m!["msg_type"])).ToArray();
        Assert.Equal(["status", "execute_input", "execute_result", "status"], types);
        Assert.Equal("busy", S(second["iopub"]![0]!["content"]!["execution_state"]));
        Assert.Equal("idle", S(second["iopub"]![3]!["content"]!["execution_state"]));
        Assert.Equal("x + 2", S(Iopub(second, "execute_input").Single()["code"]));
    }

    [Fact]
    public void ConsoleOutput_IsSentAsStdoutAndStderrStreams()
    {
        var data = fixture.Scenario("stdout");
        var streams = Iopub(data, "stream").ToList();
        Assert.Equal("hello from C#\n", string.Concat(streams.Where(s => S(s["name"]) == "stdout").Select(s => S(s["text"]))));
        Assert.Equal("to stderr\n", string.Concat(streams.Where(s => S(s["name"]) == "stderr").Select(s => S(s["text"]))));
    }

    [Fact]
    public void ConsoleOutput_IsPublishedWhileTheCellRuns()
    {
        // The cell prints "tick", sleeps 2 s, prints "tock". The driver reads iopub while the cell runs and records
        // when each message reached the client: "tick" must arrive while the kernel still sleeps, i.e. well before
        // "tock" and the execute_reply (a kernel that held output to the end would deliver all three together).
        var data = fixture.Scenario("live_stream");
        var streams = Iopub(data, "stream").ToArray();
        Assert.Equal(["tick\n", "tock\n"], streams.Select(s => S(s["text"])).ToArray());
        var arrivals = data["iopub"]!.AsArray().Where(m => S(m!["msg_type"]) == "stream").Select(m => m!["at"]!.GetValue<double>()).ToArray();
        double replyAt = data["reply_at"]!.GetValue<double>();
        Assert.True(arrivals[1] - arrivals[0] >= 1.0 && replyAt - arrivals[0] >= 1.0,
            $"'tick' arrived at {arrivals[0]:F2} s, 'tock' at {arrivals[1]:F2} s, the reply at {replyAt:F2} s: 'tick' was not delivered while the cell ran");
    }

    [Fact]
    public void StopOnError_AbortsRequestsQueuedBehindAFailedCell()
    {
        var data = fixture.Scenario("stop_on_error");
        var statuses = data["replies"]!.AsArray().Select(r => S(r!["status"])).ToArray();
        Assert.Equal(["error", "aborted", "aborted"], statuses);
        Assert.Equal("error", S(data["check"]!["reply"]!["status"]));
        Assert.Contains("CS0103", S(data["check"]!["reply"]!["evalue"]));
    }

    [Fact]
    public void CompileError_NamesCellLineColumnAndCode()
    {
        var data = fixture.Scenario("compile_error");
        var reply = data["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("CompilationError", S(reply["ename"]));
        Assert.StartsWith("(2,9): error CS0029: Cannot implicitly convert type 'string' to 'int'", S(reply["evalue"]));
        Assert.Contains("(2,9): error CS0029", S(reply["traceback"]![0]));
        var error = Assert.Single(Iopub(data, "error"));
        Assert.Equal("CompilationError", S(error["ename"]));
    }

    [Fact]
    public void RuntimeException_GivesTypeMessageAndTrimmedStack()
    {
        var data = fixture.Scenario("runtime_error");
        var reply = data["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("System.InvalidOperationException", S(reply["ename"]));
        Assert.Equal("boom", S(reply["evalue"]));
        var tb = reply["traceback"]!.AsArray().Select(S).ToArray();
        Assert.Contains(tb, l => l.Contains("Fail()", StringComparison.Ordinal));
        Assert.DoesNotContain(tb, l => l.Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.DoesNotContain(tb, l => l.Contains("NasNotebooks.Kernel", StringComparison.Ordinal));
        Assert.Single(Iopub(data, "error"));
    }

    [Fact]
    public void SilentExecution_DoesNotCountOrBroadcastInput()
    {
        var data = fixture.Scenario("silent");
        var silent = data["silent"]!;
        Assert.Equal("ok", S(silent["reply"]!["status"]));
        Assert.Empty(Iopub(silent, "execute_input"));
        Assert.Empty(Iopub(silent, "execute_result"));
        Assert.Equal(data["before"]!.GetValue<int>() + 1, data["after"]!.GetValue<int>());
    }

    [Fact]
    public void Completion_OffersMembersVariablesAndMagics()
    {
        var data = fixture.Scenario("completion");
        var member = data["member"]!;
        Assert.Equal("ok", S(member["status"]));
        Assert.Contains("Length", member["matches"]!.AsArray().Select(S));
        Assert.Equal(6, member["cursor_start"]!.GetValue<int>());
        Assert.Equal(9, member["cursor_end"]!.GetValue<int>());
        Assert.Contains("myLongVariableName", data["variable"]!["matches"]!.AsArray().Select(S));
        Assert.Equal(["help"], data["magic"]!["matches"]!.AsArray().Select(S).ToArray());
        Assert.Equal(["#!time"], data["magic_name"]!["matches"]!.AsArray().Select(S).ToArray());
    }

    [Fact]
    public void Inspect_ReturnsQuickInfo()
    {
        var inspect = fixture.Scenario("completion")["inspect"]!;
        Assert.Equal("ok", S(inspect["status"]));
        Assert.True(inspect["found"]!.GetValue<bool>());
        Assert.Contains("Console.WriteLine", S(inspect["data"]!["text/plain"]));
        var magic = fixture.Scenario("completion")["inspect_magic"]!;
        Assert.True(magic["found"]!.GetValue<bool>());
        Assert.Contains("Usage: #!time [options]", S(magic["data"]!["text/plain"]));
    }

    [Fact]
    public void IsComplete_DistinguishesCompleteFromIncomplete()
    {
        var data = fixture.Scenario("is_complete");
        Assert.Equal("complete", S(data["complete"]!["status"]));
        Assert.Equal("incomplete", S(data["incomplete"]!["status"]));
    }

    [Fact]
    public void Magics_HelpTimeAndUsageErrors()
    {
        var data = fixture.Scenario("magics");
        var help = string.Concat(Iopub(data["help"]!, "stream").Select(s => S(s["text"])));
        Assert.Contains("help", help);
        Assert.Contains("Subcommands:", help);
        var bad = data["bad_option"]!["reply"]!;
        Assert.Equal("error", S(bad["status"]));
        Assert.Equal("error: unknown option --foo for '#!nas help'; see '#!nas help --help'", S(bad["evalue"]));
        Assert.StartsWith("error: unknown magic command '#!nope'", S(data["unknown"]!["reply"]!["evalue"]));
        var time = data["time"]!;
        Assert.Equal("ok", S(time["reply"]!["status"]));
        Assert.Contains("Wall time:", string.Concat(Iopub(time, "stream").Select(s => S(s["text"]))));
        Assert.Equal("42", S(Iopub(time, "execute_result").Single()["data"]!["text/plain"]));
    }

    [Fact]
    public void DisplayHandle_UpdatedThreeTimes()
    {
        var data = fixture.Scenario("display_update");
        var display = Assert.Single(Iopub(data, "display_data"));
        var id = S(display["transient"]!["display_id"]);
        Assert.Equal("step 0", S(display["data"]!["text/plain"]));
        var updates = Iopub(data, "update_display_data").ToList();
        Assert.Equal(3, updates.Count);
        Assert.All(updates, u => Assert.Equal(id, S(u["transient"]!["display_id"])));
        Assert.Equal(["step 1", "step 2", "step 3"], updates.Select(u => S(u["data"]!["text/plain"])).ToArray());
    }

    [Fact]
    public void SequenceOfRecords_IsAnEscapedHtmlTable()
    {
        var data = fixture.Scenario("table");
        var bundle = Iopub(data, "execute_result").Single()["data"]!;
        var html = S(bundle["text/html"]);
        Assert.Contains("<table", html);
        Assert.Contains("<th>Name</th>", html);
        Assert.Contains("<th>Score</th>", html);
        Assert.Contains("&lt;b&gt;a&lt;/b&gt;", html);
        Assert.Contains("b &amp; c", html);
        Assert.DoesNotContain("<b>a</b>", html);
    }

    [Fact]
    public void PlotlyChart_HasOfflineHtmlAndPlotlyJson()
    {
        var data = fixture.Scenario("plotly");
        var first = Iopub(data["first"]!, "execute_result").Single()["data"]!;
        var json = first["application/vnd.plotly.v1+json"]!;
        Assert.Equal("scatter", S(json["data"]![0]!["type"]));
        Assert.NotNull(json["layout"]);
        var html = first["text/html"]!;
        Assert.True(html["has_plotly_js"]!.GetValue<bool>(), "first chart must inline plotly.js");
        Assert.True(html["has_newPlot"]!.GetValue<bool>());
        Assert.False(html["has_external_script"]!.GetValue<bool>(), "charts must not load scripts from the internet");
        var second = Iopub(data["second"]!, "execute_result").Single()["data"]!;
        Assert.False(second["text/html"]!["has_plotly_js"]!.GetValue<bool>(), "plotly.js is loaded once per session");
        Assert.True(second["text/html"]!["has_newPlot"]!.GetValue<bool>());
        Assert.NotNull(second["application/vnd.plotly.v1+json"]);
    }

    [Theory]
    [InlineData("interrupt", "2")]
    [InlineData("interrupt_signal", "4")]
    public void Interrupt_CancelsTheCellAndTheKernelKeepsAnswering(string scenario, string next)
    {
        var data = fixture.Scenario(scenario);
        var reply = data["reply"]!;
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("OperationCanceledException", S(reply["ename"]));
        Assert.Equal(next, S(Iopub(data["after"]!, "execute_result").Single()["data"]!["text/plain"]));
    }

    [Fact]
    public void BadlySignedMessage_IsIgnored()
    {
        var data = fixture.Scenario("bad_signature");
        Assert.False(data["executed"]!.GetValue<bool>(), "a badly signed execute_request was executed");
        Assert.False(data["got_reply"]!.GetValue<bool>());
        Assert.Equal("ok", S(data["kernel_info_status"]));
        // Positive control on the same raw socket: the same request, correctly signed, is executed and answered
        // (so the silence above comes from the signature check, not from a socket the kernel never reads).
        var control = data["control_reply"];
        Assert.True(control is not null, "the correctly signed execute_request got no reply on the raw socket");
        Assert.Equal("execute_reply", S(control!["msg_type"]));
        Assert.Equal(S(control["sent_msg_id"]), S(control["parent_msg_id"]));
        Assert.Equal("ok", S(control["status"]));
        Assert.True(data["control_executed"]!.GetValue<bool>(), "the correctly signed execute_request did not run");
    }

    [Fact]
    public void Fuzz_ThousandMalformedMessages_LeaveKernelAlive()
    {
        var data = fixture.Scenario("fuzz");
        Assert.Equal(1000, data["sent"]!.GetValue<int>());
        Assert.Equal(0, data["replies"]!.GetValue<int>());
        Assert.True(data["alive"]!.GetValue<bool>());
        Assert.Equal("ok", S(data["kernel_info_status"]));
        Assert.Equal("9", S(Iopub(data["after"]!, "execute_result").Single()["data"]!["text/plain"]));
    }

    [Fact]
    public void HashR_LoadsAssemblyRelativeToNotebookDirectory()
    {
        var data = fixture.Scenario("reference");
        Assert.Equal("ok", S(data["reply"]!["status"]));
        Assert.Equal("from #r", S(Iopub(data, "execute_result").Single()["data"]!["text/plain"]));
    }

    [Fact]
    public void Restart_StartsWithFreshState()
    {
        var data = fixture.Scenario("restart");
        Assert.Equal("ok", S(data["before"]!["reply"]!["status"]));
        var after = data["after"]!["reply"]!;
        Assert.Equal("error", S(after["status"]));
        Assert.Contains("error CS0103: The name 'survivor' does not exist", S(after["evalue"]));
        Assert.Equal(1, after["execution_count"]!.GetValue<int>());
        Assert.Equal("1", S(Iopub(data["fresh"]!, "execute_result").Single()["data"]!["text/plain"]));
    }

    [Fact]
    public void Shutdown_RepliesAndExits()
    {
        var data = fixture.Scenario("shutdown");
        Assert.Equal("ok", S(data["reply"]!["status"]));
        Assert.False(data["alive_after"]!.GetValue<bool>());
        Assert.Equal(0, data["exit_code"]!.GetValue<int>());
    }

    private static string Text(JsonNode exec) => S(Iopub(exec, "execute_result").Single()["data"]!["text/plain"]);

    private static string Status(JsonNode exec) => S(exec["reply"]!["status"]);

    [Fact]
    public void FSharp_KeepsStateAcrossCells_AndReportsErrorsWithCellLineAndColumn()
    {
        var d = fixture.Scenario("polyglot");
        Assert.Equal("ok", Status(d["fs_define"]!));
        Assert.Equal("42", Text(d["fs_state"]!));
        var typeError = d["fs_type_error"]!["reply"]!;
        Assert.Equal("error", S(typeError["status"]));
        Assert.Contains("(3,17): error FS0001", S(typeError["evalue"]));
        var runtime = d["fs_runtime_error"]!["reply"]!;
        Assert.Equal("error", S(runtime["status"]));
        Assert.Contains("kaboom", S(runtime["evalue"]));

        Assert.Contains("Count", d["fs_completion"]!["matches"]!.AsArray().Select(S));
        Assert.Equal("complete", S(d["fs_is_complete"]!["status"]));
    }

    [Fact]
    public void Sharing_BetweenCSharpAndFSharp_IsTheSameObject()
    {
        var d = fixture.Scenario("polyglot");
        Assert.Equal("4", Text(d["to_fs"]!));
        Assert.Equal("47", Text(d["cs_sees_fs_mutation"]!));
        Assert.Equal("ok", Status(d["to_cs"]!));
        Assert.Equal("2", Text(d["fs_sees_cs_mutation"]!));
        Assert.Equal("2", Text(d["read_value"]!));
        Assert.Equal("42", Text(d["set_literal"]!));
        var whos = string.Concat(Iopub(d["whos"]!, "stream").Select(x => S(x["text"])));
        Assert.Contains("fsharp:", whos);
        Assert.Contains("fromFs", whos);
        Assert.Contains("data", whos);
    }

    [Fact]
    public void DisplayCells_SendTheirMimeTypes()
    {
        var d = fixture.Scenario("polyglot");
        Assert.Equal("<b>bold</b>", S(Iopub(d["html"]!, "display_data").Single()["data"]!["text/html"]));
        Assert.Equal("# Title", S(Iopub(d["markdown"]!, "display_data").Single()["data"]!["text/markdown"]));
        var js = Iopub(d["javascript"]!, "display_data").Single()["data"]!;
        Assert.Equal("console.log(1)", S(js["application/javascript"]));
        Assert.Contains("<script", S(js["text/html"]));
    }

    [Fact]
    public void PolyglotBadInput_IsAClearError()
    {
        var d = fixture.Scenario("polyglot");
        Assert.StartsWith("error: unknown magic command '#!pwsh'", S(d["unknown_cell_magic"]!["reply"]!["evalue"]));
        Assert.Contains("no variable 'nothingHere' in fsharp", S(d["share_missing"]!["reply"]!["evalue"]));
        Assert.Contains("--value @ruby:y", S(d["set_bad"]!["reply"]!["evalue"]));
    }

    [Fact]
    public void FSharpCell_CanBeInterrupted()
    {
        var d = fixture.Scenario("fsharp_interrupt");
        Assert.Equal("error", S(d["reply"]!["status"]));
        Assert.Equal("OperationCanceledException", S(d["reply"]!["ename"]));
        Assert.Equal("2", Text(d["after"]!));
    }

    [Fact]
    public void NasSearch_ShowsLiveProgress_Tables_AndCharts()
    {
        var d = fixture.Scenario("nas_search");
        Assert.Equal("ok", Status(d["setup"]!));
        var search = d["search"]!;
        Assert.Equal("ok", Status(search));
        var display = Iopub(search, "display_data").First();
        var id = S(display["transient"]!["display_id"]);
        var updates = Iopub(search, "update_display_data").Where(u => S(u["transient"]!["display_id"]) == id).ToList();
        Assert.True(updates.Count >= 3, $"{updates.Count} progress updates");
        // Live: progress reached the client while the search ran (12 trials of 150 ms each), not in a burst at the end.
        var updateArrivals = search["iopub"]!.AsArray().Where(m => S(m!["msg_type"]) == "update_display_data").Select(m => m!["at"]!.GetValue<double>()).ToArray();
        double searchReplyAt = search["reply_at"]!.GetValue<double>();
        Assert.True(searchReplyAt - updateArrivals[0] >= 0.8 && updateArrivals[^1] - updateArrivals[0] >= 0.8,
            $"progress updates arrived at [{string.Join(", ", updateArrivals.Select(a => a.ToString("F2")))}] s, the reply at {searchReplyAt:F2} s: not live");
        Assert.Contains("[finished]", S(updates[^1]["data"]!["text/plain"]));
        Assert.Contains(Iopub(search, "display_data"), x => x["data"]!["application/vnd.plotly.v1+json"] is not null);
        Assert.Contains(Iopub(d["best"]!, "display_data"), x => S(x["data"]!["text/html"]).Contains("<table class=\"nas-table\">", StringComparison.Ordinal));
        Assert.Contains(Iopub(d["plot"]!, "display_data"), x => x["data"]!["application/vnd.plotly.v1+json"] is not null);
        Assert.Contains("option --trials for '#!nas search'", S(d["bad"]!["reply"]!["evalue"]));
        Assert.Contains("'zero'", S(d["bad"]!["reply"]!["evalue"]));
    }

    [Fact]
    public void NasStatusParetoAndPlot_ShowTheKnownFront()
    {
        // Grid search over x in 0..7 with objectives (x, -(x*x % 5)): every point evaluated, the front is x = 5, 6, 7
        // (trials 6, 7, 8), with objective values (5, 0), (6, -1), (7, -4).
        var d = fixture.Scenario("nas_inspect");
        Assert.Equal("ok", Status(d["search"]!));
        Assert.Equal("ok", Status(d["status"]!));
        var statusLines = Iopub(d["status"]!, "display_data").Select(x => S(x["data"]!["text/plain"])).ToList();
        Assert.Contains(statusLines, l => System.Text.RegularExpressions.Regex.IsMatch(l,
            @"^\[finished\] front \(grid\): 8/8 trials, elapsed \d+:\d\d; best \(7, -4\) \(trial 8: x=7\)$"));

        Assert.Equal("ok", Status(d["pareto"]!));
        var pareto = Iopub(d["pareto"]!, "display_data").ToList();
        Assert.Equal(2, pareto.Count);
        var table = S(pareto[0]["data"]!["text/plain"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("front: Pareto front (3 of 8 trials)", table[0]);
        // Header, rule, then one row per trial on the front: trial, status, both objectives, x.
        var rows = table.Skip(3).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal([["6", "completed", "5", "0", "5"], ["7", "completed", "6", "-1", "6"], ["8", "completed", "7", "-4", "7"]], rows);
        Assert.Contains("<caption>front: Pareto front (3 of 8 trials)</caption>", S(pareto[0]["data"]!["text/html"]));
        AssertParetoChart(pareto[1]["data"]!["application/vnd.plotly.v1+json"]!);

        Assert.Equal("ok", Status(d["plot"]!));
        AssertParetoChart(Iopub(d["plot"]!, "display_data").Single()["data"]!["application/vnd.plotly.v1+json"]!);
    }

    private static void AssertParetoChart(JsonNode figure)
    {
        static double[] Numbers(JsonNode? n) => n!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal("Pareto front", S(figure["layout"]!["title"]!["text"]));
        var traces = figure["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.Equal("trials", S(traces[0]!["name"]));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Numbers(traces[0]!["x"]));
        Assert.Equal([0, -1, -4, -4, -1, 0, -1, -4], Numbers(traces[0]!["y"]));
        Assert.Equal("Pareto front", S(traces[1]!["name"]));
        Assert.Equal([5, 6, 7], Numbers(traces[1]!["x"]));
        Assert.Equal([0, -1, -4], Numbers(traces[1]!["y"]));
    }
}
