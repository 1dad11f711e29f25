using System.Data.Common;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

using NasNotebooks.Tests;

namespace NasNotebooks.Runtime.Tests.Studies;

public class StudyWorkerTests
{
    [Fact]
    public async Task A_transient_store_error_after_a_proposal_is_retried_and_the_algorithm_rebuilt()
    {
        using var inner = new InMemoryStudyStore();
        var store = new FlakyStore(inner, failClaims: [5, 9]);
        var ended = new List<int>();
        var result = await StudyWorker.RunAsync(store, "flaky", TestSpaces.Flat(), () => new SeededRandomSearch(21),
            (candidate, feedback, ct) => { feedback.Done(TestSpaces.Objective(candidate)); return Task.CompletedTask; },
            new SearchOptions { MaxTrials = 20, TrialEnded = t => { lock (ended) ended.Add(t.Id); } });
        Assert.Equal(StopReason.MaxTrials, result.StopReason);
        Assert.Equal(2, store.Failures);
        Assert.Equal(StudyChecks.SeededSequence(21, 20), result.Trials.Select(t => t.Dna));
        Assert.Equal(Enumerable.Range(1, 20), ended);
    }

    [Fact]
    public async Task Two_in_process_workers_on_one_store_follow_the_seeded_sequence()
    {
        using var store = new InMemoryStudyStore();
        Task<SearchResult> Worker(string id) => StudyWorker.RunAsync(store, "pair", TestSpaces.Flat(), () => new SeededRandomSearch(8),
            async (candidate, feedback, ct) => { await Task.Delay(2, ct); feedback.Done(TestSpaces.Objective(candidate)); },
            new SearchOptions { MaxTrials = 40, WorkerId = id, Parallelism = 2 });
        var results = await Task.WhenAll(Worker("a"), Worker("b"));
        var trials = store.GetTrials("pair");
        Assert.Equal(StudyChecks.SeededSequence(8, 40), trials.Select(t => t.Dna));
        Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.All(results, r => Assert.Equal(StopReason.MaxTrials, r.StopReason));
    }

    internal sealed class TransientException() : DbException("connection reset (simulated)")
    {
        public override bool IsTransient => true;
    }

    [Fact]
    public async Task Transient_errors_recording_trials_are_retried_and_reported_once_per_outage()
    {
        using var inner = new InMemoryStudyStore();
        // The 3rd and 4th calls to FinishTrial fail before reaching the store (one outage, two tries); the 7th is
        // recorded but its answer is lost (as when the connection drops after the commit); measurement 2 fails once.
        var store = new FlakyStore(inner, failClaims: [], failFinishes: [3, 4], lostFinishes: [7], failMeasurements: [2]);
        var ended = new List<int>();
        var messages = new List<string>();
        var result = await StudyWorker.RunAsync(store, "flaky", TestSpaces.Flat(), () => new SeededRandomSearch(4),
            (candidate, feedback, ct) => { feedback.Report(1, 0.5); feedback.Done(TestSpaces.Objective(candidate)); return Task.CompletedTask; },
            new SearchOptions { MaxTrials = 10, TrialEnded = t => ended.Add(t.Id), StoreRetrying = m => { lock (messages) messages.Add(m); } });
        Assert.Equal(StopReason.MaxTrials, result.StopReason);
        Assert.Equal(4, store.Failures);
        Assert.Equal(Enumerable.Range(1, 10), ended);
        Assert.All(result.Trials, t => Assert.Equal((TrialStatus.Completed, 1), (t.Status, t.Measurements.Count)));
        Assert.Equal(StudyChecks.SeededSequence(4, 10), result.Trials.Select(t => t.Dna));
        // One message when an outage starts and one when it ends, for each of the three outages.
        Assert.Equal("study store memory:: recording a measurement failed (connection reset (simulated)); retrying for up to 2.0 min", messages[0]);
        Assert.StartsWith("study store memory:: available again after ", messages[1]);
        Assert.Equal(2, messages.Count(m => m == "study store memory:: recording a trial failed (connection reset (simulated)); retrying for up to 2.0 min"));
        Assert.Equal(3, messages.Count(m => m.Contains(": available again after ", StringComparison.Ordinal) && m.EndsWith("; carrying on", StringComparison.Ordinal)));
        Assert.Equal(6, messages.Count);
    }

