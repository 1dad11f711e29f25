using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// A study store held in memory by one process (the default of <see cref="Search"/> when no store is
/// given). Leases never expire by time: a trial is served again only when it is released.
/// </summary>
public sealed partial class InMemoryStudyStore : IStudyStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StudyState> _studies = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    private sealed class StudyState(StudyInfo info)
    {
        public StudyInfo Info = info;
        public readonly List<Row> Trials = [];
        public int Released;
    }

    private sealed class Row
    {
        public required int Id;
        public required Dna Dna;
        public TrialStatus Status;
        public Reward? Reward;
        public IReadOnlyDictionary<string, double> Metrics = StudyJson.Empty;
        public string? Reason;
        public DateTimeOffset CreatedAt;
        public DateTimeOffset? EndedAt;
        public string? Worker;
        public bool Released;
        public int Attempts = 1;
        public SortedList<int, Measurement>? Measurements;

        public Trial ToTrial(bool withMeasurements) => new()
        {
            Id = Id,
            Dna = Dna,
            Status = Status,
            FinalReward = Reward,
            Metrics = Metrics,
            Reason = Reason,
            CreatedAt = CreatedAt,
            EndedAt = EndedAt,
            Worker = Worker,
            Measurements = withMeasurements && Measurements is { Count: > 0 } m ? m.Values.ToArray() : [],
        };
    }

    /// <inheritdoc />
    public string Location => "memory:";

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public StudyInfo OpenOrCreateStudy(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_gate)
        {
            if (_studies.TryGetValue(definition.Name, out var s))
            {
                if (s.Info.SpaceFingerprint != definition.SpaceFingerprint)
                    throw Mismatch(definition.Name, s.Info.SpaceFingerprint, definition.SpaceFingerprint, Location);
                return s.Info;
            }
            var info = new StudyInfo(definition.Name, definition.SpaceJson, definition.SpaceFingerprint, definition.Algorithm,
                definition.AlgorithmSettings, new Dictionary<string, string>(definition.Metadata ?? new Dictionary<string, string>()), DateTimeOffset.UtcNow);
            _studies[definition.Name] = new StudyState(info);
            _order.Add(definition.Name);
            return info;
        }
    }

    internal static StudySpaceMismatchException Mismatch(string study, string stored, string current, string location) =>
        new($"study '{study}' was created for a different space: {SpaceFingerprint.Difference(stored, current)} (store {location}). " +
            "Use another study name, or the space the study was created with.");

    /// <inheritdoc />
    public StudyInfo? FindStudy(string name)
    {
        lock (_gate) return _studies.TryGetValue(name, out var s) ? s.Info : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListStudies()
    {
        lock (_gate) return _order.ToArray();
    }

    private StudyState Get(string study) => _studies.TryGetValue(study, out var s) ? s
        : throw new KeyNotFoundException($"No study '{study}' in {Location}.");

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrials(string study)
    {
        lock (_gate) return Get(study).Trials.Select(r => r.ToTrial(true)).ToArray();
    }

    /// <inheritdoc />
    public ClaimResult Claim(string study, ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            var s = Get(study);
            for (int i = 0; s.Released > 0 && i < s.Trials.Count; i++)
            {
                var row = s.Trials[i];
                if (row.Status != TrialStatus.Pending || !row.Released) continue;
                s.Released--;
                row.Released = false;
                if (row.Attempts >= request.MaxAttempts)
                {
                    row.Status = TrialStatus.Failed;
                    row.Reason = $"abandoned: served {row.Attempts} times without an outcome (Done, Skip or Fail)";
                    row.EndedAt = DateTimeOffset.UtcNow;
                    continue;
                }
                row.Attempts++;
                row.Worker = request.Worker;
                return new ClaimResult(ClaimStatus.Claimed, row.ToTrial(true), Reserved: true);
            }
            if (request.MaxTrials is { } max && s.Trials.Count >= max)
                return s.Trials.Any(r => r.Status == TrialStatus.Pending)
                    ? new ClaimResult(ClaimStatus.Wait, RetryAfter: TimeSpan.FromMilliseconds(50))
                    : new ClaimResult(ClaimStatus.MaxTrialsReached);
            int from = Math.Max(1, request.SyncFromId);
            IReadOnlyList<Trial> rows = from > s.Trials.Count ? [] : s.Trials.Skip(from - 1).Select(r => r.ToTrial(false)).ToArray();
            var dna = request.Propose(rows);
            if (dna is null) return new ClaimResult(ClaimStatus.AlgorithmExhausted);
            var created = new Row { Id = s.Trials.Count + 1, Dna = dna, Status = TrialStatus.Pending, CreatedAt = DateTimeOffset.UtcNow, Worker = request.Worker };
            s.Trials.Add(created);
            return new ClaimResult(ClaimStatus.Claimed, created.ToTrial(false));
        }
    }

    private Row GetRow(string study, int trialId)
    {
        var s = Get(study);
        return trialId >= 1 && trialId <= s.Trials.Count ? s.Trials[trialId - 1]
            : throw new KeyNotFoundException($"Study '{study}' has no trial {trialId}.");
    }

    /// <inheritdoc />
    public void AddMeasurement(string study, int trialId, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        lock (_gate)
        {
            var row = GetRow(study, trialId);
            (row.Measurements ??= [])[measurement.Step] = measurement;
        }
    }

    /// <inheritdoc />
    public bool FinishTrial(string study, int trialId, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        lock (_gate)
        {
            var row = GetRow(study, trialId);
            if (row.Status != TrialStatus.Pending) return false;
            if (row.Released) { row.Released = false; Get(study).Released--; }
            row.Status = outcome.Status;
            row.Reward = outcome.Reward;
            row.Metrics = outcome.Metrics ?? StudyJson.Empty;
            row.Reason = outcome.Reason;
            row.Worker = outcome.Worker;
            row.EndedAt = DateTimeOffset.UtcNow;
            return true;
        }
    }

    /// <inheritdoc />
    public bool RenewLease(string study, int trialId, string worker, TimeSpan lease)
    {
        lock (_gate)
        {
            var row = GetRow(study, trialId);
            return row.Status == TrialStatus.Pending && !row.Released && row.Worker == worker;
        }
    }

    /// <inheritdoc />
    public void ReleaseTrial(string study, int trialId, string worker)
    {
        lock (_gate)
        {
            var row = GetRow(study, trialId);
            if (row.Status == TrialStatus.Pending && row.Worker == worker && !row.Released)
            {
                row.Released = true;
                Get(study).Released++;
            }
        }
    }

    /// <inheritdoc />
    public void SetMetadata(string study, string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            var s = Get(study);
            var meta = new Dictionary<string, string>(s.Info.Metadata);
            if (value is null) meta.Remove(key); else meta[key] = value;
            s.Info = s.Info with { Metadata = meta };
        }
    }

    /// <inheritdoc />
    public void Dispose() { }
}
