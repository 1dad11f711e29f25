using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Runtime;

/// <summary>Options of <see cref="Search"/> and <see cref="StudyWorker"/>.</summary>
public sealed record SearchOptions
{
    /// <summary>Total number of trials of the study (those of earlier runs included); null for no limit.</summary>
    public int? MaxTrials { get; init; }

    /// <summary>Wall-clock budget of this run; no new trial starts after it.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Trials evaluated at the same time by <see cref="Search.RunAsync"/> (default 1).</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Policy asked by <see cref="TrialFeedback.ShouldStopEarly"/>; null never stops early.</summary>
    public IEarlyStoppingPolicy? EarlyStopping { get; init; }

    /// <summary>Where trials are kept; null for a fresh <see cref="InMemoryStudyStore"/>.</summary>
    public IStudyStore? Store { get; init; }

    /// <summary>Study name in the store (default <c>default</c>). An existing study is resumed.</summary>
    public string StudyName { get; init; } = "default";

    /// <summary>
    /// Id of this worker in the store (default: host name, process id and a random suffix). Set a stable id
    /// (unique among live workers) to have a restarted worker take back its unfinished trials at once,
    /// without waiting for their leases to expire. With default ids, a search that starts also serves again at
    /// once the trials held by processes of this machine that no longer run (a killed kernel or worker).
    /// </summary>
    public string? WorkerId { get; init; }

    /// <summary>How long a claimed trial stays reserved without a heartbeat in a shared store (default 60 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often leases are renewed (default a third of <see cref="LeaseDuration"/>).</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>A trial served this many times without an outcome is recorded as failed (default 3).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Metric names that make the reward when a trial reports only metrics (one per objective);
    /// default: the metric named <c>reward</c>.
    /// </summary>
    public IReadOnlyList<string>? RewardMetrics { get; init; }

    /// <summary>Algorithm settings recorded with a new study (free-form text, e.g. JSON).</summary>
    public string? AlgorithmSettings { get; init; }

    /// <summary>Metadata recorded with a new study.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// Called after this run records a trial's outcome (on the thread that ended it), e.g. to update a
    /// live progress display. Exceptions propagate to the caller of Done/Skip/Fail.
    /// </summary>
    public Action<Trial>? TrialEnded { get; init; }

    /// <summary>
    /// Stops the run when the first <c>FailFast</c> trials it ends all fail (a broken evaluator, data set or
    /// configuration, rather than bad candidates): the run ends with a <see cref="TrialsFailedException"/>
    /// naming the first failure, and its unfinished trials are given back. Skipped trials do not count.
    /// Null (the default) never stops for failures.
    /// </summary>
    public int? FailFast { get; init; }

    /// <summary>
    /// How long a store operation that fails with a transient error (a lost PostgreSQL connection, a server
    /// shutting down or restarting, a busy SQLite file; see <see cref="TransientStoreErrors"/>) is retried, with
    /// backoff, before the error ends the run (default 2 minutes; <see cref="TimeSpan.Zero"/> never retries).
    /// </summary>
    public TimeSpan StoreRetryWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Called with a one-line message when a store operation failed with a transient error and will be retried
    /// (first failure, then at most every 10 s) and when the store answers again; default: <see cref="System.Diagnostics.Trace"/>.
    /// </summary>
    public Action<string>? StoreRetrying { get; init; }

    internal void Validate()
    {
        if (FailFast is < 1) throw new ArgumentOutOfRangeException(nameof(FailFast), FailFast, "FailFast must be at least 1 (or null to never stop for failures).");
        if (StoreRetryWindow < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StoreRetryWindow), StoreRetryWindow, "StoreRetryWindow must not be negative.");
        if (MaxTrials is < 0) throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "MaxTrials must be at least 0.");
        if (Parallelism < 1) throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "Parallelism must be at least 1.");
        if (MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1.");
        if (LeaseDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "LeaseDuration must be positive.");
        if (string.IsNullOrWhiteSpace(StudyName)) throw new ArgumentException("StudyName must not be empty.", nameof(StudyName));
    }
}

/// <summary>The first trials of a run all failed (see <see cref="SearchOptions.FailFast"/>).</summary>
public sealed class TrialsFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrialsFailedException(string study, int count, Trial firstFailure)
        : base($"the first {count} trials of study '{study}' that this run ended all failed; the first, trial {firstFailure.Id}, failed with: {firstFailure.Reason}")
    {
        Study = study;
        Count = count;
        FirstFailure = firstFailure;
    }

    /// <summary>The study.</summary>
    public string Study { get; }

    /// <summary>How many trials failed in a row from the start.</summary>
    public int Count { get; }

    /// <summary>The first failed trial (its <see cref="Trial.Reason"/> says why).</summary>
    public Trial FirstFailure { get; }
}

/// <summary>Why a search ended.</summary>
public enum StopReason
{
    /// <summary>The study holds <see cref="SearchOptions.MaxTrials"/> trials and all have ended.</summary>
    MaxTrials,
    /// <summary><see cref="SearchOptions.TimeBudget"/> ran out.</summary>
    TimeBudget,
    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled,
    /// <summary><see cref="TrialFeedback.EndLoop"/> was called.</summary>
    EndLoop,
    /// <summary>The algorithm had nothing left to propose.</summary>
    AlgorithmExhausted,
    /// <summary>The consumer stopped enumerating (e.g. <c>break</c>).</summary>
    ConsumerStopped,
    /// <summary>An exception ended the search.</summary>
    Error,
    /// <summary>A stop was requested through the study store (<see cref="Studies.StudyStopRequest"/>, e.g. the dashboard's stop button).</summary>
    StopRequested,
}

/// <summary>The trials of a study after a search run.</summary>
/// <param name="StudyName">The study.</param>
/// <param name="Trials">All its trials, in id order (those of earlier runs included).</param>
/// <param name="StopReason">Why the run ended.</param>
/// <param name="Elapsed">Duration of the run.</param>
[Interop.TypeFormatterSource(typeof(Interop.InteractiveFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed record SearchResult(string StudyName, IReadOnlyList<Trial> Trials, StopReason StopReason, TimeSpan Elapsed)
{
    /// <summary>Completed trials.</summary>
    public IEnumerable<Trial> Completed => Trials.Where(t => t.Status == TrialStatus.Completed && t.FinalReward is not null);

    /// <summary>The completed trial with the largest (first) reward value, or null.</summary>
    public Trial? Best => Completed.MaxBy(t => t.FinalReward!.Value.Value);

    /// <summary>Completed trials that no other completed trial dominates on every objective (multi-objective searches).</summary>
    public IReadOnlyList<Trial> ParetoFront
    {
        get
        {
            var done = Completed.ToList();
            return done.Where(t => !done.Any(o => !ReferenceEquals(o, t) && Dominates(o.FinalReward!.Value, t.FinalReward!.Value))).ToList();
        }
    }

    private static bool Dominates(Reward a, Reward b)
    {
        if (a.Count != b.Count) return false;
        bool better = false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a.Values[i] < b.Values[i]) return false;
            if (a.Values[i] > b.Values[i]) better = true;
        }
        return better;
    }
}
