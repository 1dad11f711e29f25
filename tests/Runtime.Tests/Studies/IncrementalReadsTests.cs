using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

using NasNotebooks.Tests;

namespace NasNotebooks.Runtime.Tests.Studies;

/// <summary>
/// The watcher's reads (<see cref="IStudyStore.GetStudySummaries"/>, <see cref="IStudyStore.GetTrialsAfter"/>,
/// <see cref="IStudyStore.GetTrialsById"/>) give exactly what a full <see cref="IStudyStore.GetTrials"/> gives,
/// on every provider, and follow a pending trial through its measurements to its outcome.
/// </summary>
public abstract class IncrementalReadsContract
{
    /// <summary>A fresh, empty store.</summary>
    protected abstract IStudyStore OpenStore();

    private static void AssertSame(IEnumerable<Trial> expected, IEnumerable<Trial> actual)
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        Assert.Equal(e.Select(t => (t.Id, t.Dna, t.Status, t.FinalReward, t.Reason, t.Worker, t.CreatedAt, t.EndedAt)),
            a.Select(t => (t.Id, t.Dna, t.Status, t.FinalReward, t.Reason, t.Worker, t.CreatedAt, t.EndedAt)));
        Assert.Equal(e.Select(t => string.Join(",", t.Metrics.OrderBy(kv => kv.Key))), a.Select(t => string.Join(",", t.Metrics.OrderBy(kv => kv.Key))));
        Assert.Equal(e.Select(t => string.Join(";", t.Measurements.Select(m => $"{m.Step}:{m.Reward}:{m.Metrics.Count}"))),
            a.Select(t => string.Join(";", t.Measurements.Select(m => $"{m.Step}:{m.Reward}:{m.Metrics.Count}"))));
    }

    [Fact]
    public void Trials_after_an_id_and_by_id_match_the_full_read()
    {
        using var store = OpenStore();
        SqliteStudyStoreTests.Script(store, "s", trials: 6);
        SqliteStudyStoreTests.Script(store, "other", trials: 3);
        var all = store.GetTrials("s");
        Assert.Equal(6, all.Count);
        for (int after = 0; after <= 7; after++)
            AssertSame(all.Where(t => t.Id > after), store.GetTrialsAfter("s", after));
        AssertSame(all.Where(t => t.Id is 2 or 5), store.GetTrialsById("s", [5, 2, 5, 99]));
        Assert.Empty(store.GetTrialsById("s", []));
        Assert.Equal(2, store.GetTrialsById("s", [2, 5])[0].Measurements.Count);
        var many = Enumerable.Range(-600, 1300).ToArray(); // more ids than one SQL IN list holds
        AssertSame(all, store.GetTrialsById("s", many));
    }

    [Fact]
    public void Summaries_count_states_and_name_the_best_trial()
    {
        using var store = OpenStore();
        SqliteStudyStoreTests.Script(store, "s", trials: 6);
        store.OpenOrCreateStudy(new StudyDefinition("empty", null, "fp", "random"));
        var summaries = store.GetStudySummaries();
        Assert.Equal(["s", "empty"], summaries.Select(s => s.Name));
        var s = summaries[0];
        var trials = store.GetTrials("s");
        var best = trials.Where(t => t.Status == TrialStatus.Completed).OrderByDescending(t => t.FinalReward!.Value.Value).ThenBy(t => t.Id).First();
        Assert.Equal(("test-hill", 0, 3, 2, 1, 6, 6), (s.Algorithm, s.Pending, s.Completed, s.Failed, s.Skipped, s.LastTrialId, s.Total));
        Assert.Equal(best.Id, s.BestTrialId);
        Assert.Equal(best.FinalReward!.Value.Value, s.BestValue!.Value, 12);
        Assert.Equal(trials.Max(t => t.EndedAt ?? t.CreatedAt), s.LastActivity);
        Assert.Equal(store.FindStudy("s")!.CreatedAt, s.CreatedAt);
        Assert.Equal(StudySummary.Of(store.FindStudy("s")!, trials), s);
        Assert.Equal(("empty", "random", 0, 0, null, null, (int?)null), (summaries[1].Name, summaries[1].Algorithm, summaries[1].Total, summaries[1].LastTrialId,
            summaries[1].LastActivity, summaries[1].BestValue, summaries[1].BestTrialId));
    }

    [Fact]
    public void A_pending_trial_is_followed_through_measurements_to_its_outcome()
    {
        using var store = OpenStore();
        store.OpenOrCreateStudy(new StudyDefinition("live", null, "fp", "random"));
        var dna = NasNotebooks.Dsl.Dna.Parse("[1,2]");
        var claim = store.Claim("live", new ClaimRequest { Worker = "w", Propose = _ => dna });
        var id = claim.Trial!.Id;
        Assert.Equal(TrialStatus.Pending, Assert.Single(store.GetTrialsAfter("live", 0)).Status);
        Assert.Empty(store.GetTrialsAfter("live", id));
        store.AddMeasurement("live", id, new Measurement(1, 0.5, new Dictionary<string, double>(), 0.1));
        store.AddMeasurement("live", id, new Measurement(2, 0.75, new Dictionary<string, double>(), 0.2));
        var t = Assert.Single(store.GetTrialsById("live", [id]));
        Assert.Equal((TrialStatus.Pending, "1,2"), (t.Status, string.Join(",", t.Measurements.Select(m => m.Step))));
        Assert.Equal(1, store.GetStudySummaries().Single().Pending);
        Assert.True(store.FinishTrial("live", id, new TrialOutcome("w", TrialStatus.Completed, 0.75)));
        t = Assert.Single(store.GetTrialsById("live", [id]));
        Assert.Equal((TrialStatus.Completed, (Reward?)0.75, 2), (t.Status, t.FinalReward, t.Measurements.Count));
        var s = store.GetStudySummaries().Single();
        Assert.Equal((0, 1, id, (int?)id, (double?)0.75), (s.Pending, s.Completed, s.LastTrialId, s.BestTrialId, s.BestValue));
    }

    [Fact]
    public void The_interface_defaults_give_what_the_provider_gives()
    {
        using var store = OpenStore();
        SqliteStudyStoreTests.Script(store, "s", trials: 5);
        IStudyStore wrapped = new PlainStore(store);
        Assert.Equal(store.GetStudySummaries(), wrapped.GetStudySummaries());
        AssertSame(store.GetTrialsAfter("s", 2), wrapped.GetTrialsAfter("s", 2));
        AssertSame(store.GetTrialsById("s", [1, 4]), wrapped.GetTrialsById("s", [4, 1]));
    }

    /// <summary>A store that implements only the required members, so the interface's default reads are used.</summary>
    private sealed class PlainStore(IStudyStore inner) : IStudyStore
    {
        public string Location => inner.Location;
        public bool IsShared => inner.IsShared;
        public StudyInfo OpenOrCreateStudy(StudyDefinition definition) => inner.OpenOrCreateStudy(definition);
        public StudyInfo? FindStudy(string name) => inner.FindStudy(name);
        public IReadOnlyList<string> ListStudies() => inner.ListStudies();
        public IReadOnlyList<Trial> GetTrials(string study) => inner.GetTrials(study);
        public ClaimResult Claim(string study, ClaimRequest request) => inner.Claim(study, request);
        public void AddMeasurement(string study, int trialId, Measurement measurement) => inner.AddMeasurement(study, trialId, measurement);
        public bool FinishTrial(string study, int trialId, TrialOutcome outcome) => inner.FinishTrial(study, trialId, outcome);
        public bool RenewLease(string study, int trialId, string worker, TimeSpan lease) => inner.RenewLease(study, trialId, worker, lease);
        public void ReleaseTrial(string study, int trialId, string worker) => inner.ReleaseTrial(study, trialId, worker);
        public void SetMetadata(string study, string key, string? value) => inner.SetMetadata(study, key, value);
        public void Dispose() { }
    }
}

public sealed class InMemoryIncrementalReadsTests : IncrementalReadsContract
{
    protected override IStudyStore OpenStore() => new InMemoryStudyStore();
}

public sealed class SqliteIncrementalReadsTests : IncrementalReadsContract, IDisposable
{
    private readonly TempDir _dir = new();
    protected override IStudyStore OpenStore() => StudyStore.Open(_dir.File(Guid.NewGuid().ToString("N") + ".db"));
    public void Dispose() => _dir.Dispose();
}

public sealed class PostgresIncrementalReadsTests(PostgresServer server) : IncrementalReadsContract, IClassFixture<PostgresServer>
{
    protected override IStudyStore OpenStore() => StudyStore.Open(server.CreateDatabase("reads_" + Guid.NewGuid().ToString("N")[..10]));
}
