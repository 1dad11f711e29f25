using System.Collections.Concurrent;
using System.Diagnostics;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Runtime;

/// <summary>
/// One run of a search loop against a study: claims trials from the store (re-served ones first, else
/// new proposals of the local algorithm, kept in step with the study's history), serves them as
/// <see cref="TrialFeedback"/> and records their outcomes. Thread-safe; shared by the sync, async and
/// parallel loops and by <see cref="StudyWorker"/>.
/// </summary>
internal sealed class SearchSession : IDisposable
{
    private readonly object _algGate = new();
    private ISearchAlgorithm _algorithm;
    private readonly Func<ISearchAlgorithm>? _factory;
    private bool _proposedInClaim;
    private readonly StoreRetry _retry;
    private int _ended, _failedAtStart;
    private Trial? _firstFailure;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<int, TrialFeedback> _active = new();
    private readonly SortedSet<int> _awaiting = [];
    private readonly TimeSpan _lease;
    private Timer? _heartbeat;
    private bool _synced;
    private int _lastSynced;
    private volatile bool _endRequested;
    private int _stop = -1;
    private IReadOnlyList<Trial>? _historyCache;
    private long _historyStamp;

    private SearchSession(IStudyStore store, SpaceSpec spec, ISearchAlgorithm algorithm, Func<ISearchAlgorithm>? factory, SearchOptions options, CancellationToken ct)
    {
        _factory = factory;
        Store = store;
        Spec = spec;
        _algorithm = algorithm;
        Options = options;
        CancellationToken = ct;
        Worker = options.WorkerId ?? LocalWorkerIds.NewId();
        _lease = store.IsShared ? options.LeaseDuration : TimeSpan.FromDays(3650);
        _propose = ProposeLocked;
        _retry = new StoreRetry(store.Location, options.StoreRetryWindow, options.StoreRetrying, ct);
    }

    private readonly Func<IReadOnlyList<Trial>, Dna?> _propose;

    public IStudyStore Store { get; }
    public SpaceSpec Spec { get; }
    public SearchOptions Options { get; }
    public string Worker { get; }
    public string Study => Options.StudyName;
    public CancellationToken CancellationToken { get; }
    public TimeSpan Elapsed => _clock.Elapsed;
    public StopReason? StopReason => _stop < 0 ? null : (StopReason)_stop;

    /// <summary>Set when <see cref="SearchOptions.FailFast"/> stopped the run: thrown by <see cref="Next"/>.</summary>
    public TrialsFailedException? Failure { get; private set; }

    /// <summary>The spec of a space argument (a symbolic space or a <see cref="SpaceSpec"/>).</summary>
    public static SpaceSpec SpecOf(object? space) => space as SpaceSpec ?? Space.Spec(space);

    public static StudyDefinition Definition(SpaceSpec spec, string algorithmName, SearchOptions options)
    {
        string? json = null;
        try { json = SymbolicJson.Serialize(spec.Source); }
        catch (NotSupportedException) { }
        return new StudyDefinition(options.StudyName, json, SpaceFingerprint.Of(spec), algorithmName, options.AlgorithmSettings, options.Metadata);
    }

    /// <summary>Opens (or creates) the study and sets the algorithm up; its state is rebuilt from the history at the first proposal.</summary>
    public static SearchSession Start(IStudyStore store, SpaceSpec spec, ISearchAlgorithm algorithm, SearchOptions options, CancellationToken ct,
        Func<ISearchAlgorithm>? factory = null)
    {
        var retry = new StoreRetry(store.Location, options.StoreRetryWindow, options.StoreRetrying, ct);
        retry.Run("opening the study", () => store.OpenOrCreateStudy(Definition(spec, algorithm.Name, options)));
        // Trials still held under this worker id belong to a previous incarnation of this worker that died, and trials
        // held under a default id of a process of this machine that no longer runs (a killed kernel or worker): serve
        // them again at once instead of waiting for their leases to run out.
        foreach (var t in retry.Run("reading the trials", () => store.GetTrials(options.StudyName)))
        {
            if (t.Status != TrialStatus.Pending || t.Worker is not { } holder) continue;
            if (holder == options.WorkerId || LocalWorkerIds.IsDeadLocalProcess(holder))
                retry.Run("giving a trial back", () => store.ReleaseTrial(options.StudyName, t.Id, holder));
        }
        algorithm.Setup(spec);
        return new SearchSession(store, spec, algorithm, factory, options, ct);
    }

