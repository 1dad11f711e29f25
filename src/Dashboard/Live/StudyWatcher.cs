using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Live;

/// <summary>
/// Follows one study: the first read loads its trials, later reads (every poll interval, while someone
/// watches) fetch only the trials after the last id held and the ones held as pending — a trial that has
/// ended never changes again — so a poll costs three indexed queries whatever the study's size, and the
/// memory held is the study's trials, not a history of updates. Readers get immutable <see cref="StudyState"/>s.
/// </summary>
internal sealed class StudyWatcher : IDisposable
{
    private readonly StoreEntry _store;
    private readonly StudyHints? _hints;
    private readonly object _pollGate = new();
    private readonly Dictionary<int, int> _index = [];
    private readonly SortedSet<int> _pending = [];
    private readonly List<string> _decisions = [];
    private readonly List<string> _metrics = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StudyState _state = StudyState.Initial;
    private int _generation = -1;
    private int _objectiveCount = 1;
    private SpaceSpec? _spec;
    private bool _specResolved;
    private int _subscribers;
    private long _lastUsed = Environment.TickCount64;

    public StudyWatcher(StoreEntry store, string study, StudyHints? hints)
    {
        _store = store;
        Study = study;
        _hints = hints;
    }

    public string Study { get; }

    public StoreEntry Store => _store;

    public StudyState State => Volatile.Read(ref _state);

    /// <summary>The space, from the hints or the store's space JSON (null when neither gives one).</summary>
    public SpaceSpec? Spec => _spec;

    /// <summary>The stop action of the hints, if any.</summary>
    public Func<bool>? Stop => _hints?.Stop;

    /// <summary>True while a page listens or a request came in the last <paramref name="idle"/>.</summary>
    public bool IsActive(TimeSpan idle) => Volatile.Read(ref _subscribers) > 0 || Environment.TickCount64 - Interlocked.Read(ref _lastUsed) < idle.TotalMilliseconds;

    public void Touch() => Interlocked.Exchange(ref _lastUsed, Environment.TickCount64);

    /// <summary>Counts a live listener (an event stream) until the result is disposed.</summary>
    public IDisposable Subscribe()
    {
        Interlocked.Increment(ref _subscribers);
        Touch();
        return new Unsubscriber(this);
    }

