using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

using NasNotebooks.Tests;

namespace NasNotebooks.Runtime.Tests.Studies;

using Search = NasNotebooks.Runtime.Search;

/// <summary>Checks shared by the multi-process tests.</summary>
internal static class StudyChecks
{
    /// <summary>The first <paramref name="n"/> proposals of a seeded random search, made one after the other.</summary>
    public static IReadOnlyList<Dna> SeededSequence(int seed, int n)
    {
        var alg = new SeededRandomSearch(seed);
        alg.Setup(Space.Spec(TestSpaces.Flat()));
        return Enumerable.Range(0, n).Select(_ => alg.Propose()).ToArray();
    }

    /// <summary>Every trial 1..n completed once, no trial completed by two workers, and the DNAs are the seeded sequence.</summary>
    public static void AssertAllCompletedOnce(IReadOnlyList<Trial> trials, IReadOnlyList<(string Worker, WorkerProcess Process)> workers, int n, int seed)
    {
        Assert.Equal(Enumerable.Range(1, n), trials.Select(t => t.Id));
        Assert.All(trials, t => Assert.True(t.Status == TrialStatus.Completed, $"trial {t.Id} is {t.Status} ({t.Reason})"));
        var doneBy = workers.SelectMany(w => w.Process.Done.Select(id => (Id: id, w.Worker))).ToList();
        var twice = doneBy.GroupBy(d => d.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Worker))}").ToList();
        Assert.True(twice.Count == 0, "trials evaluated to completion more than once: " + string.Join("; ", twice));
        foreach (var (id, worker) in doneBy) Assert.Equal(worker, trials[id - 1].Worker);
        Assert.Equal(SeededSequence(seed, n), trials.Select(t => t.Dna));
        Assert.Equal(n, trials.Select(t => t.Dna).Distinct().Count());
    }

    public static string[] WorkerArgs(string store, string study, int trials, string worker, int delayMs, int leaseMs, int seed) =>
        ["--store", store, "--study", study, "--trials", trials.ToString(), "--worker", worker, "--delay-ms", delayMs.ToString(),
         "--lease-ms", leaseMs.ToString(), "--seed", seed.ToString(), "--algorithm", "random"];
}

public class SqliteMultiProcessTests
{
    [Fact]
    public void Two_worker_processes_share_one_sqlite_file_without_duplicates()
    {
        using var dir = new TempDir();
        var path = dir.File("shared.db");
        var go = dir.File("go");
        var workers = Enumerable.Range(0, 2)
            .Select(i => ($"w{i}", WorkerProcess.Start([.. StudyChecks.WorkerArgs(path, "pair", 100, $"w{i}", 8, 5000, 3), "--wait-for", go]))).ToList();
        try
        {
            // Both processes are started before either searches, so that neither can take the whole study alone.
            WorkerProcess.WaitUntil(() => workers.All(w => w.Item2.Lines.Contains("ready") || w.Item2.HasExited), TimeSpan.FromSeconds(60), "both workers to start");
            File.WriteAllText(go, "");
            foreach (var (_, p) in workers) p.WaitForExit(TimeSpan.FromSeconds(60));
            using var store = StudyStore.Open(path);
            StudyChecks.AssertAllCompletedOnce(store.GetTrials("pair"), workers, 100, 3);
            Assert.All(workers, w => Assert.Contains("finished MaxTrials", w.Item2.Lines));
            // Both processes did share the work: each completed trials of its own.
            Assert.All(workers, w => Assert.True(w.Item2.Done.Count > 0, $"{w.Item1} completed no trial: the other worker did all 100"));
        }
        finally { foreach (var (_, p) in workers) p.Dispose(); }
    }