    /// <summary>
    /// After a failed claim in which the algorithm already proposed, its state is ahead of the study:
    /// start it afresh (a new instance from the factory, else Setup again) and rebuild it from the history.
    /// </summary>
    private void ResetAlgorithm()
    {
        _algorithm = _factory?.Invoke() ?? _algorithm;
        _algorithm.Setup(Spec);
        _synced = false;
        _lastSynced = 0;
        _awaiting.Clear();
    }

    public void SetStop(StopReason reason) => Interlocked.CompareExchange(ref _stop, (int)reason, -1);

    public void RequestEnd() => _endRequested = true;

    internal enum StepKind { Serve, Wait, End }

    internal readonly record struct Step(StepKind Kind, TrialFeedback? Feedback = null, TimeSpan Wait = default);

    /// <summary>The next trial to evaluate, a wait (trials held elsewhere may come back), or the end.</summary>
    public Step Next()
    {
        while (true)
        {
            if (Failure is { } failure) throw failure;
            if (_stop >= 0) return new Step(StepKind.End);
            if (CancellationToken.IsCancellationRequested) { SetStop(Runtime.StopReason.Cancelled); continue; }
            if (_endRequested) { SetStop(Runtime.StopReason.EndLoop); continue; }
            if (Options.TimeBudget is { } budget && _clock.Elapsed >= budget) { SetStop(Runtime.StopReason.TimeBudget); continue; }
            if (StopRequestedInStore()) { SetStop(Runtime.StopReason.StopRequested); continue; }
            ClaimResult r;
            lock (_algGate)
            {
                try
                {
                    // A lost connection or a busy database rolls the claim back: try again (with backoff, within
                    // SearchOptions.StoreRetryWindow); an algorithm that already proposed in it is rebuilt from the history.
                    r = _retry.Run("claiming a trial", () =>
                    {
                        _proposedInClaim = false;
                        return Store.Claim(Study, new ClaimRequest
                        {
                            Worker = Worker,
                            Lease = _lease,
                            MaxTrials = Options.MaxTrials,
                            MaxAttempts = Options.MaxAttempts,
                            SyncFromId = SyncFrom(),
                            Propose = _propose,
                        });
                    }, () => { if (_proposedInClaim) ResetAlgorithm(); });
                }
                catch when (_proposedInClaim)
                {
                    ResetAlgorithm();
                    throw;
                }
                if (r is { Status: ClaimStatus.Claimed, Reserved: false, Trial: { } t })
                {
                    _lastSynced = Math.Max(_lastSynced, t.Id);
                    _awaiting.Add(t.Id);
                }
            }
            switch (r.Status)
            {
                case ClaimStatus.MaxTrialsReached: SetStop(Runtime.StopReason.MaxTrials); continue;
                case ClaimStatus.AlgorithmExhausted: SetStop(Runtime.StopReason.AlgorithmExhausted); continue;
                case ClaimStatus.Wait: return new Step(StepKind.Wait, Wait: r.RetryAfter);
            }
            var fb = Serve(r.Trial!, r.Reserved);
            if (fb is not null) return new Step(StepKind.Serve, fb);
        }
    }

    private long _stopCheckedAt = long.MinValue;
    private string? _stopSeenAtStart;
    private bool _stopBaselineRead;
    private readonly object _stopGate = new();

    /// <summary>True when a <see cref="StudyStopRequest"/> newer than the one seen at start is in the store (looked up at most once a second).</summary>
    private bool StopRequestedInStore()
    {
        lock (_stopGate)
        {
            long now = Environment.TickCount64;
            if (_stopBaselineRead && now - _stopCheckedAt < 1000) return false;
            _stopCheckedAt = now;
            string? latest;
            try { latest = StudyStopRequest.Latest(Store.FindStudy(Study)); }
            catch (System.Data.Common.DbException e) when (e.IsTransient) { return false; }
            if (!_stopBaselineRead)
            {
                _stopSeenAtStart = latest;
                _stopBaselineRead = true;
                return false;
            }
            return latest is not null && latest != _stopSeenAtStart;
        }
    }

