using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NasNotebooks.Dashboard.Live;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Web;

/// <summary>
/// The dashboard's routes. Pages: <c>/</c> (studies) and <c>/study?store=K&amp;name=N</c>. Data:
/// <c>/api/studies</c>, <c>/api/study</c>, <c>/api/study/figure</c>; live: <c>/api/studies/events</c> and
/// <c>/api/study/events</c> (server-sent events). Only with <see cref="DashboardOptions.AllowStop"/>:
/// <c>POST /api/study/stop</c>. Everything else is read-only.
/// </summary>
internal static class Endpoints
{
    private const string Csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
        // plotly.js compiles its WebGL draw calls (parallel coordinates) with new Function: 'unsafe-eval', still only this server's scripts.
        "script-src 'self' 'unsafe-eval'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly ConditionalWeakTable<StudyWatcher, PayloadCache> Caches = new();

    public static void Map(WebApplication app, EndpointContext ctx)
    {
        app.Use(async (c, next) =>
        {
            if (!HostAllowed(c, ctx.Address))
            {
                c.Response.StatusCode = StatusCodes.Status403Forbidden;
                c.Response.ContentType = "text/plain; charset=utf-8";
                await c.Response.WriteAsync($"This dashboard listens on {ctx.Address} and answers only requests addressed to this machine (Host '{c.Request.Host}' refused). " +
                    "Start it with --host to serve other names.").ConfigureAwait(false);
                return;
            }
            var h = c.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["Referrer-Policy"] = "no-referrer";
            h["X-Frame-Options"] = "DENY";
            h.ContentSecurityPolicy = Csp;
            ctx.Options.Log?.WriteLine($"dashboard: {c.Request.Method} {c.Request.Path}{c.Request.QueryString}");
            await next(c).ConfigureAwait(false);
        });
        app.MapGet("/", (HttpContext c) => StudiesPage(c, ctx));
        app.MapGet("/study", (HttpContext c) => StudyPage(c, ctx));
        app.MapGet("/assets/{name}", (HttpContext c) => AssetAsync(c));
        app.MapGet("/api/studies", (HttpContext c) => Json(c, ctx.Studies.Current().Json));
        app.MapGet("/api/studies/events", (HttpContext c) => StudiesEvents(c, ctx));
        app.MapGet("/api/study", (HttpContext c) => StudyData(c, ctx));
        app.MapGet("/api/study/events", (HttpContext c) => StudyEvents(c, ctx));
        app.MapGet("/api/study/figure", (HttpContext c) => Figure(c, ctx));
        if (ctx.Options.AllowStop) app.MapPost("/api/study/stop", (HttpContext c) => Stop(c, ctx));
        app.MapFallback((HttpContext c) => Page(c, StatusCodes.Status404NotFound,
            Html.Error("Not found", $"There is no page at {c.Request.Path}. The dashboard has the studies list (/) and one page per study.")));
    }

    private static bool HostAllowed(HttpContext c, IPAddress bound)
    {
        if (!IPAddress.IsLoopback(bound)) return true;
        var host = c.Request.Host.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    private static Task Page(HttpContext c, int status, string html)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "text/html; charset=utf-8";
        c.Response.Headers.CacheControl = "no-store";
        return c.Response.WriteAsync(html);
    }