    [Fact]
    public void Four_workers_on_quick_trials_each_complete_a_fair_share()
    {
        // Trials that take no time: the workers spend their lives claiming and recording, i.e. competing for the
        // file's write lock. SQLite's busy wait let one or two workers take nearly all trials; the store's turns
        // (SqliteWriteTurns) serve them in order. A start line removes start-up skew from the picture.
        using var dir = new TempDir();
        var path = dir.File("fair.db");
        var go = dir.File("go");
        const int total = 200, seed = 9;
        var workers = Enumerable.Range(0, 4)
            .Select(i => ($"w{i}", WorkerProcess.Start([.. StudyChecks.WorkerArgs(path, "fair", total, $"w{i}", 0, 60_000, seed), "--wait-for", go]))).ToList();
        try
        {
            WorkerProcess.WaitUntil(() => workers.All(w => w.Item2.Lines.Contains("ready") || w.Item2.HasExited), TimeSpan.FromSeconds(60), "the workers to open the store");
            File.WriteAllText(go, "");
            foreach (var (_, p) in workers) p.WaitForExit(TimeSpan.FromSeconds(90));
            using var store = StudyStore.Open(path);
            var trials = store.GetTrials("fair");
            StudyChecks.AssertAllCompletedOnce(trials, workers, total, seed);
            // How many trials ended while each one was in flight (the issue saw one trial stay in flight while ~110 ended).
            var longest = trials.Max(t => trials.Count(o => o.Id != t.Id && o.EndedAt > t.CreatedAt && o.EndedAt < t.EndedAt));
            var shares = string.Join(", ", workers.Select(w => $"{w.Item1}: {w.Item2.Done.Count}"));
            Assert.All(workers, w => Assert.True(w.Item2.Done.Count >= total / 10, $"{w.Item1} completed {w.Item2.Done.Count} of {total} trials ({shares}; at most {longest} trials ended while one was in flight)"));
        }
        finally { foreach (var (_, p) in workers) p.Dispose(); }
    }