    private int SyncFrom() => !_synced ? 1 : Math.Min(_awaiting.Count > 0 ? _awaiting.Min : int.MaxValue, _lastSynced + 1);

    private Dna? ProposeLocked(IReadOnlyList<Trial> rows)
    {
        _proposedInClaim = true;
        if (!_synced) { Replay(rows); _synced = true; }
        else CatchUp(rows);
        Dna dna;
        try { dna = _algorithm.Propose(); }
        catch (SearchSpaceExhaustedException) { return null; }
        if (dna is null) throw new InvalidOperationException($"Algorithm '{_algorithm.Name}' proposed null; throw SearchSpaceExhaustedException to end the search.");
        try { Spec.Validate(dna); }
        catch (DnaValidationException e)
        {
            throw new InvalidOperationException($"Algorithm '{_algorithm.Name}' proposed '{dna}', which is not a point of the space: {e.Message}", e);
        }
        return dna;
    }

    /// <summary>First sync: replays the whole history in proposal order (Recover for runs of completed trials, Propose for the others).</summary>
    private void Replay(IReadOnlyList<Trial> rows)
    {
        var batch = new List<(Dna, Reward)>();
        foreach (var row in rows)
        {
            if (row.Status == TrialStatus.Completed && row.FinalReward is { } reward) batch.Add((row.Dna, reward));
            else
            {
                Flush(batch);
                Advance();
                if (row.Status == TrialStatus.Pending) _awaiting.Add(row.Id);
            }
            _lastSynced = Math.Max(_lastSynced, row.Id);
        }
        Flush(batch);
    }

    private void Flush(List<(Dna, Reward)> batch)
    {
        if (batch.Count == 0) return;
        _algorithm.Recover(batch.ToArray());
        batch.Clear();
    }

    private void Advance()
    {
        try { _algorithm.Propose(); }
        catch (SearchSpaceExhaustedException) { }
    }

    /// <summary>Later syncs: trials proposed by other workers advance the algorithm; trials that ended elsewhere are fed back.</summary>
    private void CatchUp(IReadOnlyList<Trial> rows)
    {
        foreach (var row in rows)
        {
            if (row.Id > _lastSynced)
            {
                Advance();
                _lastSynced = row.Id;
                if (row.Status == TrialStatus.Completed && row.FinalReward is { } reward) _algorithm.Feedback(row.Dna, reward);
                else if (row.Status == TrialStatus.Pending) _awaiting.Add(row.Id);
            }
            else if (row.Status != TrialStatus.Pending && _awaiting.Remove(row.Id) && row.Status == TrialStatus.Completed && row.FinalReward is { } reward)
                _algorithm.Feedback(row.Dna, reward);
        }
    }

    private TrialFeedback? Serve(Trial trial, bool reserved)
    {
        object? candidate;
        try { candidate = Spec.Materialize(trial.Dna); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidCastException)
        {
            _retry.Run("recording a trial", () => Store.FinishTrial(Study, trial.Id, new TrialOutcome(Worker, TrialStatus.Failed, Reason: $"cannot materialize DNA '{trial.Dna}': {e.Message}")));
            lock (_algGate) _awaiting.Remove(trial.Id);
            return null;
        }
        var fb = new TrialFeedback(this, trial, candidate, reserved);
        _active[trial.Id] = fb;
        if (Store.IsShared && _heartbeat is null)
        {
            var every = Options.HeartbeatInterval ?? TimeSpan.FromTicks(Options.LeaseDuration.Ticks / 3);
            var timer = new Timer(_ => Heartbeat(), null, every, every);
            if (Interlocked.CompareExchange(ref _heartbeat, timer, null) is not null) timer.Dispose();
        }
        return fb;
    }

