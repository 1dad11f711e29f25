using System.Diagnostics;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.Tests.Studies;

namespace NasNotebooks.Kernel.Tests.Cli;

/// <summary>
/// `nasnotebooks worker` when the world moves: SIGTERM/SIGINT mid-trial (the trial is given back at once, the
/// worker exits cleanly), and a PostgreSQL server stopped and restarted under three workers (they wait and carry on).
/// </summary>
public sealed class WorkerResilienceTests : IDisposable
{
    private readonly string _dir = PythonJupyter.NewTempDir("nasnb-worker-resilience");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void A_signal_mid_trial_gives_the_trial_back_at_once_and_exits_cleanly(string signal)
    {
        var store = Path.Combine(_dir, "signal.db");
        var digits = Path.Combine(WorkerErrorTests.FindRepo(), "data", "digits.csv.gz");
        // 500 epochs: the first trial is still training when the signal comes. The lease is the default 60 s.
        string[] Args(string id, int epochs) => ["worker", "--study", store, "--name", "sig", "--preset", "digits-mlp", "--trials", "2", "--epochs", $"{epochs}", "--data", digits, "--worker-id", id];
        using var first = CliProcess.Start(Args("first", 500));
        first.WaitForLine(l => l == "trial 1 started", TimeSpan.FromMinutes(2), "trial 1 to start");
        Thread.Sleep(500);
        var sw = Stopwatch.StartNew();
        first.Signal(signal);
        first.WaitForExit(TimeSpan.FromSeconds(30));
        var stopped = sw.Elapsed;
        Assert.True(first.ExitCode == 0, first.Transcript);
        Assert.Contains($"SIG{signal}: stopping; the trial in progress is given back to the study", first.Err);
        Assert.Contains($"SIG{signal}: stopped cleanly", first.Err);
        Assert.True(stopped < TimeSpan.FromSeconds(15), $"the worker took {stopped} to stop");

        // Another worker is served trial 1 again at once, not after the 60 s lease.
        sw.Restart();
        using var second = CliProcess.Start(Args("second", 1));
        second.WaitForLine(l => l.StartsWith("trial 1 started", StringComparison.Ordinal), TimeSpan.FromSeconds(45), "trial 1 to be served again");
        var served = sw.Elapsed;
        Assert.Equal("trial 1 started (served again)", second.Out.First(l => l.StartsWith("trial 1 started", StringComparison.Ordinal)));
        Assert.True(served < TimeSpan.FromSeconds(45), $"trial 1 was served again after {served}");
        second.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.True(second.ExitCode == 0, second.Transcript);
        using var s = StudyStore.Open(store);
        var trials = s.GetTrials("sig");
        Assert.Equal([(1, TrialStatus.Completed, "second"), (2, TrialStatus.Completed, "second")], trials.Select(t => (t.Id, t.Status, t.Worker)));
    }
}

/// <summary>Three workers on a real PostgreSQL server that is stopped (`pg_ctl stop -m fast`) and started again mid-run.</summary>
public sealed class WorkerPostgresRestartTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _dir = PythonJupyter.NewTempDir("nasnb-worker-pgrestart");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Workers_wait_for_a_restarting_server_and_carry_on_without_duplicates_or_losses()
    {
        const int total = 300;
        server.CreateDatabase("restart");
        var url = $"postgres://nas@127.0.0.1:{server.Port}/restart";
        var table = WorkerFixtures.Table(Path.Combine(_dir, "t.csv"));
        var workers = Enumerable.Range(1, 3).Select(i => CliProcess.Start(WorkerFixtures.Nb201(url, "restart", table, total, "--worker-id", $"w{i}"))).ToList();
        try
        {
            var sw = Stopwatch.StartNew();
            while (workers.Sum(w => w.Completed.Count) < total / 5)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), "the workers did not get going:\n" + string.Join("\n", workers.Select(w => w.Transcript)));
                Assert.True(workers.All(w => !w.HasExited), "a worker ended before the restart:\n" + string.Join("\n", workers.Select(w => w.Transcript)));
                Thread.Sleep(20);
            }
            int before = workers.Sum(w => w.Completed.Count);
            server.Stop();
            Thread.Sleep(5000);
            server.Start();
            foreach (var w in workers) w.WaitForExit(TimeSpan.FromMinutes(3));

            foreach (var w in workers)
            {
                Assert.True(w.ExitCode == 0, w.Transcript);
                Assert.Contains(w.Err, l => l.StartsWith($"warning: study store {url}: ", StringComparison.Ordinal) && l.Contains("retrying for up to", StringComparison.Ordinal));
                Assert.Contains(w.Err, l => l.StartsWith($"warning: study store {url}: available again after ", StringComparison.Ordinal));
                Assert.DoesNotContain(w.Err, l => l.StartsWith("error: ", StringComparison.Ordinal));
            }
            Assert.True(before < total, "the run ended before the server stopped");
            var done = workers.SelectMany(w => w.Completed).ToList();
            Assert.Equal(done.Count, done.Distinct().Count()); // 0 duplicates
            Assert.Equal(Enumerable.Range(1, total), done.Order()); // 0 lost
            using var store = StudyStore.Open(url);
            var trials = store.GetTrials("restart");
            Assert.Equal(Enumerable.Range(1, total), trials.Select(t => t.Id));
            Assert.All(trials, t => Assert.True(t.Status == TrialStatus.Completed, $"trial {t.Id} is {t.Status} ({t.Reason})"));
            foreach (var (w, i) in workers.Select((w, i) => (w, i)))
                foreach (var id in w.Completed) Assert.Equal($"w{i + 1}", trials[id - 1].Worker);
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }
}