    [Fact]
    public void A_trial_held_by_a_killed_process_of_this_machine_is_served_again_at_once_not_after_its_lease()
    {
        using var dir = new TempDir();
        var path = dir.File("dead.db");
        const int total = 8, seed = 4;
        var lease = TimeSpan.FromMinutes(5); // far longer than the test may take: only the dead-holder check can free the trial
        int held;
        string holder;
        // No --worker: the child uses a default id (HOST/PID/SUFFIX), as the kernel's #!nas search and the worker command do.
        using (var child = WorkerProcess.Start("--store", path, "--study", "dead", "--trials", $"{total}", "--algorithm", "random",
                   "--seed", $"{seed}", "--lease-ms", $"{(int)lease.TotalMilliseconds}", "--hang-after", "3"))
        {
            WorkerProcess.WaitUntil(() => child.Hanging is not null || child.HasExited, TimeSpan.FromSeconds(60), "the child to hang in trial 4");
            Assert.False(child.HasExited, "the child exited early: " + child.Errors);
            held = child.Hanging!.Value;
            child.Kill();
        }
        using (var store = StudyStore.Open(path))
        {
            var before = store.GetTrials("dead");
            Assert.Equal(TrialStatus.Pending, before[held - 1].Status);
            holder = before[held - 1].Worker!;
            Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(Environment.MachineName)}/[0-9]+/[0-9a-f]{{8}}$", holder);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var options = new SearchOptions { Store = store, StudyName = "dead", MaxTrials = total, LeaseDuration = lease };
            foreach (var (candidate, feedback) in Search.Sample(TestSpaces.Flat(), new SeededRandomSearch(seed), options))
                feedback.Done(TestSpaces.Objective(candidate));
            var after = store.GetTrials("dead");
            Assert.Equal(Enumerable.Range(1, total), after.Select(t => t.Id));
            Assert.All(after, t => Assert.Equal(TrialStatus.Completed, t.Status));
            Assert.NotEqual(holder, after[held - 1].Worker);
            Assert.True(clock.Elapsed < lease / 2, $"the resumed search took {clock.Elapsed}: it waited for the dead child's lease");
        }
    }

    [Fact]
    public void Dead_holder_check_takes_only_default_ids_of_this_machine_whose_process_is_gone()
    {
        string host = Environment.MachineName;
        Assert.False(LocalWorkerIds.IsDeadLocalProcess(null));
        Assert.False(LocalWorkerIds.IsDeadLocalProcess("w1"));                                             // a custom id
        Assert.False(LocalWorkerIds.IsDeadLocalProcess($"{host}/{Environment.ProcessId}/0123abcd"));         // this process
        Assert.False(LocalWorkerIds.IsDeadLocalProcess($"another-{host}/999999/0123abcd"));                 // another machine
        Assert.False(LocalWorkerIds.IsDeadLocalProcess($"{host}/{System.Diagnostics.Process.GetProcesses().First(p => p.Id != Environment.ProcessId && p.Id > 1).Id}/0123abcd")); // alive
        Assert.False(LocalWorkerIds.IsDeadLocalProcess($"{host}/abc/0123abcd"));
        Assert.False(LocalWorkerIds.IsDeadLocalProcess($"{host}/999999999/not-hex!"));
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        Assert.True(LocalWorkerIds.IsDeadLocalProcess($"{host}/{gone.Id}/0123abcd"));
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(host)}/{Environment.ProcessId}/[0-9a-f]{{8}}$", LocalWorkerIds.NewId());
    }

    [Fact]
    public void A_search_killed_mid_way_resumes_from_the_file_with_the_same_proposals()
    {
        using var dir = new TempDir();
        var path = dir.File("crash.db");
        const int total = 40, seed = 11, leaseMs = 800;
        IReadOnlyList<Trial> before;
        using (var child = WorkerProcess.Start("--store", path, "--study", "crash", "--trials", $"{total}", "--algorithm", "hill",
                   "--seed", $"{seed}", "--delay-ms", "5", "--lease-ms", $"{leaseMs}", "--worker", "child", "--hang-after", "12"))
        {
            WorkerProcess.WaitUntil(() => child.Hanging is not null || child.HasExited, TimeSpan.FromSeconds(30), "the child to reach trial 13");
            Assert.False(child.HasExited, "the child exited early: " + child.Errors);
            Thread.Sleep(leaseMs / 2); // at least one heartbeat while evaluating
            child.Kill();
            Assert.Equal(13, child.Hanging);
            using var store = StudyStore.Open(path);
            before = store.GetTrials("crash");
            Assert.Equal(Enumerable.Range(1, 12), child.Done);
        }
        var completedBefore = before.Where(t => t.Status == TrialStatus.Completed).ToList();
        Assert.Equal(Enumerable.Range(1, 12), completedBefore.Select(t => t.Id));
        Assert.Equal((13, TrialStatus.Pending, "child"), (before.Count, before[^1].Status, before[^1].Worker));
        Thread.Sleep(leaseMs + 200); // the dead child's lease runs out

        IReadOnlyList<Trial> after;
        using (var store = StudyStore.Open(path))
        {
            var options = new SearchOptions { Store = store, StudyName = "crash", MaxTrials = total, LeaseDuration = TimeSpan.FromMilliseconds(leaseMs), WorkerId = "resumed" };
            foreach (var (candidate, feedback) in Search.Sample(TestSpaces.Flat(), new SeededHillClimber(seed), options))
                feedback.Done(TestSpaces.Objective(candidate));
            after = store.GetTrials("crash");
        }
        var uninterrupted = Search.Sample(TestSpaces.Flat(), new SeededHillClimber(seed), new SearchOptions { MaxTrials = total });
        foreach (var (candidate, feedback) in uninterrupted) feedback.Done(TestSpaces.Objective(candidate));
        var reference = uninterrupted.Result.Trials;

        Assert.Equal(reference.Select(t => t.Dna), after.Select(t => t.Dna));
        Assert.Equal(reference.Select(t => t.FinalReward), after.Select(t => t.FinalReward));
        Assert.All(after, t => Assert.Equal(TrialStatus.Completed, t.Status));
        foreach (var t in completedBefore)
        {
            var kept = after[t.Id - 1];
            Assert.Equal(("child", t.EndedAt, t.FinalReward), (kept.Worker, kept.EndedAt, kept.FinalReward));
        }
        Assert.All(after.Skip(completedBefore.Count), t => Assert.Equal("resumed", t.Worker));
    }
}