    private static async Task Json(HttpContext c, byte[] json, int status = 200)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        c.Response.Headers.CacheControl = "no-store";
        await c.Response.Body.WriteAsync(json).ConfigureAwait(false);
    }

    private static Task JsonError(HttpContext c, int status, string message) =>
        Json(c, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["error"] = message }), status);

    private static async Task AssetAsync(HttpContext c)
    {
        var name = (string?)c.Request.RouteValues["name"] ?? "";
        var asset = Assets.Find(name);
        if (asset is null)
        {
            c.Response.StatusCode = StatusCodes.Status404NotFound;
            await c.Response.WriteAsync($"No asset '{name}'.").ConfigureAwait(false);
            return;
        }
        c.Response.Headers.ETag = asset.ETag;
        c.Response.Headers.CacheControl = "public, max-age=3600";
        if (c.Request.Headers.IfNoneMatch == asset.ETag)
        {
            c.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        c.Response.ContentType = asset.ContentType;
        c.Response.ContentLength = asset.Bytes.Length;
        await c.Response.Body.WriteAsync(asset.Bytes).ConfigureAwait(false);
    }

    private static Task StudiesPage(HttpContext c, EndpointContext ctx)
    {
        var json = ctx.Studies.Current().Json;
        // The studies most likely to be opened next (the most recently active, up to 4) are read in the background now.
        try
        {
            foreach (var (store, study) in ctx.Studies.RecentlyActive(4))
                if (ctx.Stores.Find(store) is { } entry) ctx.Watchers.Warm(entry, study);
        }
        catch (InvalidOperationException) { }
        return Page(c, 200, Html.Studies(Encoding.UTF8.GetString(json)));
    }

    private static async Task StudiesEvents(HttpContext c, EndpointContext ctx)
    {
        using var sub = ctx.Studies.Subscribe();
        await StartEvents(c).ConfigureAwait(false);
        long since = long.TryParse(c.Request.Query["since"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0;
        // Event streams end when the page goes or the server stops (not at the end of the host's shutdown timeout).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, ctx.Stopping);
        var ct = linked.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (json, version) = ctx.Studies.Current();
                if (version != since)
                {
                    await Event(c, "studies", version.ToString(CultureInfo.InvariantCulture), json).ConfigureAwait(false);
                    since = version;
                }
                if (!await WaitAsync(ctx.Studies.WaitForChangeAsync(since), ct).ConfigureAwait(false))
                    await Ping(c).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    /// <summary>Resolves <c>?store=&amp;name=</c>; on failure writes the error (page or JSON) and returns null.</summary>
    private static async Task<(StoreEntry Store, StudyWatcher Watcher, StudyState State)?> Resolve(HttpContext c, EndpointContext ctx, bool page)
    {
        string? key = c.Request.Query["store"], name = c.Request.Query["name"];
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(name))
        {
            const string msg = "The address needs ?store=STORE&name=STUDY (follow a link from the studies list).";
            if (page) await Page(c, 400, Html.Error("Which study?", msg)).ConfigureAwait(false); else await JsonError(c, 400, msg).ConfigureAwait(false);
            return null;
        }
        var store = ctx.Stores.Find(key);
        if (store is null)
        {
            var known = string.Join(", ", ctx.Stores.Current.Select(s => s.Key));
            var msg = $"This dashboard has no study store '{key}' (its stores: {(known.Length == 0 ? "none yet" : known)}).";
            if (page) await Page(c, 404, Html.Error("No such store", msg)).ConfigureAwait(false); else await JsonError(c, 404, msg).ConfigureAwait(false);
            return null;
        }
        var watcher = ctx.Watchers.Get(store, name);
        var state = watcher.EnsureLoaded();
        // A page opened while the store is unavailable or the study gone gets an error page (a page already
        // open keeps its trials and shows the message in a banner, through its event stream).
        if (page && (state.Error is not null || state.Gone))
        {
            watcher.Poll();
            state = watcher.State;
        }
        if (state.Info is null || (page && (state.Error is not null || state.Gone)))
        {
            if (state.Gone)
            {
                string studies;
                try { studies = string.Join(", ", store.Use(s => s.ListStudies())); }
                catch (StoreUnavailableException) { studies = ""; }
                var msg = $"There is no study '{name}' in {store.Location}" + (studies.Length > 0 ? $" (its studies: {studies})." : ".");
                if (page) await Page(c, 404, Html.Error("No such study", msg)).ConfigureAwait(false); else await JsonError(c, 404, msg).ConfigureAwait(false);
            }
            else
            {
                var msg = state.Error ?? $"The study store {store.Location} could not be read.";
                if (page) await Page(c, 503, Html.Error("Study store unavailable", msg, retry: true)).ConfigureAwait(false); else await JsonError(c, 503, msg).ConfigureAwait(false);
            }
            return null;
        }
        return (store, watcher, state);
    }

    private static async Task StudyPage(HttpContext c, EndpointContext ctx)
    {
        if (await Resolve(c, ctx, page: true).ConfigureAwait(false) is not { } r) return;
        var json = Snapshot(ctx, r.Store, r.Watcher, r.State);
        await Page(c, 200, Html.Study(r.Store.Key, r.Watcher.Study, Encoding.UTF8.GetString(json))).ConfigureAwait(false);
    }

    private static async Task StudyData(HttpContext c, EndpointContext ctx)
    {
        if (await Resolve(c, ctx, page: false).ConfigureAwait(false) is not { } r) return;
        await Json(c, Snapshot(ctx, r.Store, r.Watcher, r.State)).ConfigureAwait(false);
    }

    /// <summary>The page's starting data (cached per state version).</summary>
    private static byte[] Snapshot(EndpointContext ctx, StoreEntry store, StudyWatcher watcher, StudyState state)
    {
        var cache = Caches.GetOrCreateValue(watcher);
        lock (cache)
            if (cache.Snapshot is { } hit && hit.Version == state.Version && hit.Epoch == state.Epoch) return hit.Bytes;
        var progress = FigureBytes(watcher, state, "progress", null, out _);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            StudyPayload.WriteStudy(w, store, watcher.Study, state.Info);
            StudyPayload.WriteBody(w, state, 0);
            w.WriteBoolean("allowStop", ctx.Options.AllowStop);
            if (ctx.StopToken is null) w.WriteNull("token"); else w.WriteString("token", ctx.StopToken);
            w.WriteNumber("pollMs", (int)ctx.Options.PollInterval.TotalMilliseconds);
            w.WriteBoolean("hasSpace", watcher.Spec is not null);
            w.WritePropertyName("progress");
            w.WriteRawValue(progress);
            w.WriteEndObject();
        }
        var bytes = buffer.ToArray();
        lock (cache) cache.Snapshot = (state.Epoch, state.Version, bytes);
        return bytes;
    }

    private static async Task StudyEvents(HttpContext c, EndpointContext ctx)
    {
        if (await Resolve(c, ctx, page: false).ConfigureAwait(false) is not { } r) return;
        var watcher = r.Watcher;
        using var sub = watcher.Subscribe();
        int epoch = 0;
        long since = 0;
        var last = c.Request.Headers["Last-Event-ID"].ToString();
        var from = last.Length > 0 ? last : $"{c.Request.Query["epoch"]}:{c.Request.Query["since"]}";
        var parts = from.Split(':');
        if (parts.Length == 2) { _ = int.TryParse(parts[0], out epoch); _ = long.TryParse(parts[1], out since); }
        await StartEvents(c).ConfigureAwait(false);
        // Event streams end when the page goes or the server stops (not at the end of the host's shutdown timeout).
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(c.RequestAborted, ctx.Stopping);
        var ct = linked.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var state = watcher.State;
                if (epoch != 0 && state.Epoch != epoch)
                {
                    // The study was recreated or its store reopened: the page starts over from a fresh snapshot.
                    await Event(c, "reset", $"{state.Epoch}:{state.Version}", "{}"u8.ToArray()).ConfigureAwait(false);
                    return;
                }
                epoch = state.Epoch;
                if (state.Version != since)
                {
                    using var buffer = new MemoryStream();
                    using (var w = new Utf8JsonWriter(buffer))
                    {
                        w.WriteStartObject();
                        StudyPayload.WriteBody(w, state, since);
                        w.WriteEndObject();
                    }
                    await Event(c, "update", $"{state.Epoch}:{state.Version}", buffer.ToArray()).ConfigureAwait(false);
                    since = state.Version;
                }
                if (watcher.IsDisposed) return;
                if (!await WaitAsync(watcher.WaitForChangeAsync(since), ct).ConfigureAwait(false))
                    await Ping(c).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    private static async Task<bool> WaitAsync(Task change, CancellationToken ct)
    {
        var winner = await Task.WhenAny(change, Task.Delay(TimeSpan.FromSeconds(15), ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return winner == change;
    }

    private static async Task StartEvents(HttpContext c)
    {
        c.Response.ContentType = "text/event-stream; charset=utf-8";
        c.Response.Headers.CacheControl = "no-cache";
        c.Response.Headers["X-Accel-Buffering"] = "no";
        await c.Response.WriteAsync("retry: 1000\n\n").ConfigureAwait(false);
        await c.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static async Task Event(HttpContext c, string name, string id, byte[] json)
    {
        await c.Response.WriteAsync($"event: {name}\nid: {id}\ndata: ").ConfigureAwait(false);
        await c.Response.Body.WriteAsync(json).ConfigureAwait(false);
        await c.Response.WriteAsync("\n\n").ConfigureAwait(false);
        await c.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static async Task Ping(HttpContext c)
    {
        await c.Response.WriteAsync(": ping\n\n").ConfigureAwait(false);
        await c.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static readonly string[] Kinds = ["progress", "intermediate", "importance", "parallel", "slices", "pareto"];

    private static async Task Figure(HttpContext c, EndpointContext ctx)
    {
        if (await Resolve(c, ctx, page: false).ConfigureAwait(false) is not { } r) return;
        string kind = c.Request.Query["kind"].ToString();
        if (!Kinds.Contains(kind))
        {
            await JsonError(c, 400, $"Unknown chart kind '{kind}'; expected one of {string.Join(", ", Kinds)}.").ConfigureAwait(false);
            return;
        }
        int[]? ids = null;
        var idsText = c.Request.Query["ids"].ToString();
        if (idsText.Length > 0)
        {
            var parts = idsText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length > 50 || parts.Any(p => !int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 1))
            {
                await JsonError(c, 400, $"ids '{idsText}' must be at most 50 comma-separated trial ids (positive integers).").ConfigureAwait(false);
                return;
            }
            ids = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Order().ToArray();
        }
        var body = FigureBytes(r.Watcher, r.State, kind, ids, out var version);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", version);
            w.WriteString("kind", kind);
            w.WritePropertyName("figures");
            w.WriteRawValue(body);
            w.WriteEndObject();
        }
        await Json(c, buffer.ToArray()).ConfigureAwait(false);
    }

    /// <summary>The figure(s) of <paramref name="kind"/> as a JSON array (one figure for most kinds; one per decision for slices), cached per version.</summary>
    private static byte[] FigureBytes(StudyWatcher watcher, StudyState state, string kind, int[]? ids, out long version)
    {
        version = state.Version;
        var key = kind + (ids is null ? "" : ":" + string.Join(",", ids));
        var cache = Caches.GetOrCreateValue(watcher);
        lock (cache)
            if (cache.Figures.TryGetValue(key, out var hit) && hit.Version == state.Version) return hit.Bytes;
        var report = state.Report(watcher.Spec);
        IEnumerable<PlotlyFigure> figures = kind switch
        {
            "progress" => [report.ProgressChart()],
            "importance" => [report.ImportanceChart()],
            "parallel" => [report.ParallelCoordinates()],
            "slices" => report.SliceCharts(),
            "pareto" => state.Objectives.Length > 1 ? [report.ParetoChart()] : [],
            _ => [report.IntermediateValuesChart(IntermediateTrials(state, ids))],
        };
        var array = new JsonArray(figures.Select(f => (JsonNode?)f.ToJsonObject()).ToArray());
        var bytes = JsonSerializer.SerializeToUtf8Bytes(array);
        lock (cache)
        {
            if (cache.Figures.Count > 64) cache.Figures.Clear();
            cache.Figures[key] = (state.Version, bytes);
        }
        return bytes;
    }

    /// <summary>The curves shown: the 30 latest trials that reported, the best trial and the ones asked for.</summary>
    private static IEnumerable<Trial> IntermediateTrials(StudyState state, int[]? ids)
    {
        var chosen = new SortedDictionary<int, Trial>();
        foreach (var e in state.Entries.Reverse().Where(e => e.Trial.Measurements.Count > 0).Take(30)) chosen[e.Id] = e.Trial;
        if (state.Best is { } b && b.Trial.Measurements.Count > 0) chosen[b.Id] = b.Trial;
        if (ids is not null)
        {
            var set = ids.ToHashSet();
            foreach (var e in state.Entries) if (set.Contains(e.Id)) chosen[e.Id] = e.Trial;
        }
        return chosen.Values;
    }

    private static async Task Stop(HttpContext c, EndpointContext ctx)
    {
        if (c.Request.Headers["X-Nas-Token"] != ctx.StopToken)
        {
            await JsonError(c, 403, "The stop request lacks this page's token; use the stop button of the study page.").ConfigureAwait(false);
            return;
        }
        if (await Resolve(c, ctx, page: false).ConfigureAwait(false) is not { } r) return;
        string message;
        if (r.Watcher.Stop is { } stop)
            message = stop() ? $"Stopping study '{r.Watcher.Study}': running trials finish, no new trial starts." : $"Study '{r.Watcher.Study}' has no running search in this kernel.";
        else
        {
            try { r.Store.Use(s => { StudyStopRequest.Request(s, r.Watcher.Study); return 0; }); }
            catch (StoreUnavailableException e)
            {
                await JsonError(c, 503, e.Message).ConfigureAwait(false);
                return;
            }
            message = $"Asked the workers of study '{r.Watcher.Study}' to stop: each finishes its running trials and takes no new one (they look once a second).";
        }
        await Json(c, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["message"] = message })).ConfigureAwait(false);
    }

    private sealed class PayloadCache
    {
        public (int Epoch, long Version, byte[] Bytes)? Snapshot;
        public readonly Dictionary<string, (long Version, byte[] Bytes)> Figures = new(StringComparer.Ordinal);
    }
}