    private void Heartbeat()
    {
        foreach (var (id, fb) in _active)
        {
            try
            {
                if (!Store.RenewLease(Study, id, Worker, _lease)) fb.LeaseLost = true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A transient store error: the next beat tries again; the lease is long enough to cover a miss.
                Trace.TraceWarning($"Study '{Study}': lease renewal of trial {id} failed: {e.Message}");
            }
        }
    }

    internal void Report(TrialFeedback fb, Measurement m) => _retry.Run("recording a measurement", () => Store.AddMeasurement(Study, fb.TrialId, m));

    internal bool Finish(TrialFeedback fb, TrialOutcome outcome)
    {
        _active.TryRemove(fb.TrialId, out _);
        bool retried = false;
        bool recorded = _retry.Run("recording a trial", () => Store.FinishTrial(Study, fb.TrialId, outcome), () => retried = true);
        if (!recorded && retried)
        {
            // The failed attempt may have committed before the connection was lost: then the row holds this outcome.
            var row = _retry.Run("reading the trials", () => Store.GetTrials(Study)).FirstOrDefault(t => t.Id == fb.TrialId);
            recorded = row is not null && row.Status == outcome.Status && row.Worker == outcome.Worker && row.Reason == outcome.Reason;
        }
        lock (_algGate)
        {
            if (recorded && _awaiting.Remove(fb.TrialId) && outcome.Status == TrialStatus.Completed && outcome.Reward is { } reward)
                _algorithm.Feedback(fb.Dna, reward);
        }
        _historyCache = null;
        if (recorded)
        {
            Options.TrialEnded?.Invoke(fb.Trial);
            CheckFailFast(fb.Trial);
        }
        return recorded;
    }

    /// <summary>
    /// Gives an unfinished trial back so that it is served again (failover). With <paramref name="patient"/> false
    /// (shutting down) a transient store error is not retried: the trial's lease then runs out instead.
    /// </summary>
    internal void Release(TrialFeedback fb, bool patient = true)
    {
        if (!_active.TryRemove(fb.TrialId, out _)) return;
        fb.MarkReleased();
        if (patient) _retry.Run("giving a trial back", () => Store.ReleaseTrial(Study, fb.TrialId, Worker));
        else Store.ReleaseTrial(Study, fb.TrialId, Worker);
    }

    /// <summary><see cref="SearchOptions.FailFast"/>: the first N trials this run ended all failed.</summary>
    private void CheckFailFast(Trial ended)
    {
        if (Options.FailFast is not { } n || ended.Status == TrialStatus.Skipped) return;
        TrialsFailedException? failure = null;
        lock (_algGate)
        {
            _ended++;
            if (ended.Status == TrialStatus.Failed && _failedAtStart == _ended - 1)
            {
                _failedAtStart++;
                _firstFailure ??= ended;
                if (_failedAtStart == n) failure = new TrialsFailedException(Study, n, _firstFailure);
            }
        }
        if (failure is null) return;
        Failure = failure;
        SetStop(Runtime.StopReason.Error);
    }

    internal IReadOnlyList<Trial> History(int exceptId)
    {
        var now = _clock.ElapsedMilliseconds;
        var cache = _historyCache;
        if (cache is null || now - _historyStamp > 250)
        {
            _historyCache = cache = _retry.Run("reading the trials", () => Store.GetTrials(Study));
            _historyStamp = now;
        }
        return cache.Where(t => t.Id != exceptId).ToArray();
    }

    public SearchResult Result() => new(Study, _retry.Run("reading the trials", () => Store.GetTrials(Study)), StopReason ?? Runtime.StopReason.ConsumerStopped, _clock.Elapsed);

    public void Dispose()
    {
        SetStop(Runtime.StopReason.ConsumerStopped);
        _clock.Stop();
        Interlocked.Exchange(ref _heartbeat, null)?.Dispose();
        foreach (var fb in _active.Values)
        {
            try { Release(fb, patient: false); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Trace.TraceWarning($"Study '{Study}': could not give trial {fb.TrialId} back: {e.Message}");
            }
        }
    }
}
