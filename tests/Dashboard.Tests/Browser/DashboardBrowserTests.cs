using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Tests.Browser;
using Xunit.Abstractions;

using NasNotebooks.Tests;

namespace NasNotebooks.Dashboard.Tests.Browser;

[CollectionDefinition("browser")]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright): the studies list, a study page whose
/// charts render with the notebook's titles, a trial written by a separate worker process showing up live, the trial
/// table's sorting and filtering, a multi-objective study's Pareto front, and a store that goes away. Screenshots of
/// each page are saved under artifacts/dashboard/ for review.
/// </summary>
[Collection("browser")]
public sealed class DashboardBrowserTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const string Shots = "dashboard";

    private static (TempDir Dir, string Path, IReadOnlyList<Trial> Demo, IReadOnlyList<Trial> Multi) MakeStore()
    {
        var dir = new TempDir();
        var path = dir.File("runs.db");
        using var store = StudyStore.Open(path);
        return (dir, path, TestStudies.WriteDemo(store), TestStudies.WriteMulti(store));
    }

    private static Task<DashboardServer> Serve(string study, bool allowStop = false) =>
        DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(study)], AllowStop = allowStop });

    private static string StudyUrl(DashboardServer server, string store, string name) =>
        new Uri(server.Url, $"study?store={Uri.EscapeDataString(store)}&name={Uri.EscapeDataString(name)}").ToString();

    private static async Task<string> Text(IPage page, string selector) => (await page.Locator(selector).First.TextContentAsync())?.Trim() ?? "";

    private static async Task<string[]> Texts(IPage page, string selector) =>
        (await page.Locator(selector).AllTextContentsAsync()).Select(t => t.Trim()).ToArray();

    private static async Task OpenTab(IPage page, string kind)
    {
        var before = await page.Locator("#chart-area").GetAttributeAsync("data-version");
        await page.ClickAsync($"#tab-{kind}");
        await page.WaitForSelectorAsync($"#chart-area[data-kind='{kind}'][data-version]", new() { Timeout = 30_000 });
        _ = before;
    }

    private static void NoErrors(List<string> errors)
    {
        lock (errors) Assert.True(errors.Count == 0, "browser console errors:\n" + string.Join("\n", errors));
    }

    [Fact]
    public async Task The_studies_page_lists_each_study_with_counts_by_state_and_the_best_value()
    {
        var (dir, path, demo, multi) = MakeStore();
        using var _ = dir;
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(server.Url.ToString());
        await page.WaitForSelectorAsync("body[data-interactive='1']");
        await page.WaitForSelectorAsync("#live.on");

        Assert.Equal(["demo", "multi"], await Texts(page, "table.studies tbody tr td:first-child"));
        Assert.Equal("runs.db" + path, await Text(page, "section.store h2"));
        var row = page.Locator("tr[data-study='demo'] td");
        Assert.Equal("random", (await row.Nth(1).TextContentAsync())!.Trim());
        Assert.Equal("40", (await row.Nth(2).TextContentAsync())!.Trim());
        int completed = demo.Count(t => t.Status == TrialStatus.Completed), failed = demo.Count(t => t.Status == TrialStatus.Failed), skipped = demo.Count(t => t.Status == TrialStatus.Skipped);
        Assert.Equal([$"{completed} completed", $"{failed} failed", $"{skipped} skipped"], await Texts(page, "tr[data-study='demo'] .count-chip"));
        var best = new StudyReport(demo).Best()[0];
        Assert.Equal($"{StudyReport.FormatCell(best.FinalReward!.Value.Value)} (#{best.Id})", (await row.Nth(4).TextContentAsync())!.Trim());
        Assert.Equal("30", (await page.Locator("tr[data-study='multi'] td").Nth(2).TextContentAsync())!.Trim());
        Assert.EndsWith("s ago", (await row.Nth(6).TextContentAsync())!.Trim());

        await page.ClickAsync("text=demo");
        await page.WaitForSelectorAsync("body[data-page='study'][data-interactive='1']");
        Assert.Equal("demo", await Text(page, ".crumbs .study-name"));
        await page.GoBackAsync();
        await page.WaitForSelectorAsync("body[data-page='studies'][data-interactive='1']");
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "studies"));
        NoErrors(errors);
    }

    [Fact]
    public async Task A_study_page_draws_every_chart_with_the_notebook_titles()
    {
        var (dir, path, demo, _) = MakeStore();
        using var _d = dir;
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        var sw = Stopwatch.StartNew();
        await page.GotoAsync(StudyUrl(server, "runs.db", "demo"));
        await page.WaitForSelectorAsync("body[data-charts='1']", new() { Timeout = 30_000 });
        output.WriteLine($"study page (40 trials): charts drawn {sw.ElapsedMilliseconds} ms after navigation started");

        // Best so far (StudyReport.ProgressChart): plotly SVG with the notebook's axis titles and both traces.
        Assert.True(await page.Locator("#chart-area svg.main-svg").CountAsync() > 0);
        Assert.Equal("trial", await Text(page, "#chart-area .g-xtitle"));
        Assert.Equal("reward", await Text(page, "#chart-area .g-ytitle"));
        Assert.Equal("Search progress", await Text(page, "#chart-area .g-gtitle"));
        var completed = demo.Count(t => t.Status == TrialStatus.Completed);
        Assert.Equal(completed, await page.Locator("#chart-area .scatterlayer .trace").First.Locator("path.point").CountAsync());
        Assert.Equal(["trial", "best so far"], await Texts(page, "#chart-area .legend .legendtext"));

        await OpenTab(page, "intermediate");
        Assert.Equal("step", await Text(page, "#chart-area .g-xtitle"));
        Assert.Equal("reward", await Text(page, "#chart-area .g-ytitle"));
        // The 30 latest trials that reported and the best one; pruned ones (skipped after reporting) dashed.
        var names = await page.EvaluateAsync<string[]>("() => document.getElementById('chart-intermediate-0').data.map(t => t.name)");
        var shown = demo.Where(t => t.Id > 10 || t.Id == new StudyReport(demo).Best()[0].Id).OrderBy(t => t.Id)
            .Select(t => $"trial {t.Id}" + (t.Status == TrialStatus.Skipped ? " (pruned)" : ""));
        Assert.Equal(shown, names);
        Assert.Contains("trial 15 (pruned)", names);
        Assert.Equal("dash", await page.EvaluateAsync<string>("() => document.getElementById('chart-intermediate-0').data.find(t => t.name === 'trial 15 (pruned)').line.dash"));
        Assert.Equal("solid", await page.EvaluateAsync<string>("() => document.getElementById('chart-intermediate-0').data.find(t => t.name === 'trial 11').line.dash"));

        await OpenTab(page, "importance");
        Assert.Equal("importance", await Text(page, "#chart-area .g-xtitle"));
        Assert.Equal(3, await page.Locator("#chart-area .barlayer path").CountAsync());
        Assert.Equal(new[] { "activation", "lr", "width" }, (await Texts(page, "#chart-area .yaxislayer-above .ytick text")).Order());

        await OpenTab(page, "parallel");
        Assert.Equal(["width", "activation", "lr", "reward"], await Texts(page, "#chart-area .parcoords .axis-title"));

        await OpenTab(page, "slices");
        Assert.Equal(3, await page.Locator("#chart-area .chart").CountAsync());
        Assert.Equal(["width", "activation", "lr"], await Texts(page, "#chart-area .g-xtitle"));
        Assert.Equal(["reward", "reward", "reward"], await Texts(page, "#chart-area .g-ytitle"));
        Assert.Equal(["16", "32", "64"], await Texts(page, "#chart-slices-0 .xtick text"));
        Assert.Equal(["relu", "gelu", "tanh"], await Texts(page, "#chart-slices-1 .xtick text"));
        Assert.Equal("log", await page.EvaluateAsync<string>("() => document.getElementById('chart-slices-2').layout.xaxis.type"));
        Assert.False(await page.Locator("#tab-pareto").IsVisibleAsync(), "a single-objective study has no Pareto tab");

        // The best trial: its values and its materialized value.
        var best = new StudyReport(demo).Best()[0];
        Assert.Equal($"Best trial #{best.Id}", await Text(page, "#best h2"));
        var materialized = await Text(page, "#best pre.materialized");
        Assert.Contains("activation", materialized);
        Assert.Contains("width", materialized);
        Assert.Equal("40 trials", await Text(page, "#count"));
        await OpenTab(page, "history");
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study"));
        await OpenTab(page, "slices");
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study-slices", fullPage: false));
        await OpenTab(page, "parallel");
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study-parallel", fullPage: false));
        await OpenTab(page, "intermediate");
        await page.SetViewportSizeAsync(1366, 768);
        await page.WaitForTimeoutAsync(300);
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study-laptop-1366x768", fullPage: false));
        await page.ClickAsync($"#trials tbody tr[data-id='{best.Id}']");
        await page.WaitForSelectorAsync("#detail:not([hidden])");
        Assert.Equal($"Trial #{best.Id}", await Text(page, "#detail h2"));
        NoErrors(errors);
    }

    [Fact]
    public async Task A_trial_written_by_a_separate_worker_process_appears_on_the_open_page_within_2_seconds()
    {
        using var dir = new TempDir();
        var path = dir.File("live.db");
        using (var first = WorkerProcess.Start("--store", path, "--study", "live", "--trials", "4", "--worker", "w1"))
        {
            Assert.True(first.WaitForExit(TimeSpan.FromSeconds(90)), "the first worker did not finish:\n" + first.Output);
            Assert.Equal(0, first.ExitCode);
        }
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(StudyUrl(server, "live.db", "live"));
        await page.WaitForSelectorAsync("body[data-interactive='1']");
        await page.WaitForSelectorAsync("#live.on");
        Assert.Equal("4 trials", await Text(page, "#count"));

        using var second = WorkerProcess.Start("--store", path, "--study", "live", "--trials", "9", "--delay-ms", "400", "--worker", "w2");
        var latencies = new List<double>();
        foreach (var id in new[] { 5, 6, 7 })
        {
            var (_, at) = second.WaitForLine($"done {id} ", TimeSpan.FromSeconds(90));
            await page.WaitForSelectorAsync($"#trials tr[data-id='{id}'] .chip.completed", new() { Timeout = 2000 });
            latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
        }
        output.WriteLine("trial written by the worker -> shown completed on the page: " + string.Join(", ", latencies.Select(l => l.ToString("0", CultureInfo.InvariantCulture) + " ms")));
        Assert.All(latencies, l => Assert.True(l < 2000, $"{l} ms"));
        Assert.Equal("w2", await Text(page, "#trials tr[data-id='5'] td.worker"));
        Assert.True(second.WaitForExit(TimeSpan.FromSeconds(60)), second.Output);
        await page.WaitForFunctionAsync("() => document.getElementById('count').textContent === '9 trials'", null, new() { Timeout = 5000 });
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study-live"));
        NoErrors(errors);
    }

    [Fact]
    public async Task The_trial_table_sorts_by_a_column_and_filters_by_state_and_decision_values()
    {
        var (dir, path, demo, _) = MakeStore();
        using var _d = dir;
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(StudyUrl(server, "runs.db", "demo"));
        await page.WaitForSelectorAsync("body[data-interactive='1']");

        // The table draws only the rows in view (and a margin): the order is read from the page's view, and the drawn rows must be its start.
        async Task<int[]> Ids()
        {
            var view = await page.EvaluateAsync<int[]>("() => window.nasDashboard.viewIds()");
            var drawn = (await page.Locator("#trials tbody tr[data-id]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)")).Select(int.Parse).ToArray();
            Assert.True(drawn.Length >= Math.Min(view.Length, 16), $"only {drawn.Length} rows drawn");
            Assert.Equal(view.Take(drawn.Length), drawn);
            return view;
        }
        Assert.Equal(Enumerable.Range(1, 40), await Ids());

        // Sort by reward: best first, trials without a reward last (by id).
        await page.ClickAsync("#trials th[data-col='o0']");
        var byReward = demo.Where(t => t.FinalReward is not null).OrderByDescending(t => t.FinalReward!.Value.Value).ThenBy(t => t.Id)
            .Concat(demo.Where(t => t.FinalReward is null)).Select(t => t.Id).ToArray();
        await page.WaitForFunctionAsync($"() => document.querySelector('#trials tbody tr[data-id]').dataset.id === '{byReward[0]}'");
        Assert.Equal(byReward, await Ids());
        Assert.Equal("descending", await page.GetAttributeAsync("#trials th[data-col='o0']", "aria-sort"));
        await page.ClickAsync("#trials th[data-col='o0']");
        var ascending = demo.Where(t => t.FinalReward is not null).OrderBy(t => t.FinalReward!.Value.Value).ThenBy(t => t.Id)
            .Concat(demo.Where(t => t.FinalReward is null)).Select(t => t.Id).ToArray();
        await page.WaitForFunctionAsync($"() => document.querySelector('#trials tbody tr[data-id]').dataset.id === '{ascending[0]}'");
        Assert.Equal(ascending, await Ids());

        // Filter by a decision's value and by a reward range.
        await page.FillAsync("input[aria-label='filter activation']", "=gelu");
        var gelu = demo.Where(t => (string)((NasNotebooks.Dsl.SymDict)NasNotebooks.Dsl.Space.Spec(TestStudies.Space()).Materialize(t.Dna)!)["activation"]! == "gelu").ToList();
        await page.WaitForFunctionAsync($"() => document.getElementById('count').textContent === '{gelu.Count} of 40 trials'");
        Assert.Equal(gelu.Select(t => t.Id).Order(), (await Ids()).Order());
        await page.FillAsync("input[aria-label='filter reward']", ">0.7");
        var geluGood = gelu.Where(t => t.FinalReward is { } r && r.Value > 0.7).Select(t => t.Id).Order().ToArray();
        await page.WaitForFunctionAsync($"() => document.getElementById('count').textContent === '{geluGood.Length} of 40 trials'");
        Assert.Equal(geluGood, (await Ids()).Order());
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "study-filtered", fullPage: false));

        // By state: only the failed and pruned trials.
        await page.ClickAsync("#clear-filters");
        await page.WaitForFunctionAsync("() => document.getElementById('count').textContent === '40 trials'");
        foreach (var state in new[] { "pending", "completed" }) await page.UncheckAsync($"input[data-state='{state}']");
        var failedOrPruned = demo.Where(t => t.Status is TrialStatus.Failed or TrialStatus.Skipped).Select(t => t.Id).ToArray();
        await page.WaitForFunctionAsync($"() => document.getElementById('count').textContent === '{failedOrPruned.Length} of 40 trials'");
        Assert.Equal(failedOrPruned, (await Ids()).Order());
        Assert.Equal(0, await page.Locator("#trials .chip.completed").CountAsync());
        Assert.Equal("diverged: loss NaN at epoch 2", await Text(page, "#trials tr[data-id='7'] td.reason"));
        NoErrors(errors);
    }

    [Fact]
    public async Task A_multi_objective_study_shows_its_Pareto_front()
    {
        var (dir, path, _, multi) = MakeStore();
        using var _d = dir;
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(StudyUrl(server, "runs.db", "multi"));
        await page.WaitForSelectorAsync("body[data-charts='1']", new() { Timeout = 30_000 });
        await OpenTab(page, "pareto");
        Assert.Equal("Pareto front", await Text(page, "#chart-area .g-gtitle"));
        Assert.Equal("reward", await Text(page, "#chart-area .g-xtitle"));
        Assert.Equal("reward[1]", await Text(page, "#chart-area .g-ytitle"));
        Assert.Equal(["trials", "Pareto front"], await Texts(page, "#chart-area .legend .legendtext"));
        var front = new StudyReport(multi).ParetoFront();
        Assert.Equal(front.Count, await page.Locator("#chart-area .scatterlayer .trace").Nth(1).Locator("path.point").CountAsync());
        Assert.Equal(multi.Count, await page.Locator("#chart-area .scatterlayer .trace").Nth(0).Locator("path.point").CountAsync());
        Assert.Equal(["#", "state", "reward", "reward[1]"], (await Texts(page, "#trials thead tr.names th")).Take(4).Select(t => t.TrimEnd('▲', ' ')));
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "pareto"));
        NoErrors(errors);
    }

    [Fact]
    public async Task A_store_that_goes_away_shows_a_message_and_an_error_page_and_the_server_keeps_running()
    {
        var (dir, path, _, _) = MakeStore();
        using var _d = dir;
        await using var server = await Serve(path);
        var (page, errors) = await browser.NewPageAsync();
        await page.GotoAsync(StudyUrl(server, "runs.db", "demo"));
        await page.WaitForSelectorAsync("body[data-interactive='1']");
        await page.WaitForSelectorAsync("#live.on");
        var moved = path + ".moved";
        File.Move(path, moved);
        foreach (var side in new[] { "-wal", "-shm" }) if (File.Exists(path + side)) File.Move(path + side, moved + side);

        await page.WaitForSelectorAsync("#banner:not([hidden])", new() { Timeout = 5000 });
        Assert.Contains($"The study store file {path} no longer exists", await Text(page, "#banner"));
        Assert.Equal("store unavailable", await Text(page, "#live"));
        Assert.Equal("40 trials", await Text(page, "#count"));
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(page, Shots, "store-gone-banner", fullPage: false));

        var (errorPage, _) = await browser.NewPageAsync();
        var response = await errorPage.GotoAsync(StudyUrl(server, "runs.db", "demo"));
        Assert.Equal(503, response!.Status);
        Assert.Equal("Study store unavailable", await Text(errorPage, "h1"));
        Assert.Contains($"The study store file {path} no longer exists", await Text(errorPage, ".message"));
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(errorPage, Shots, "error-store-missing"));
        var list = await errorPage.GotoAsync(server.Url.ToString());
        Assert.Equal(200, list!.Status);
        await errorPage.WaitForSelectorAsync("section.store .banner.error");

        // The store comes back: the open page starts over from it, and unknown studies get their own page.
        foreach (var side in new[] { "", "-wal", "-shm" }) if (File.Exists(moved + side)) File.Move(moved + side, path + side);
        await page.WaitForSelectorAsync("#banner[hidden]", new() { Timeout = 10_000, State = WaitForSelectorState.Attached });
        await page.WaitForSelectorAsync("#live.on");
        Assert.Equal("40 trials", await Text(page, "#count"));
        var missing = await errorPage.GotoAsync(StudyUrl(server, "runs.db", "no-such-study"));
        Assert.Equal(404, missing!.Status);
        Assert.Equal($"There is no study 'no-such-study' in {path} (its studies: demo, multi).", await Text(errorPage, ".message"));
        output.WriteLine("screenshot: " + await Chromium.ScreenshotAsync(errorPage, Shots, "error-no-such-study"));
        NoErrors(errors);
    }
}
