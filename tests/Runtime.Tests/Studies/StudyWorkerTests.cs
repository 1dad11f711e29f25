using System.Data.Common;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

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

    private sealed class TransientException() : DbException("connection reset (simulated)")
    {
        public override bool IsTransient => true;
    }

    /// <summary>Fails chosen claims with a transient error after the algorithm proposed (the claim is not recorded).</summary>
    private sealed class FlakyStore(IStudyStore inner, int[] failClaims) : IStudyStore
    {
        private int _claims;
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

        public void AddMeasurement(string study, int trialId, Measurement measurement) => inner.AddMeasurement(study, trialId, measurement);
        public bool FinishTrial(string study, int trialId, TrialOutcome outcome) => inner.FinishTrial(study, trialId, outcome);
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
