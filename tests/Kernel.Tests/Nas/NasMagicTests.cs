using System.Text.Json.Nodes;
using NasNotebooks.Kernel.Nas;
using NasNotebooks.Magics;
using NasNotebooks.Magics.Nas;
using NasNotebooks.Runtime;

namespace NasNotebooks.Kernel.Tests.Nas;

/// <summary>In-process tests of the #!nas subcommands on real SQLite studies (outputs are checked through jupyter_client elsewhere).</summary>
[Collection("nas-studies")]
public sealed class NasMagicTests : IDisposable
{
    private readonly KernelServer _server = new(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));
    private readonly KernelHost _host;
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-magic-").FullName;

    public NasMagicTests()
    {
        NasStudies.Clear();
        _host = new KernelHost(_server, KernelMagics.CreateDefault(), restartInProcess: true);
    }

    public void Dispose()
    {
        NasStudies.Clear();
        _server.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Status(JsonObject reply) => reply["status"]!.GetValue<string>();

    private static string Error(JsonObject reply) => reply["evalue"]?.GetValue<string>() ?? "";

    private static void Ok(JsonObject reply) => Assert.True(Status(reply) == "ok", reply.ToJsonString());

    private const string Setup = """
        var space = Space.Dict().OneOf("x", 0, 1, 2, 3, 4, 5, 6, 7).OneOf("y", 0, 1, 2, 3).Build();
        Func<SymDict, double> objective = c => -Math.Abs((int)c["x"]! - 5) - Math.Abs((int)c["y"]! - 2);
        """;

    [Fact]
    public async Task Search_RunsOnSessionVariables_StoresInSqlite_AndSetsTheResult()
    {
        var db = Path.Combine(_dir, "s.db");
        Ok((await _host.ExecuteForTestAsync(Setup)));
        var reply = await _host.ExecuteForTestAsync($"#!nas search --space space --evaluator objective --algo evolution --trials 25 --study {db} --seed 3");
        Assert.True(Status(reply) == "ok", Error(reply));
        var result = ((IKernelContext)_host).GetVariable<SearchResult>("nasResult");
        Assert.Equal(25, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal("space-evolution", result.StudyName);
        Assert.True(File.Exists(db));
        var study = NasStudies.Get(null, "#!nas best");
        Assert.Equal("finished", study.State);
        Ok((await _host.ExecuteForTestAsync("#!nas best --top 3")));
        Ok((await _host.ExecuteForTestAsync("#!nas plot --kind importance")));
        Ok((await _host.ExecuteForTestAsync("#!nas status")));
        Ok((await _host.ExecuteForTestAsync($"#!nas status --study {db}")));

        // The same command continues the stored study up to the new total.
        reply = await _host.ExecuteForTestAsync($"#!nas search --space space --evaluator objective --algo evolution --trials 30 --study {db} --seed 3");
        Assert.True(Status(reply) == "ok", Error(reply));
        Assert.Equal(30, ((IKernelContext)_host).GetVariable<SearchResult>("nasResult").Trials.Count);
    }

    [Fact]
    public async Task Export_WritesCsvAndJson()
    {
        Ok((await _host.ExecuteForTestAsync(Setup)));
        Ok((await _host.ExecuteForTestAsync("#!nas search -s space -e objective --algo random --trials 6 --study memory: --name exp")));
        var csv = Path.Combine(_dir, "exp.csv");
        var json = Path.Combine(_dir, "exp.json");
        Ok((await _host.ExecuteForTestAsync($"#!nas export --output {csv}")));
        Ok((await _host.ExecuteForTestAsync($"#!nas export --format json --output {json} --name exp")));
        var lines = File.ReadAllLines(csv);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("trial,status,reward,x,y", lines[0]);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(6, doc["trials"]!.AsArray().Count);
        Assert.Equal("exp", doc["study"]!.GetValue<string>());
    }

    [Fact]
    public async Task BackgroundSearch_CanBeWatchedAndStoppedFromOtherCells()
    {
        Ok((await _host.ExecuteForTestAsync("""
            var space = Space.Dict().Int("x", 0, 1000).Build();
            Func<SymDict, TrialFeedback, CancellationToken, Task> slow = async (c, fb, ct) => { await Task.Delay(50, ct); fb.Done((int)c["x"]!); };
            """)));
        Ok((await _host.ExecuteForTestAsync("#!nas search -s space -e slow --algo random --trials 100000 --study memory: --name bg --background")));
        var study = NasStudies.Get("bg", "#!nas status");
        Assert.Equal("running", study.State);
        await Task.Delay(500);
        Ok((await _host.ExecuteForTestAsync("#!nas status")));
        Ok((await _host.ExecuteForTestAsync("#!nas stop --name bg")));
        Assert.Equal("stopped", study.State);
        int kept = study.Trials.Count(t => t.Status == TrialStatus.Completed);
        Assert.True(kept > 0);
        Ok((await _host.ExecuteForTestAsync("#!nas best --name bg")));
    }

    [Theory]
    [InlineData("#!nas search --space nope --evaluator objective", "no variable 'nope' (--space)")]
    [InlineData("#!nas search --space space --evaluator missing", "no variable 'missing' (--evaluator)")]
    [InlineData("#!nas search --space space --evaluator space", "--evaluator space")]
    [InlineData("#!nas search --space space --evaluator objective --algo magic", "--algo magic: unknown algorithm")]
    [InlineData("#!nas search --space space --evaluator objective --trials 0", "--trials must be at least 1")]
    [InlineData("#!nas search --space space --evaluator objective --study ftp://x", "--study ftp://x")]
    [InlineData("#!nas search --space space --evaluator objective --device cuda", "--device cuda")]
    [InlineData("#!nas search --space space --evaluator objective --bogus 1", "unknown option --bogus")]
    [InlineData("#!nas best --name nobody", "unknown study 'nobody'")]
    [InlineData("#!nas plot --kind pie", "pie")]
    [InlineData("#!nas export --format xml", "xml")]
    public async Task BadArguments_AreUsageErrorsNamingTheArgument(string line, string expected)
    {
        Ok((await _host.ExecuteForTestAsync(Setup)));
        if (!line.Contains("--name nobody") && !line.StartsWith("#!nas search"))
            Ok((await _host.ExecuteForTestAsync("#!nas search -s space -e objective --algo random --trials 3 --study memory:")));
        var reply = await _host.ExecuteForTestAsync(line);
        Assert.Equal("error", Status(reply));
        Assert.Equal("MagicUsageError", reply["ename"]!.GetValue<string>());
        Assert.Contains(expected, Error(reply));
    }

    [Fact]
    public async Task Pareto_NeedsSeveralObjectives_AndShowsTheFront()
    {
        Ok((await _host.ExecuteForTestAsync("""
            var space = Space.Dict().OneOf("x", 0, 1, 2, 3, 4, 5, 6, 7).Build();
            Func<SymDict, Reward> two = c => new Reward((int)c["x"]!, -(int)c["x"]! * (int)c["x"]! % 5);
            """)));
        Ok((await _host.ExecuteForTestAsync("#!nas search -s space -e two --algo nsga2 --trials 16 --study memory: --objectives accuracy,-params")));
        Ok((await _host.ExecuteForTestAsync("#!nas pareto")));
        Ok((await _host.ExecuteForTestAsync("#!nas plot --kind pareto")));
    }
}