/// <summary>
/// Crash-resume with the real algorithms: a worker process running evolution, TPE or bananas on a SQLite study is
/// SIGKILLed again and again at random points (most of its time goes to store writes: claims, which run the
/// algorithm's proposal inside the transaction, and finishes), restarted each time with the same worker id, and the
/// finished study must be exactly the uninterrupted run: same DNAs in the same order, same rewards, every trial
/// completed once.
/// </summary>
public class SqliteKillAtRandomPointsTests
{
    [Theory]
    [InlineData("evolution", 60)]
    [InlineData("tpe", 60)]
    [InlineData("bananas", 40)]
    public void A_real_algorithm_killed_at_random_points_during_store_writes_resumes_exactly(string algorithm, int total)
    {
        using var dir = new TempDir();
        var flagPath = dir.File("write.flag");
        const int seed = 4, maxIncarnations = 40;
        var rng = new Random(algorithm.Length * 7919 + 1);
        var uninterrupted = Search.Sample(TestSpaces.Flat(), NasNotebooks.Runtime.Algorithms.AlgorithmCatalog.Create(algorithm, seed), new SearchOptions { MaxTrials = total });
        foreach (var (candidate, feedback) in uninterrupted) feedback.Done(TestSpaces.Objective(candidate));
        var reference = uninterrupted.Result.Trials;

        // Kill until 6 kills in all have landed, 3 of them during a store write; a study that the worker finishes
        // before that (a loaded machine notices a finished trial late) is checked and the next one is started.
        var kills = new List<string>();
        bool Enough() => kills.Count >= 6 && kills.Count(k => k != "none") >= 3;
        int incarnations = 0, studies = 0;
        while (!Enough())
        {
            var path = dir.File($"kills{++studies}.db");
            var killsBefore = kills.Count;
            while (true)
            {
                Assert.True(++incarnations <= maxIncarnations, $"not enough kills in {maxIncarnations} worker processes: {string.Join(", ", kills)}");
                using var child = WorkerProcess.Start("--store", path, "--study", "kills", "--trials", $"{total}", "--algorithm", algorithm,
                    "--seed", $"{seed}", "--worker", "child", "--write-flag", flagPath, "--lease-ms", "60000");
                if (!Enough())
                {
                    // Each incarnation first finishes a trial (the one a previous kill left pending is served first, so
                    // no trial is killed twice in a row and abandoned as a poison trial); then it dies 0-5 ms later.
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    while (!child.HasExited && child.Done.Count == 0)
                    {
                        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"the child finished no trial in 60 s: {child.Errors}");
                        Thread.Sleep(1);
                    }
                    if (!child.HasExited)
                    {
                        Thread.Sleep(rng.Next(0, 6));
                        child.Kill();
                        kills.Add(WriteFlag.NameOf(File.ReadAllBytes(flagPath)[0]));
                        continue;
                    }
                }
                child.WaitForExit(TimeSpan.FromSeconds(120));
                Assert.Contains("finished MaxTrials", child.Lines);
                break;
            }
            // Every study, however often it was killed, is exactly the uninterrupted run.
            using var store = StudyStore.Open(path);
            var trials = store.GetTrials("kills");
            string where = $"study {studies}: {kills.Count - killsBefore} kills, landing in: {string.Join(", ", kills.Skip(killsBefore))}";
            Assert.Equal(Enumerable.Range(1, total), trials.Select(t => t.Id));
            Assert.All(trials, t => Assert.True(t.Status == TrialStatus.Completed, $"trial {t.Id} is {t.Status} ({t.Reason}); {where}"));
            Assert.Equal(reference.Select(t => t.Dna), trials.Select(t => t.Dna));
            Assert.Equal(reference.Select(t => t.FinalReward), trials.Select(t => t.FinalReward));
            Console.WriteLine($"{algorithm}, {where}");
        }
    }
}

