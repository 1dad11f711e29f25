using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Persistent home of studies: their space, algorithm, trials and measurements. Providers:
/// <see cref="InMemoryStudyStore"/> (one process, nothing persisted), <see cref="SqliteStudyStore"/>
/// (a file, safe for several processes on one machine) and <see cref="PostgresStudyStore"/> (many
/// workers on many machines). Open one with <see cref="StudyStore.Open(string)"/>.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. The proposal step (<see cref="Claim"/>) is serialized per study
/// across every process that uses the store, so that an algorithm sees each proposal exactly once and
/// no trial is handed to two workers at the same time.
/// </remarks>
public partial interface IStudyStore : IDisposable
{
    /// <summary>Where the store lives (file path, server), for messages.</summary>
    string Location { get; }

    /// <summary>
    /// True when other processes may use the store at the same time: claimed trials then carry a lease
    /// that must be renewed (see <see cref="RenewLease"/>) and is re-served when it expires.
    /// </summary>
    bool IsShared { get; }

    /// <summary>Creates the study, or opens it when it exists and was created for the same space.</summary>
    /// <exception cref="StudySpaceMismatchException">The study exists and was created for a different space.</exception>
    StudyInfo OpenOrCreateStudy(StudyDefinition definition);

    /// <summary>The study called <paramref name="name"/>, or null.</summary>
    StudyInfo? FindStudy(string name);

    /// <summary>Names of the studies in the store, in creation order.</summary>
    IReadOnlyList<string> ListStudies();

    /// <summary>All trials of a study in id (proposal) order, with their measurements.</summary>
    IReadOnlyList<Trial> GetTrials(string study);

    /// <summary>
    /// Hands a trial to <see cref="ClaimRequest.Worker"/>, inside a section that is exclusive per study
    /// across all users of the store: first a pending trial whose lease expired (or that was released),
    /// else a new trial from <see cref="ClaimRequest.Propose"/>.
    /// </summary>
    ClaimResult Claim(string study, ClaimRequest request);

    /// <summary>Records (or replaces) the measurement of a trial at <see cref="Measurement.Step"/>.</summary>
    void AddMeasurement(string study, int trialId, Measurement measurement);

    /// <summary>
    /// Ends a pending trial. Returns false (and changes nothing) when the trial had already ended,
    /// e.g. finished by another worker after this worker's lease expired.
    /// </summary>
    bool FinishTrial(string study, int trialId, TrialOutcome outcome);

    /// <summary>Extends the lease of a trial held by <paramref name="worker"/>; false when it no longer holds it.</summary>
    bool RenewLease(string study, int trialId, string worker, TimeSpan lease);

    /// <summary>Gives a pending trial back so that the next claim re-serves it at once.</summary>
    void ReleaseTrial(string study, int trialId, string worker);

    /// <summary>Sets (or, with null, removes) a metadata entry of a study.</summary>
    void SetMetadata(string study, string key, string? value);
}

/// <summary>What a study is created with.</summary>
/// <param name="Name">Study name, unique in the store.</param>
/// <param name="SpaceJson">The space as symbolic JSON (<see cref="Symbolic.ToJson"/>), or null when it has no JSON form.</param>
/// <param name="SpaceFingerprint">Structural fingerprint of the space (<see cref="Studies.SpaceFingerprint.Of"/>), compared on resume.</param>
/// <param name="Algorithm">Algorithm name.</param>
/// <param name="AlgorithmSettings">Free-form settings of the algorithm (e.g. JSON).</param>
/// <param name="Metadata">Initial metadata.</param>
public sealed record StudyDefinition(
    string Name,
    string? SpaceJson,
    string SpaceFingerprint,
    string Algorithm,
    string? AlgorithmSettings = null,
    IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>A stored study.</summary>
/// <param name="Name">Study name.</param>
/// <param name="SpaceJson">The space as symbolic JSON, or null.</param>
/// <param name="SpaceFingerprint">Structural fingerprint of the space.</param>
/// <param name="Algorithm">Name of the algorithm the study was created with.</param>
/// <param name="AlgorithmSettings">Settings of the algorithm, if recorded.</param>
/// <param name="Metadata">Metadata entries.</param>
/// <param name="CreatedAt">Creation time (UTC).</param>
public sealed record StudyInfo(
    string Name,
    string? SpaceJson,
    string SpaceFingerprint,
    string Algorithm,
    string? AlgorithmSettings,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt);

/// <summary>Arguments of <see cref="IStudyStore.Claim"/>.</summary>
public sealed class ClaimRequest
{
    /// <summary>Id of the claiming worker.</summary>
    public required string Worker { get; init; }

    /// <summary>How long the trial stays reserved without a heartbeat (ignored by stores that are not shared).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Total number of trials the study may hold; null for no limit.</summary>
    public int? MaxTrials { get; init; }

    /// <summary>A trial served this many times without an outcome is recorded as failed instead of served again.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Trials with an id at or above this one are passed to <see cref="Propose"/>.</summary>
    public int SyncFromId { get; init; } = 1;

    /// <summary>
    /// Called inside the exclusive section when a new trial is needed, with the study's trials whose id
    /// is at least <see cref="SyncFromId"/> (in id order, without measurements), so the caller can bring
    /// its algorithm up to date before proposing. Returns the DNA to insert, or null when the algorithm
    /// has nothing left to propose.
    /// </summary>
    public required Func<IReadOnlyList<Trial>, Dna?> Propose { get; init; }
}

/// <summary>What <see cref="IStudyStore.Claim"/> did.</summary>
public enum ClaimStatus
{
    /// <summary>A trial was handed out (<see cref="ClaimResult.Trial"/>).</summary>
    Claimed,
    /// <summary>Nothing to hand out now, but trials held by other workers may still be re-served: try again after <see cref="ClaimResult.RetryAfter"/>.</summary>
    Wait,
    /// <summary>The study holds <see cref="ClaimRequest.MaxTrials"/> trials and all have ended.</summary>
    MaxTrialsReached,
    /// <summary>The algorithm had nothing left to propose.</summary>
    AlgorithmExhausted,
}

/// <summary>Result of <see cref="IStudyStore.Claim"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Trial">The claimed trial (with its measurements so far) when <paramref name="Status"/> is <see cref="ClaimStatus.Claimed"/>.</param>
/// <param name="RetryAfter">For <see cref="ClaimStatus.Wait"/>: when to try again.</param>
/// <param name="Reserved">True when the trial existed before (re-served), false when it was just proposed.</param>
public readonly record struct ClaimResult(ClaimStatus Status, Trial? Trial = null, TimeSpan RetryAfter = default, bool Reserved = false);

/// <summary>How a trial ended.</summary>
/// <param name="Worker">The worker that reports the outcome.</param>
/// <param name="Status"><see cref="TrialStatus.Completed"/>, <see cref="TrialStatus.Failed"/> or <see cref="TrialStatus.Skipped"/>.</param>
/// <param name="Reward">Final reward of a completed trial.</param>
/// <param name="Metrics">Final metrics.</param>
/// <param name="Reason">Why it failed or was skipped.</param>
public sealed record TrialOutcome(string Worker, TrialStatus Status, Reward? Reward = null, IReadOnlyDictionary<string, double>? Metrics = null, string? Reason = null);

/// <summary>A study store file or database is not what was expected (not a store, or a newer schema).</summary>
public sealed class StudyStoreFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StudyStoreFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A study was resumed with a space other than the one it was created for.</summary>
public sealed class StudySpaceMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public StudySpaceMismatchException(string message) : base(message) { }
}
