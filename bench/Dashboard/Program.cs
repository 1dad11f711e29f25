using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using NasNotebooks.Dashboard;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;

// The dashboard on a big study: a 10,000-trial study (3 intermediate values per trial, failed and pruned trials,
// 9 decisions) in SQLite; the study page opened in Debian's Chromium (time to interactive and to the first chart,
// cold = first request after the server started, warm = later loads); the server's memory; the cost of one poll
// (incremental reads) side by side with a full reload of the study; and trials written while the page is open
// (write -> shown on the page, and the memory they add).
//
//   dotnet run -c Release --project bench/Dashboard -- [--trials 10000] [--loads 5] [--live 200] [--db PATH]
//
// --db keeps the study file between runs (it is created when missing).
var opts = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal) && x.i + 1 < args.Length)
    .ToDictionary(x => x.a[2..], x => args[x.i + 1]);
int Int(string name, int fallback) => opts.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
int trials = Int("trials", 10_000), loads = Int("loads", 5), live = Int("live", 200);
var tempDir = Path.Combine(Path.GetTempPath(), "nas-dashboard-bench-" + Guid.NewGuid().ToString("N")[..8]);
var db = opts.GetValueOrDefault("db") ?? Path.Combine(tempDir, "big.db");
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(db))!);
string F(double v, string f = "0.0") => v.ToString(f, CultureInfo.InvariantCulture);
double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }

var space = Space.Dict()
    .OneOf("width", 16, 32, 64, 128)
    .OneOf("depth", 1, 2, 3, 4)
    .OneOf("activation", "relu", "gelu", "tanh", "swish")
    .OneOf("optimizer", "sgd", "adam", "adamw")
    .Float("lr", 1e-4, 1e-1, Scale.Log)
    .Float("dropout", 0.0, 0.5)
    .OneOf("batch", 32, 64, 128)
    .OneOf("norm", "batch", "layer", "none")
    .Float("weight_decay", 1e-6, 1e-2, Scale.Log)
    .Build();
double Accuracy(SymDict d) => 0.5 + 0.05 * Math.Log2(Convert.ToDouble(d["width"]) / 16) + 0.02 * Convert.ToDouble(d["depth"])
    + ((string)d["activation"]! == "gelu" ? 0.05 : 0) - 0.04 * Math.Abs(Math.Log10(Convert.ToDouble(d["lr"])) + 2.5) - 0.1 * Convert.ToDouble(d["dropout"]);

void Write(IStudyStore store, int total, int seed)
{
    var options = new SearchOptions { Store = store, StudyName = "big", MaxTrials = total };
    foreach (var (c, f) in Search.Sample(space, NasNotebooks.Runtime.Algorithms.AlgorithmCatalog.Create("random", seed), options))
    {
        var d = (SymDict)c!;
        double acc = Accuracy(d);
        for (int s = 1; s <= 3; s++) f.Report(s, acc * (0.7 + 0.1 * s), new Dictionary<string, double> { ["loss"] = 1 - acc * s / 3 });
        if (f.TrialId % 23 == 0) f.Fail("diverged: loss NaN at epoch 2");
        else if (f.TrialId % 11 == 0) f.Skip("stopped early after epoch 3");
        else f.Done(acc, new Dictionary<string, double> { ["params"] = 1000 * Convert.ToDouble(d["width"]) * Convert.ToDouble(d["depth"]) });
    }
}

Console.WriteLine($"dashboard benchmark: {trials:N0}-trial study, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (2 cores shared with other work: timings are noisy)");
var sw = Stopwatch.StartNew();
using (var store = StudyStore.Open(db))
{
    int have = store.FindStudy("big") is null ? 0 : store.GetTrials("big").Count;
    if (have > trials) throw new ArgumentException($"{db} holds {have} trials, more than --trials {trials}; give another --db.");
    if (have < trials) Write(store, trials, 1);
}
Console.WriteLine($"study file {db}: {trials:N0} trials ready in {F(sw.Elapsed.TotalSeconds)} s ({F(new FileInfo(db).Length / 1048576.0)} MB)");
if (opts.ContainsKey("db"))
{
    // The live writes below go to a copy: the kept file stays at exactly --trials trials.
    Directory.CreateDirectory(tempDir);
    var copy = Path.Combine(tempDir, Path.GetFileName(db));
    File.Copy(db, copy);
    db = copy;
}

// --- incremental poll vs full reload (the store side of one poll) ---
using (var store = StudyStore.Open(db))
{
    var all = store.GetTrials("big");
    int last = all[^1].Id;
    for (int i = 0; i < 20; i++) { store.FindStudy("big"); store.GetTrialsAfter("big", last); }
    const int polls = 500;
    sw.Restart();
    for (int i = 0; i < polls; i++) { store.FindStudy("big"); store.GetTrialsAfter("big", last); store.GetTrialsById("big", [last - 1, last]); }
    double pollMs = sw.Elapsed.TotalMilliseconds / polls;
    sw.Restart();
    const int fulls = 3;
    for (int i = 0; i < fulls; i++) store.GetTrials("big");
    double fullMs = sw.Elapsed.TotalMilliseconds / fulls;
    Console.WriteLine($"one poll with nothing new (study lookup + trials after the last id + 2 pending trials re-read): {F(pollMs, "0.000")} ms; " +
        $"a full reload of the study: {F(fullMs)} ms; ratio {F(fullMs / pollMs, "0")}x");
}

