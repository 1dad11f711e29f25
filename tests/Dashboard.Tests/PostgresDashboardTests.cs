using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.Tests.Studies;

namespace NasNotebooks.Dashboard.Tests;

/// <summary>The dashboard over a real PostgreSQL server: studies listed, a trial written from another connection shown, and the server going away reported while the dashboard keeps running.</summary>
public sealed class PostgresDashboardTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<JsonNode> Json(Uri url) => JsonNode.Parse(await Http.GetStringAsync(url))!;

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), what + " did not happen within 20 s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_PostgreSQL_store_is_followed_live_and_its_outage_is_shown()
    {
        var pg = new PostgresServer();
        try
        {
            pg.CreateDatabase("dash");
            var url = $"postgres://nas@127.0.0.1:{pg.Port}/dash";
            using var writer = StudyStore.Open(url);
            TestStudies.WriteDemo(writer, trials: 6);
            await using var server = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse(url)] });
            var list = await Json(new Uri(server.Url, "api/studies"));
            var store = list["stores"]![0]!;
            Assert.Equal(("postgres", url), (store["key"]!.GetValue<string>(), store["location"]!.GetValue<string>()));
            Assert.Equal(6, store["studies"]![0]!["total"]!.GetValue<int>());
            var api = new Uri(server.Url, "api/study?store=postgres&name=demo");
            Assert.Equal(6, (await Json(api))["trials"]!.AsArray().Count);

            TestStudies.WriteDemo(writer, trials: 7);
            await Until(async () => (await Json(api))["trials"]!.AsArray().Count == 7, "the 7th trial showing");

            pg.Dispose();
            // The first read after the stop says the store could not be read; once a watcher has seen that and closed the
            // store, reads try to open it again and say it is unreachable. Which one a request meets depends on timing.
            await Until(async () => (await Json(api))["error"] is JsonValue e && e.GetValue<string>() is var error &&
                (error.StartsWith($"The study store {url} could not be read:", StringComparison.Ordinal) ||
                 error.StartsWith($"The study store {url} is unreachable:", StringComparison.Ordinal)),
                "the outage showing");
            Assert.Equal(7, (await Json(api))["trials"]!.AsArray().Count);
            using var page = await Http.GetAsync(new Uri(server.Url, "study?store=postgres&name=demo"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Contains("Study store unavailable", await page.Content.ReadAsStringAsync());
            // The studies list is read at most once a second.
            await Until(async () => (await Json(new Uri(server.Url, "api/studies")))["stores"]![0]!["error"] is JsonValue e && e.GetValue<string>().Contains(url, StringComparison.Ordinal),
                "the outage showing on the studies list");
        }
        finally { pg.Dispose(); }
    }
}