    [Fact]
    public async Task A_store_down_for_longer_than_the_retry_window_ends_the_run_with_its_error()
    {
        using var inner = new InMemoryStudyStore();
        var store = new FlakyStore(inner, failClaims: [], failFinishes: Enumerable.Range(1, 1000).ToArray());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TransientException>(() => StudyWorker.RunAsync(store, "down", TestSpaces.Flat(), () => new SeededRandomSearch(4),
            (candidate, feedback, ct) => { feedback.Done(1); return Task.CompletedTask; },
            new SearchOptions { MaxTrials = 10, StoreRetryWindow = TimeSpan.FromMilliseconds(600), StoreRetrying = _ => { } }));
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(30));
        Assert.InRange(store.Failures, 3, 20);
    }

    [Fact]
    public async Task A_lasting_store_error_is_not_retried()
    {
        using var inner = new InMemoryStudyStore();
        var store = new FlakyStore(inner, failClaims: [], failFinishes: [1], lasting: true);
        var messages = new List<string>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => StudyWorker.RunAsync(store, "bad", TestSpaces.Flat(), () => new SeededRandomSearch(4),
            (candidate, feedback, ct) => { feedback.Done(1); return Task.CompletedTask; },
            new SearchOptions { MaxTrials = 10, StoreRetrying = messages.Add }));
        Assert.Equal(1, store.Failures);
        Assert.Empty(messages);
    }

    /// <summary>
    /// Fails chosen claims with a transient error after the algorithm proposed (the claim is not recorded), chosen
    /// finishes and measurements before they reach the store, and chosen finishes after it recorded them.
    /// </summary>
    private sealed class FlakyStore(IStudyStore inner, int[] failClaims, int[]? failFinishes = null, int[]? lostFinishes = null,
        int[]? failMeasurements = null, bool lasting = false) : IStudyStore
    {
        private int _claims, _finishes, _measurements;
        public int Failures { get; private set; }
        public string Location => inner.Location;
        public bool IsShared => inner.IsShared;
        public StudyInfo OpenOrCreateStudy(StudyDefinition definition) => inner.OpenOrCreateStudy(definition);
        public StudyInfo? FindStudy(string name) => inner.FindStudy(name);
        public IReadOnlyList<string> ListStudies() => inner.ListStudies();
        public IReadOnlyList<Trial> GetTrials(string study) => inner.GetTrials(study);

        public ClaimResult Claim(string study, ClaimRequest request)
        {
            if (!failClaims.Contains(++_claims)) return inner.Claim(study, request);
            var probe = new ClaimRequest
            {
                Worker = request.Worker,
                SyncFromId = request.SyncFromId,
                Propose = rows => { request.Propose(rows); Failures++; throw new TransientException(); },
            };
            return inner.Claim(study, probe);
        }

        public void AddMeasurement(string study, int trialId, Measurement measurement)
        {
            if ((failMeasurements ?? []).Contains(++_measurements)) Fail();
            inner.AddMeasurement(study, trialId, measurement);
        }

        public bool FinishTrial(string study, int trialId, TrialOutcome outcome)
        {
            ++_finishes;
            if ((failFinishes ?? []).Contains(_finishes)) Fail();
            var recorded = inner.FinishTrial(study, trialId, outcome);
            if ((lostFinishes ?? []).Contains(_finishes)) Fail();
            return recorded;
        }

        private void Fail()
        {
            Failures++;
            if (lasting) throw new InvalidOperationException("the store refused (simulated)");
            throw new TransientException();
        }

        public bool RenewLease(string study, int trialId, string worker, TimeSpan lease) => inner.RenewLease(study, trialId, worker, lease);
        public void ReleaseTrial(string study, int trialId, string worker) => inner.ReleaseTrial(study, trialId, worker);
        public void SetMetadata(string study, string key, string? value) => inner.SetMetadata(study, key, value);
        public void Dispose() { }
    }
}

public class StableWorkerIdTests
{
    [Fact]
    public void A_restarted_worker_with_a_stable_id_takes_back_its_trial_at_once()
    {
        using var dir = new TempDir();
        using var store = StudyStore.Open(dir.File("stable.db"));
        var spec = Dsl.Space.Spec(TestSpaces.Flat());
        var options = new SearchOptions { Store = store, StudyName = "nb", WorkerId = "notebook-1", MaxTrials = 3, LeaseDuration = TimeSpan.FromMinutes(10) };
        // A previous incarnation of the worker claimed trial 1 and died; its lease runs for 10 minutes.
        store.OpenOrCreateStudy(SearchSession.Definition(spec, "test-random", options));
        var first = StudyChecks.SeededSequence(2, 1)[0];
        var crashed = store.Claim("nb", new ClaimRequest { Worker = "notebook-1", Lease = TimeSpan.FromMinutes(10), Propose = _ => first });
        Assert.Equal((ClaimStatus.Claimed, 1), (crashed.Status, crashed.Trial!.Id));

        var served = new List<(int, bool)>();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var (c, f) in NasNotebooks.Runtime.Search.Sample(spec, new SeededRandomSearch(2), options, guard.Token))
        {
            served.Add((f.TrialId, f.IsReserved));
            f.Done(TestSpaces.Objective(c));
        }
        Assert.Equal([(1, true), (2, false), (3, false)], served);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(StudyChecks.SeededSequence(2, 3), store.GetTrials("nb").Select(t => t.Dna));
    }
}