// --- the page in Chromium ---
await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(db)] });
var url = new Uri(server.Url, "study?store=" + Uri.EscapeDataString(Path.GetFileName(db)) + "&name=big").ToString();
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium", Headless = true, ChromiumSandbox = false,
    // The same flags as the browser tests (tests/Dashboard.Tests/Browser/Chromium.cs).
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--disable-features=Translate,MediaRouter,OptimizationHints"],
});
var interactive = new List<double>();
var charts = new List<double>();
var plotlyReady = new List<double>();
long heapLoaded, heapAfter;
// One browser profile, as one person reloading the page: the first load is cold (the server reads the study, the browser
// has nothing cached), the next ones warm.
var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
async Task<(IPage Page, double[] Times, long Bytes)> Load()
{
    var page = await context.NewPageAsync();
    var response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
    await page.WaitForSelectorAsync("body[data-charts='1']", new PageWaitForSelectorOptions { Timeout = 120_000 });
    var t = await page.EvaluateAsync<double[]>("() => [window.nasDashboard.interactive, window.nasDashboard.charts, window.nasDashboard.plotly]");
    _ = response;
    return (page, t, 0);
}
var (first, cold, _) = await Load();
long bytes;
using (var http = new HttpClient()) bytes = (await http.GetByteArrayAsync(url)).LongLength;
Console.WriteLine($"study page, cold (the server reads the study on this first request, empty browser cache): interactive {F(cold[0], "0")} ms, " +
    $"plotly.js ready {F(cold[2], "0")} ms, first chart {F(cold[1], "0")} ms after navigation start; page {F(bytes / 1048576.0, "0.00")} MB of HTML+JSON");
await first.CloseAsync();
IPage lastPage = null!;
for (int run = 1; run <= loads; run++)
{
    var (page, t, _) = await Load();
    interactive.Add(t[0]); charts.Add(t[1]); plotlyReady.Add(t[2]);
    if (run < loads) await page.CloseAsync(); else lastPage = page;
}
Console.WriteLine($"study page, warm ({loads} loads): time to interactive median {F(Median(interactive), "0")} ms (min {F(interactive.Min(), "0")}, max {F(interactive.Max(), "0")}); " +
    $"plotly.js ready median {F(Median(plotlyReady), "0")} ms, first chart drawn median {F(Median(charts), "0")} ms; goal: interactive within 1000 ms -> {(Median(interactive) <= 1000 ? "met" : "NOT met")}");
{
    var page = lastPage;
    var sorted = await page.EvaluateAsync<double>(@"async () => { const t0 = performance.now(); document.querySelector(""#trials th[data-col='o0']"").click();
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); return performance.now() - t0; }");
    var filtered = await page.EvaluateAsync<double>(@"async () => { const i = document.querySelector(""input[aria-label='filter activation']""); const t0 = performance.now();
        i.value = '=gelu'; i.dispatchEvent(new Event('input')); await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); return performance.now() - t0; }");
    Console.WriteLine($"on the loaded page: sort {trials:N0} rows by reward {F(sorted, "0")} ms, filter by a decision {F(filtered, "0")} ms (to the next frame)");
    heapLoaded = GC.GetTotalMemory(forceFullCollection: true);
    // Trials written while the page is open, through a second connection, as another worker writes them
    // (claim, three intermediate values, outcome); the latency runs from the outcome's write to the page showing it.
    var latencies = new List<double>();
    using (var writer = StudyStore.Open(db))
    {
        var spec = Space.Spec(space);
        var rng = new Random(7);
        for (int i = 1; i <= live; i++)
        {
            var claim = writer.Claim("big", new ClaimRequest { Worker = "bench-writer", Propose = _ => spec.Random(rng) });
            int id = claim.Trial!.Id;
            double acc = Accuracy((SymDict)spec.Materialize(claim.Trial.Dna)!);
            for (int s = 1; s <= 3; s++) writer.AddMeasurement("big", id, new Measurement(s, acc * (0.7 + 0.1 * s), new Dictionary<string, double> { ["loss"] = 1 - acc }, s));
            writer.FinishTrial("big", id, new TrialOutcome("bench-writer", TrialStatus.Completed, acc, new Dictionary<string, double> { ["params"] = 1000 }));
            if (i % Math.Max(1, live / 20) == 0)
            {
                var w = Stopwatch.StartNew();
                await page.WaitForFunctionAsync($"() => window.nasDashboard.stateOf({id}) === 'completed'", null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 5 });
                latencies.Add(w.Elapsed.TotalMilliseconds);
            }
        }
    }
    Console.WriteLine($"{live} trials written while the page was open: outcome written -> shown on the page median {F(Median(latencies), "0")} ms, max {F(latencies.Max(), "0")} ms " +
        $"({latencies.Count} measured; the server polls every 250 ms)");
    await page.CloseAsync();
    var (again, _, _) = await Load();
    await again.CloseAsync();
    heapAfter = GC.GetTotalMemory(forceFullCollection: true);
}
// What the server holds: the managed heap with the server (and its study) minus the heap once it is stopped.
int watched = server.WatchedStudies;
await server.StopAsync();
long heapStopped = GC.GetTotalMemory(forceFullCollection: true);
Console.WriteLine($"server memory (managed heap with the server running minus after it stopped; {watched} studies held, page and chart caches included): " +
    $"{F((heapLoaded - heapStopped) / 1048576.0)} MB for {trials:N0} trials ({F((heapLoaded - heapStopped) / (double)trials / 1024, "0.00")} KB per trial); " +
    $"{F((heapAfter - heapStopped) / 1048576.0)} MB after {live} more trials arrived as live updates ({F((heapAfter - heapStopped) / (double)(trials + live) / 1024, "0.00")} KB per trial): " +
    $"what is held follows the trials, not the number of updates; process working set {F(Environment.WorkingSet / 1048576.0, "0")} MB (includes the benchmark's Playwright client)");
try { Directory.Delete(tempDir, recursive: true); } catch (IOException) { }
return 0;
