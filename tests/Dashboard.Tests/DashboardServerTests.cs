using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;
using Xunit.Abstractions;

using NasNotebooks.Tests;

namespace NasNotebooks.Dashboard.Tests;

/// <summary>The server over HTTP: safe defaults (loopback, read-only, host check), the data and chart endpoints, live events, and incremental store reads.</summary>
public sealed class DashboardServerTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(HttpStatusCode Status, string Body)> Get(Uri url)
    {
        using var r = await Http.GetAsync(url);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task It_listens_on_the_loopback_only_by_default_and_serves_plotly_from_itself()
    {
        using var dir = new TempDir();
        var path = dir.File("s.db");
        using (var store = StudyStore.Open(path)) TestStudies.WriteMulti(store, trials: 3);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(path)] });
        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.NotEqual(0, server.Url.Port);
        // Not reachable on this machine's other addresses.
        foreach (var ip in (await Dns.GetHostAddressesAsync(Dns.GetHostName())).Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var e = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(ip, server.Url.Port));
            output.WriteLine($"{ip}:{server.Url.Port} refused as expected ({e.SocketErrorCode})");
        }
        using var js = await Http.GetAsync(new Uri(server.Url, "assets/plotly.min.js"));
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        var text = await js.Content.ReadAsStringAsync();
        Assert.Contains("plotly.js v2.28.0", text[..2000]);
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType!.ToString());
        var (status, page) = await Get(new Uri(server.Url, "study?store=s.db&name=multi"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("http://", page.Replace(server.Url.ToString(), ""));
        Assert.DoesNotContain("https://", page);
        Assert.Contains("<script src=\"/assets/dashboard.js\" defer></script>", page);
    }

    [Fact]
    public async Task It_is_read_only_without_allow_stop_and_refuses_foreign_host_names()
    {
        using var dir = new TempDir();
        var path = dir.File("s.db");
        using (var store = StudyStore.Open(path)) TestStudies.WriteMulti(store, trials: 3);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(path)] });
        foreach (var route in new[] { "api/study/stop?store=s.db&name=multi", "api/study?store=s.db&name=multi", "study?store=s.db&name=multi", "api/studies", "" })
            foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
            {
                using var r = await Http.SendAsync(new HttpRequestMessage(method, new Uri(server.Url, route)));
                Assert.True(r.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"{method} /{route}: {r.StatusCode}");
            }
        Assert.DoesNotContain("Stop study", (await Get(new Uri(server.Url, "study?store=s.db&name=multi"))).Body);
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Url);
        request.Headers.Host = "attacker.example";
        using var refused = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("This dashboard listens on 127.0.0.1 and answers only requests addressed to this machine (Host 'attacker.example' refused).", await refused.Content.ReadAsStringAsync());
        using var local = new HttpRequestMessage(HttpMethod.Get, server.Url);
        local.Headers.Host = $"localhost:{server.Url.Port}";
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(local)).StatusCode);
        using var head = await Http.GetAsync(server.Url);
        Assert.Contains("default-src 'self'", head.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", head.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task With_allow_stop_the_stop_button_makes_a_running_worker_process_stop()
    {
        using var dir = new TempDir();
        var path = dir.File("stop.db");
        using var worker = WorkerProcess.Start("--store", path, "--study", "long", "--trials", "100000", "--delay-ms", "50", "--worker", "w");
        worker.WaitForLine("done 1 ", TimeSpan.FromSeconds(90));
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(path)], AllowStop = true });
        var stopUrl = new Uri(server.Url, "api/study/stop?store=stop.db&name=long");
        using (var noToken = await Http.PostAsync(stopUrl, null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
            Assert.Equal("The stop request lacks this page's token; use the stop button of the study page.", JsonNode.Parse(await noToken.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        }
        var snapshot = JsonNode.Parse((await Get(new Uri(server.Url, "api/study?store=stop.db&name=long"))).Body)!;
        Assert.True(snapshot["allowStop"]!.GetValue<bool>());
        var token = snapshot["token"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post, stopUrl);
        request.Headers.Add("X-Nas-Token", token);
        var sw = Stopwatch.StartNew();
        using var stopped = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.StartsWith("Asked the workers of study 'long' to stop", JsonNode.Parse(await stopped.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        var (line, _) = worker.WaitForLine("finished ", TimeSpan.FromSeconds(30));
        output.WriteLine($"worker: '{line}' {sw.ElapsedMilliseconds} ms after the stop request");
        Assert.Equal("finished StopRequested", line);
        Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(30)));
        using var store = StudyStore.Open(path);
        Assert.NotNull(StudyStopRequest.Latest(store.FindStudy("long")));
        Assert.All(store.GetTrials("long"), t => Assert.NotEqual(TrialStatus.Pending, t.Status));
    }

    [Fact]
    public async Task The_event_stream_sends_a_trial_written_to_the_store()
    {
        using var dir = new TempDir();
        var path = dir.File("ev.db");
        using var writer = StudyStore.Open(path);
        TestStudies.WriteDemo(writer, trials: 5);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(path)] });
        var snapshot = JsonNode.Parse((await Get(new Uri(server.Url, "api/study?store=ev.db&name=demo"))).Body)!;
        Assert.Equal(5, snapshot["trials"]!.AsArray().Count);
        Assert.Equal(["width", "activation", "lr"], snapshot["decisions"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(["params"], snapshot["metrics"]!.AsArray().Select(d => d!.GetValue<string>()));
        var epoch = snapshot["epoch"]!.GetValue<int>();
        var version = snapshot["version"]!.GetValue<long>();

        using var stream = await Http.GetStreamAsync(new Uri(server.Url, $"api/study/events?store=ev.db&name=demo&epoch={epoch}&since={version}"));
        using var reader = new StreamReader(stream);
        var events = new BlockingCollection<(string Event, string Data)>();
        var pump = Task.Run(async () =>
        {
            string? name = null;
            while (await reader.ReadLineAsync() is { } l)
            {
                if (l.StartsWith("event: ", StringComparison.Ordinal)) name = l[7..];
                else if (l.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name!, l[6..]));
            }
        });
        var sw = Stopwatch.StartNew();
        TestStudies.WriteDemo(writer, trials: 6);
        Assert.True(events.TryTake(out var e, TimeSpan.FromSeconds(10)), "no event within 10 s");
        output.WriteLine($"event {sw.ElapsedMilliseconds} ms after the write");
        Assert.Equal("update", e.Event);
        var update = JsonNode.Parse(e.Data)!;
        var rows = update["trials"]!.AsArray();
        Assert.Equal(6, rows.Single()![0]!.GetValue<int>());
        Assert.Equal("completed", rows.Single()![1]!.GetValue<string>());
        Assert.True(update["version"]!.GetValue<long>() > version);

        // Stopping the server ends the open event stream (it does not hold the shutdown up).
        await server.StopAsync();
        Assert.True(await Task.WhenAny(pump, Task.Delay(TimeSpan.FromSeconds(10))) == pump, "the event stream stayed open after the server stopped");
    }

    [Fact]
    public async Task Polls_read_only_the_new_and_the_pending_trials_never_the_whole_study()
    {
        using var dir = new TempDir();
        using var inner = StudyStore.Open(dir.File("count.db"));
        TestStudies.WriteDemo(inner, trials: 30);
        var counting = new CountingStore(inner);
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.FromStore(counting)], PollInterval = TimeSpan.FromMilliseconds(50) });
        Assert.Equal(HttpStatusCode.OK, (await Get(new Uri(server.Url, "api/study?store=count.db&name=demo"))).Status);
        // A trial held pending (claimed, not finished) and two new ones, while the server polls.
        var claim = inner.Claim("demo", new ClaimRequest { Worker = "x", Propose = _ => Space.Spec(TestStudies.Space()).Random(new Random(5)) });
        await WaitUntil(() => counting.ByIdCalls.Any(ids => ids.Contains(claim.Trial!.Id)));
        inner.AddMeasurement("demo", claim.Trial!.Id, new Measurement(1, 0.5, new Dictionary<string, double>(), 0.1));
        inner.FinishTrial("demo", claim.Trial.Id, new TrialOutcome("x", TrialStatus.Completed, 0.5));
        await WaitUntil(() => JsonNode.Parse(Get(new Uri(server.Url, "api/study?store=count.db&name=demo")).Result.Body)!["trials"]!.AsArray()
            .Any(t => t![0]!.GetValue<int>() == 31 && t[1]!.GetValue<string>() == "completed"));
        await Task.Delay(300);
        Assert.Equal(0, counting.FullReads);
        Assert.Contains(0, counting.AfterCalls);
        Assert.All(counting.AfterCalls.Skip(1), a => Assert.True(a >= 30, $"GetTrialsAfter({a}) re-read held trials"));
        Assert.All(counting.ByIdCalls, ids => Assert.Equal([31], ids));
        var polls = counting.AfterCalls.Count;
        output.WriteLine($"{polls} polls: GetTrialsAfter ids {string.Join(",", counting.AfterCalls.Distinct())}, GetTrialsById {counting.ByIdCalls.Count} times (only the pending trial)");
        Assert.True(counting.ByIdCalls.Count < polls, "pending trials are re-read only while they are pending");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(15)) Assert.Fail("condition not met within 15 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Chart_data_comes_from_the_notebook_report_and_bad_requests_get_clear_errors()
    {
        using var dir = new TempDir();
        var path = dir.File("fig.db");
        using (var store = StudyStore.Open(path)) { TestStudies.WriteDemo(store, trials: 12); TestStudies.WriteMulti(store, trials: 8); }
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(path)] });
        async Task<JsonNode> Figure(string study, string kind, string extra = "")
        {
            var (status, body) = await Get(new Uri(server.Url, $"api/study/figure?store=fig.db&name={study}&kind={kind}{extra}"));
            Assert.True(status == HttpStatusCode.OK, body);
            return JsonNode.Parse(body)!["figures"]!;
        }
        Assert.Equal("Search progress", (await Figure("demo", "progress"))[0]!["layout"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("Decision importance (share of reward variance)", (await Figure("demo", "importance"))[0]!["layout"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("parcoords", (await Figure("demo", "parallel"))[0]!["data"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(3, (await Figure("demo", "slices")).AsArray().Count);
        Assert.Empty((await Figure("demo", "pareto")).AsArray());
        Assert.Equal("Pareto front", (await Figure("multi", "pareto"))[0]!["layout"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(["trial 1", "trial 2", "trial 3"], (await Figure("demo", "intermediate", "&ids=2,3"))[0]!["data"]!.AsArray().Take(3).Select(d => d!["name"]!.GetValue<string>()));

        async Task Bad(string route, HttpStatusCode status, string message)
        {
            var (s, body) = await Get(new Uri(server.Url, route));
            Assert.Equal(status, s);
            Assert.Contains(message, body.StartsWith('{') ? JsonNode.Parse(body)!["error"]!.GetValue<string>() : body);
        }
        await Bad("api/study/figure?store=fig.db&name=demo&kind=pie", HttpStatusCode.BadRequest, "Unknown chart kind 'pie'; expected one of progress, intermediate, importance, parallel, slices, pareto.");
        await Bad("api/study/figure?store=fig.db&name=demo&kind=intermediate&ids=1,x", HttpStatusCode.BadRequest, "ids '1,x' must be at most 50 comma-separated trial ids (positive integers).");
        await Bad("api/study?store=nope.db&name=demo", HttpStatusCode.NotFound, "This dashboard has no study store 'nope.db' (its stores: fig.db).");
        await Bad("study?store=fig.db", HttpStatusCode.BadRequest, "The address needs ?store=STORE&amp;name=STUDY");
        await Bad("study?store=fig.db&name=ghost", HttpStatusCode.NotFound, $"There is no study &#39;ghost&#39; in {path} (its studies: demo, multi).");
        await Bad("elsewhere", HttpStatusCode.NotFound, "There is no page at /elsewhere.");
    }

    [Fact]
    public async Task A_folder_source_lists_the_study_files_that_appear_in_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("notes.txt"), "not a store");
        await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(dir.Path)] });
        var list = JsonNode.Parse((await Get(new Uri(server.Url, "api/studies"))).Body)!;
        Assert.Empty(list["stores"]!.AsArray());
        Assert.Equal([dir.Path], list["emptyFolders"]!.AsArray().Select(f => f!.GetValue<string>()));
        using (var a = StudyStore.Open(dir.File("a.db"))) TestStudies.WriteMulti(a, trials: 2);
        File.WriteAllText(dir.File("broken.db"), "not sqlite either");
        await Task.Delay(1100); // the folder is rescanned at most once a second
        list = JsonNode.Parse((await Get(new Uri(server.Url, "api/studies"))).Body)!;
        var stores = list["stores"]!.AsArray();
        Assert.Equal(["a.db", "broken.db"], stores.Select(s => s!["key"]!.GetValue<string>()));
        Assert.Equal("multi", stores[0]!["studies"]![0]!["name"]!.GetValue<string>());
        Assert.Equal($"{dir.File("broken.db")} is not a NasNotebooks study store: it is not an SQLite database (it does not start with the SQLite header).", stores[1]!["error"]!.GetValue<string>());
        Assert.Equal("not sqlite either", File.ReadAllText(dir.File("broken.db")));
    }

    /// <summary>A store that records the reads the dashboard makes.</summary>
    private sealed class CountingStore(IStudyStore inner) : IStudyStore
    {
        public int FullReads;
        public readonly ConcurrentQueue<int> AfterCalls = new();
        public readonly ConcurrentQueue<int[]> ByIdCalls = new();
        public string Location => inner.Location;
        public bool IsShared => inner.IsShared;
        public StudyInfo OpenOrCreateStudy(StudyDefinition definition) => inner.OpenOrCreateStudy(definition);
        public StudyInfo? FindStudy(string name) => inner.FindStudy(name);
        public IReadOnlyList<string> ListStudies() => inner.ListStudies();
        public IReadOnlyList<Trial> GetTrials(string study) { Interlocked.Increment(ref FullReads); return inner.GetTrials(study); }
        public IReadOnlyList<StudySummary> GetStudySummaries() => inner.GetStudySummaries();
        public IReadOnlyList<Trial> GetTrialsAfter(string study, int afterId) { AfterCalls.Enqueue(afterId); return inner.GetTrialsAfter(study, afterId); }
        public IReadOnlyList<Trial> GetTrialsById(string study, IReadOnlyCollection<int> ids) { ByIdCalls.Enqueue([.. ids.Order()]); return inner.GetTrialsById(study, ids); }
        public ClaimResult Claim(string study, ClaimRequest request) => inner.Claim(study, request);
        public void AddMeasurement(string study, int trialId, Measurement measurement) => inner.AddMeasurement(study, trialId, measurement);
        public bool FinishTrial(string study, int trialId, TrialOutcome outcome) => inner.FinishTrial(study, trialId, outcome);
        public bool RenewLease(string study, int trialId, string worker, TimeSpan lease) => inner.RenewLease(study, trialId, worker, lease);
        public void ReleaseTrial(string study, int trialId, string worker) => inner.ReleaseTrial(study, trialId, worker);
        public void SetMetadata(string study, string key, string? value) => inner.SetMetadata(study, key, value);
        public void Dispose() { }
    }
}