    private sealed class Unsubscriber(StudyWatcher watcher) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref watcher._subscribers);
                watcher.Touch();
            }
        }
    }

    /// <summary>Completes when the state's version moves past <paramref name="version"/> (or at once if it has).</summary>
    public Task WaitForChangeAsync(long version)
    {
        lock (_pollGate)
            return State.Version > version ? Task.CompletedTask : _changed.Task;
    }

    /// <summary>Reads the study once if it was never read (the first page load).</summary>
    public StudyState EnsureLoaded()
    {
        Touch();
        if (!State.Loaded) Poll();
        return State;
    }

    /// <summary>Reads what changed since the last poll and publishes a new state if anything did.</summary>
    public void Poll()
    {
        lock (_pollGate)
        {
            var old = _state;
            try
            {
                var info = _store.Use(s => s.FindStudy(Study));
                if (info is null)
                {
                    if (!old.Gone || old.Error is null)
                        Publish(old with
                        {
                            Gone = true, Loaded = true, Version = old.Version + 1,
                            Error = $"Study '{Study}' is not in {_store.Location} any more (deleted, or the store was replaced). The page shows it again if it comes back.",
                        });
                    return;
                }
                bool reset = old.Info is not null && (old.Info.CreatedAt != info.CreatedAt || _generation != _store.Generation || old.Gone);
                if (reset || old.Info is null)
                {
                    _index.Clear();
                    _pending.Clear();
                    _decisions.Clear();
                    _metrics.Clear();
                    _objectiveCount = 1;
                    _specResolved = false;
                }
                _generation = _store.Generation;
                if (!_specResolved) { _spec = ResolveSpec(info); _specResolved = true; }
                var entries = reset || old.Info is null ? [] : old.Entries;
                int lastId = entries.Length == 0 ? 0 : entries[^1].Id;
                var newer = _store.Use(s => s.GetTrialsAfter(Study, lastId));
                var refresh = _pending.Where(id => id <= lastId).ToArray();
                var refreshed = refresh.Length == 0 ? [] : _store.Use(s => s.GetTrialsById(Study, refresh));
                long version = old.Version + 1;
                List<TrialEntry>? appended = null;
                TrialEntry[]? copy = null;
                foreach (var t in refreshed)
                {
                    if (!_index.TryGetValue(t.Id, out var at) || !Differs(entries[at].Trial, t)) continue;
                    copy ??= (TrialEntry[])entries.Clone();
                    copy[at] = MakeEntry(t, version, entries[at].Decisions);
                }
                foreach (var t in newer)
                {
                    if (_index.ContainsKey(t.Id)) continue;
                    (appended ??= []).Add(MakeEntry(t, version, null));
                }
                bool metaChanged = old.Info is null || reset || old.Error is not null || old.Gone || !SameMetadata(old.Info, info);
                if (copy is null && appended is null && !metaChanged) return;
                var next = copy ?? entries;
                if (appended is not null)
                {
                    var merged = new TrialEntry[next.Length + appended.Count];
                    next.CopyTo(merged, 0);
                    appended.Sort((a, b) => a.Id.CompareTo(b.Id));
                    for (int i = 0; i < appended.Count; i++)
                    {
                        merged[next.Length + i] = appended[i];
                        _index[appended[i].Id] = next.Length + i;
                    }
                    next = merged;
                }
                foreach (var e in (IEnumerable<TrialEntry>?)appended ?? [])
                    if (e.Trial.Status == TrialStatus.Pending) _pending.Add(e.Id);
                if (copy is not null)
                    foreach (var e in copy)
                        if (e.Version == version && e.Trial.Status != TrialStatus.Pending) _pending.Remove(e.Id);
                var best = BestOf(next);
                string? materialized = best is null ? null : best.Id == old.Best?.Id && !reset ? old.BestMaterialized : Materialize(best.Trial.Dna);
                Publish(new StudyState(reset ? old.Epoch + 1 : old.Epoch, version, info, next, [.. _decisions], [.. _metrics], Objectives(),
                    best, materialized, null, false, true));
            }
            catch (StoreUnavailableException e)
            {
                if (old.Error != e.Message || !old.Loaded)
                    Publish(old with { Error = e.Message, Loaded = true, Version = old.Version + 1 });
            }
        }
    }

    private void Publish(StudyState state)
    {
        Volatile.Write(ref _state, state);
        var done = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
    }

    private static bool SameMetadata(StudyInfo a, StudyInfo b) =>
        a.Metadata.Count == b.Metadata.Count && a.Metadata.All(kv => b.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static bool Differs(Trial a, Trial b)
    {
        if (a.Status != b.Status || a.EndedAt != b.EndedAt || a.Worker != b.Worker || a.Reason != b.Reason || a.FinalReward != b.FinalReward) return true;
        if (a.Measurements.Count != b.Measurements.Count) return true;
        for (int i = 0; i < a.Measurements.Count; i++)
            if (a.Measurements[i].Step != b.Measurements[i].Step || a.Measurements[i].Reward != b.Measurements[i].Reward) return true;
        return false;
    }

    private TrialEntry MakeEntry(Trial t, long version, IReadOnlyDictionary<string, string>? decisions)
    {
        // Only the curves (step, reward) of the measurements are shown: their metrics are dropped to keep memory small.
        var trial = t.Measurements.Count == 0 ? t : t with { Measurements = t.Measurements.Select(m => m.Metrics.Count == 0 ? m : m with { Metrics = NoMetrics }).ToArray() };
        decisions ??= DecisionsOf(t.Dna);
        foreach (var k in decisions.Keys) if (!_decisions.Contains(k)) _decisions.Add(k);
        foreach (var k in t.Metrics.Keys) if (!_metrics.Contains(k)) _metrics.Add(k);
        if (t.FinalReward is { } r) _objectiveCount = Math.Max(_objectiveCount, r.Count);
        return new TrialEntry { Trial = trial, Version = version, Decisions = decisions };
    }

    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    private IReadOnlyDictionary<string, string> DecisionsOf(Dna dna)
    {
        if (_spec is null) return Empty;
        try
        {
            var d = _spec.ToDictionary(dna, DnaKey.Name, DnaValueForm.Literal);
            var result = new Dictionary<string, string>(d.Count, StringComparer.Ordinal);
            foreach (var (k, v) in d) result[k] = StudyReport.FormatCell(v);
            return result;
        }
        catch (Exception e) when (e is ArgumentException or DnaValidationException or InvalidOperationException or FormatException) { return Empty; }
    }

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private string[] Objectives()
    {
        var names = _hints?.ObjectiveNames;
        return Enumerable.Range(0, Math.Max(_objectiveCount, names?.Count ?? 0))
            .Select(i => names is not null && i < names.Count ? names[i] : i == 0 ? "reward" : $"reward[{i.ToString(CultureInfo.InvariantCulture)}]").ToArray();
    }

    private SpaceSpec? ResolveSpec(StudyInfo info)
    {
        if (_hints?.Spec is { } given) return given;
        if (info.SpaceJson is null) return null;
        try
        {
            var spec = Space.Spec(Symbolic.FromJson(info.SpaceJson));
            return SpaceFingerprint.Of(spec) == info.SpaceFingerprint ? spec : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or InvalidOperationException or InvalidCastException) { return null; }
    }

    /// <summary>The best completed trial (largest first objective, lowest id on ties).</summary>
    private static TrialEntry? BestOf(TrialEntry[] entries)
    {
        TrialEntry? best = null;
        foreach (var e in entries)
        {
            if (e.Trial.Status != TrialStatus.Completed || e.Trial.FinalReward is not { Count: > 0 } r) continue;
            if (best is null || r.Value > best.Trial.FinalReward!.Value.Value || (r.Value == best.Trial.FinalReward!.Value.Value && e.Id < best.Id)) best = e;
        }
        return best;
    }

    private string? Materialize(Dna dna)
    {
        if (_spec is null) return null;
        try
        {
            var value = _spec.Materialize(dna);
            return value is Symbolic s ? s.Format(compact: false) : value?.ToString();
        }
        catch (Exception e) when (e is ArgumentException or DnaValidationException or InvalidOperationException or NotSupportedException or FormatException or InvalidCastException or MissingMethodException)
        {
            return null;
        }
    }

    /// <summary>True once the pool dropped this watcher (its listeners end).</summary>
    public bool IsDisposed { get; private set; }

    public void Dispose()
    {
        lock (_pollGate)
        {
            IsDisposed = true;
            _changed.TrySetResult();
        }
    }
}