public class PostgresStudyStoreTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public void Four_workers_share_a_study_and_a_killed_workers_trial_is_served_again()
    {
        var cs = server.CreateDatabase("multi");
        const int total = 200, seed = 5, leaseMs = 1500;
        var workers = Enumerable.Range(0, 4)
            .Select(i => ($"w{i}", WorkerProcess.Start([.. StudyChecks.WorkerArgs(cs, "four", total, $"w{i}", 20, leaseMs, seed), .. (i == 0 ? new[] { "--hang-after", "3" } : [])]))).ToList();
        try
        {
            var victim = workers[0].Item2;
            WorkerProcess.WaitUntil(() => victim.Hanging is not null || victim.HasExited, TimeSpan.FromSeconds(40), "w0 to hang mid-evaluation");
            Assert.False(victim.HasExited, "w0 exited early: " + victim.Errors);
            victim.Kill();
            var orphans = victim.Started.Except(victim.Done).ToList();
            foreach (var (_, p) in workers.Skip(1)) p.WaitForExit(TimeSpan.FromSeconds(60));

            using var store = StudyStore.Open(cs);
            var trials = store.GetTrials("four");
            StudyChecks.AssertAllCompletedOnce(trials, workers, total, seed);
            Assert.Equal([victim.Hanging!.Value], orphans);
            Assert.Equal(3, victim.Done.Count);
            var reserved = trials[orphans[0] - 1];
            Assert.NotEqual("w0", reserved.Worker);
            Assert.Contains(orphans[0], workers.Skip(1).SelectMany(w => w.Item2.Done));
            Assert.All(workers.Skip(1), w => Assert.NotEmpty(w.Item2.Done));
        }
        finally { foreach (var (_, p) in workers) p.Dispose(); }
    }

    [Fact]
    public void Study_round_trips_and_rejects_a_different_space()
    {
        var cs = server.CreateDatabase("roundtrip");
        IReadOnlyList<Trial> expected;
        using (var memory = new InMemoryStudyStore())
        {
            SqliteStudyStoreTests.Script(memory, "s1");
            expected = memory.GetTrials("s1");
        }
        using (var store = StudyStore.Open(cs))
        {
            Assert.IsType<PostgresStudyStore>(store);
            SqliteStudyStoreTests.Script(store, "s1");
            store.SetMetadata("s1", "note", "pg");
        }
        using (var store = StudyStore.Open($"postgres://nas@127.0.0.1:{server.Port}/roundtrip"))
        {
            var info = store.FindStudy("s1")!;
            Assert.Equal(TestSpaces.Flat().ToJson(), info.SpaceJson);
            Assert.Equal("pg", info.Metadata["note"]);
            var actual = store.GetTrials("s1");
            Assert.Equal(expected.Select(t => (t.Id, t.Dna, t.Status, t.FinalReward, t.Reason)), actual.Select(t => (t.Id, t.Dna, t.Status, t.FinalReward, t.Reason)));
            Assert.Equal(expected.Select(t => t.Measurements.Count), actual.Select(t => t.Measurements.Count));
            var e = Assert.Throws<StudySpaceMismatchException>(() =>
            {
                foreach (var (_, f) in Search.Sample(TestSpaces.Other(), new SeededRandomSearch(1), new SearchOptions { Store = store, StudyName = "s1" })) f.Done(1);
            });
            Assert.StartsWith("study 's1' was created for a different space: decision 1 was 'a: choice of 10', now 'a: choice of 12'", e.Message);
        }
    }

    [Fact]
    public void A_database_with_foreign_tables_is_rejected()
    {
        var cs = server.CreateDatabase("alien");
        using (var c = new Npgsql.NpgsqlConnection(cs))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE trials (x int); INSERT INTO trials VALUES (1);";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<StudyStoreFormatException>(() => StudyStore.Open(cs));
        Assert.StartsWith($"PostgreSQL database postgres://nas@127.0.0.1:{server.Port}/alien is a database but not a NasNotebooks study store: it has no schema_version table (tables: trials).", e.Message);
    }
}
