using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NasNotebooks.Kernel.Nas;
using NasNotebooks.Magics;
using NasNotebooks.Magics.Nas;

namespace NasNotebooks.Kernel.Tests.Nas;

/// <summary><c>#!nas dashboard</c> in the kernel process: it serves the current study, knows its space, stops its search with --allow-stop, and checks its arguments.</summary>
[Collection("nas-studies")]
public sealed class DashboardMagicTests : IDisposable
{
    private readonly KernelServer _server = new(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));
    private readonly KernelHost _host;
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-dashboard-magic-").FullName;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public DashboardMagicTests()
    {
        NasStudies.Clear();
        _host = new KernelHost(_server, KernelMagics.CreateDefault(), restartInProcess: true);
    }

    public void Dispose()
    {
        DashboardMagic.StopAll();
        NasStudies.Clear();
        _server.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private const string Setup = """
        var space = Space.Dict().OneOf("x", 0, 1, 2, 3, 4, 5, 6, 7).OneOf("y", 0, 1, 2, 3).Build();
        Func<SymDict, double> objective = c => -Math.Abs((int)c["x"]! - 5) - Math.Abs((int)c["y"]! - 2);
        Func<SymDict, double> slow = c => { System.Threading.Thread.Sleep(100); return (int)c["x"]!; };
        """;

    private async Task Ok(string code)
    {
        var reply = await _host.ExecuteForTestAsync(code);
        Assert.True(reply["status"]!.GetValue<string>() == "ok", reply.ToJsonString());
    }

    private async Task<string> Fails(string code)
    {
        var reply = await _host.ExecuteForTestAsync(code);
        Assert.Equal("error", reply["status"]!.GetValue<string>());
        return reply["evalue"]!.GetValue<string>();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task It_serves_the_current_study_with_its_space_from_the_kernel_process()
    {
        var db = Path.Combine(_dir, "k.db");
        await Ok(Setup);
        await Ok($"#!nas search --space space --evaluator objective --algo random --trials 12 --study {db} --name kstudy --seed 1");
        int port = FreePort();
        await Ok($"#!nas dashboard --port {port}");
        var url = new Uri($"http://127.0.0.1:{port}/study?store=k.db&name=kstudy");
        var page = await Http.GetStringAsync(url);
        Assert.Contains("<span class=\"study-name\">kstudy</span>", page);
        var data = JsonNode.Parse(await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/study?store=k.db&name=kstudy")))!;
        Assert.Equal(12, data["trials"]!.AsArray().Count);
        Assert.Equal(["x", "y"], data["decisions"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.False(data["allowStop"]!.GetValue<bool>());
        Assert.Equal(url, ((IKernelContext)_host).GetVariable<Uri>("nasDashboard"));
        // A second call reuses the running server of this store.
        await Ok("#!nas dashboard");
        Assert.Contains("kstudy", await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/studies")));

        DashboardMagic.StopAll();
        using var after = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => after.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task With_study_it_serves_a_store_that_this_session_did_not_open()
    {
        var db = Path.Combine(_dir, "other.db");
        using (var store = Runtime.Studies.StudyStore.Open(db))
            foreach (var (c, f) in Runtime.Search.Sample(Dsl.Space.Dict().OneOf("k", 1, 2, 3).Build(), new Runtime.Algorithms.RandomSearch(1),
                new Runtime.SearchOptions { Store = store, StudyName = "theirs", MaxTrials = 4 }))
                f.Done(1.0);
        await Ok($"#!nas dashboard --study {db}");
        var list = ((IKernelContext)_host).GetVariable<Uri>("nasDashboard");
        Assert.Equal("/", list.AbsolutePath);
        Assert.Contains("\"theirs\"", await Http.GetStringAsync(new Uri(list, "api/studies")));
        await Ok($"#!nas dashboard --study {db} --name theirs");
        var page = ((IKernelContext)_host).GetVariable<Uri>("nasDashboard");
        Assert.Equal(new Uri(list, "study?store=other.db&name=theirs"), page);
        Assert.Equal(4, JsonNode.Parse(await Http.GetStringAsync(new Uri(list, "api/study?store=other.db&name=theirs")))!["trials"]!.AsArray().Count);
        Assert.StartsWith($"error: --study {Path.Combine(_dir, "none.db")}: no such file or folder", await Fails($"#!nas dashboard --study {Path.Combine(_dir, "none.db")}"));
    }

    [Fact]
    public async Task With_allow_stop_its_stop_button_stops_the_background_search()
    {
        var db = Path.Combine(_dir, "bg.db");
        await Ok(Setup);
        await Ok($"#!nas search --space space --evaluator slow --algo random --trials 400 --study {db} --name bg --background");
        int port = FreePort();
        await Ok($"#!nas dashboard --port {port} --allow-stop");
        var snapshot = JsonNode.Parse(await Http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/api/study?store=bg.db&name=bg")))!;
        Assert.True(snapshot["allowStop"]!.GetValue<bool>());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/api/study/stop?store=bg.db&name=bg"));
        request.Headers.Add("X-Nas-Token", snapshot["token"]!.GetValue<string>());
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Stopping study 'bg': running trials finish, no new trial starts.", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        var study = NasStudies.Get("bg", "test");
        await study.Running!.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("stopped", study.State);
        Assert.True(study.Trials.Count < 400);
    }

    [Fact]
    public async Task Bad_arguments_are_usage_errors()
    {
        Assert.Equal("error: no study yet for '#!nas dashboard'; run '#!nas search' or '#!nas resume' first, or pass --name.", await Fails("#!nas dashboard"));
        await Ok(Setup);
        await Ok($"#!nas search --space space --evaluator objective --algo random --trials 3 --study {Path.Combine(_dir, "e.db")} --name e");
        Assert.Equal("error: --port 70000 is out of range; expected 0 (any free port) to 65535; see '#!nas dashboard --help'", await Fails("#!nas dashboard --port 70000"));
        Assert.StartsWith("error: --host 'nowhere' is not an IP address", await Fails("#!nas dashboard --host nowhere"));
        Assert.StartsWith("error: unknown study 'zzz' for '#!nas dashboard' (--name). Known: e.", await Fails("#!nas dashboard --name zzz"));
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        Assert.StartsWith($"error: The dashboard cannot listen on 127.0.0.1:{port}:", await Fails($"#!nas dashboard --port {port}"));
    }
}

/// <summary><c>#!nas dashboard</c> in a kernel process started by the real jupyter_client: the link is displayed, the page served, and the server stops with the kernel.</summary>
public sealed class DashboardKernelProcessTests
{
    [Fact]
    public void The_link_is_displayed_and_the_server_stops_when_the_kernel_shuts_down()
    {
        var missing = PythonJupyter.MissingModules(("jupyter_client", "python3-jupyter-client"), ("zmq", "python3-zmq"));
        if (missing is not null) Assert.Fail(missing);
        var work = PythonJupyter.NewTempDir("nas-dashboard-kernel");
        try
        {
            var output = Path.Combine(work, "result.json");
            var (code, stdout, stderr) = PythonJupyter.Run([PythonJupyter.ClientScript("dashboard_driver.py"), "--kernel-dll", PythonJupyter.KernelDll,
                "--work", work, "--dotnet", PythonJupyter.Dotnet, "--out", output], null, TimeSpan.FromMinutes(6));
            Assert.True(File.Exists(output), $"dashboard_driver.py wrote nothing (exit {code}):\n{stdout}\n{stderr}");
            var r = JsonNode.Parse(File.ReadAllText(output))!;
            Assert.True(r["error"] is null, r["error"]?.GetValue<string>());
            Assert.Equal(("ok", "ok", "ok"), (r["setup"]!.GetValue<string>(), r["search"]!.GetValue<string>(), r["dashboard"]!.GetValue<string>()));
            Assert.Matches(@"^Dashboard of study 'dash' \(.*dash\.db\): http://127\.0\.0\.1:\d+/study\?store=dash\.db&name=dash$", r["text"]!.GetValue<string>());
            Assert.Contains("target=\"_blank\"", r["html"]!.GetValue<string>());
            Assert.Equal(200, r["http_status"]!.GetValue<int>());
            Assert.True(r["page_has_study"]!.GetValue<bool>());
            Assert.False(r["kernel_alive_after"]!.GetValue<bool>());
            Assert.True(r["refused_after_shutdown"]!.GetValue<bool>(), "the dashboard still answers after the kernel shut down");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary><c>nasnotebooks dashboard</c>: the command of the built tool, its errors, and a clean stop on SIGTERM.</summary>
public sealed class DashboardCommandLineTests
{
    private static System.Diagnostics.Process Start(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(PythonJupyter.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(PythonJupyter.KernelDll);
        psi.ArgumentList.Add("dashboard");
        foreach (var a in args) psi.ArgumentList.Add(a);
        return System.Diagnostics.Process.Start(psi)!;
    }

    [Fact]
    public async Task The_tool_serves_a_store_until_SIGTERM_and_refuses_a_missing_one()
    {
        var dir = Directory.CreateTempSubdirectory("nas-dashboard-cli-").FullName;
        try
        {
            var missing = Path.Combine(dir, "missing.db");
            using (var bad = Start("--study", missing))
            {
                var err = await bad.StandardError.ReadToEndAsync();
                await bad.WaitForExitAsync();
                Assert.Equal(2, bad.ExitCode); // a usage error, as for every command of the tool
                Assert.Contains($"--study {missing}: no such file or folder: {missing}.", err);
                Assert.False(File.Exists(missing));
            }
            var db = Path.Combine(dir, "cli.db");
            using (var store = Runtime.Studies.StudyStore.Open(db))
                foreach (var (_, f) in Runtime.Search.Sample(Dsl.Space.Dict().OneOf("k", 1, 2).Build(), new Runtime.Algorithms.RandomSearch(1),
                    new Runtime.SearchOptions { Store = store, StudyName = "cli", MaxTrials = 2 }))
                    f.Done(1.0);
            using var p = Start("--study", db, "--port", "0", "--name", "cli");
            var first = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Matches(@"^NasNotebooks dashboard for .*cli\.db: http://127\.0\.0\.1:\d+/$", first);
            Assert.Matches(@"^study 'cli': http://127\.0\.0\.1:\d+/study\?store=cli\.db&name=cli$", await p.StandardOutput.ReadLineAsync());
            var url = new Uri(first![(first!.LastIndexOf(' ') + 1)..]);
            using (var http = new HttpClient()) Assert.Contains("\"cli\"", await http.GetStringAsync(new Uri(url, "api/studies")));
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) await kill.WaitForExitAsync();
            var rest = await p.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await p.WaitForExitAsync();
            Assert.Equal(0, p.ExitCode);
            Assert.EndsWith("dashboard stopped", rest.TrimEnd());
        }
        finally { try { Directory.Delete(dir, recursive: true); } catch (IOException) { } }
    }
}
