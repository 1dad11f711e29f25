namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// A worker of a distributed study: any number of processes on any number of machines run
/// <see cref="RunAsync"/> against the same store and study. Proposals are serialized by the store (an
/// advisory lock in PostgreSQL, an IMMEDIATE transaction in SQLite) and made by each worker's own
/// algorithm instance, brought up to date with the study's history first; evaluation runs outside the
/// lock under a lease renewed by heartbeat; a dead worker's trial is served again once its lease expires.
/// </summary>
/// <example><code>
/// using var store = StudyStore.Open("postgres://nas@db:5432/nas");
/// await StudyWorker.RunAsync(store, "cifar-nas", space, () => new RegularizedEvolution(seed: 1),
///     async (candidate, feedback, ct) => feedback.Done(await TrainAsync(candidate, ct)),
///     new SearchOptions { MaxTrials = 500 });
/// </code></example>
public static class StudyWorker
{
    /// <summary>Runs this worker until the study is finished, the budget is spent or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="studyName">The study (created by the first worker; later ones must use the same space).</param>
    /// <param name="space">The space (a symbolic space or its spec).</param>
    /// <param name="algorithmFactory">Makes this worker's algorithm; every worker must build it the same way (same seed) for a reproducible study.</param>
    /// <param name="evaluate">Evaluates one candidate and ends its trial through the feedback.</param>
    /// <param name="options">Budget, lease, parallelism within this worker... (<see cref="SearchOptions.Store"/> and <see cref="SearchOptions.StudyName"/> are replaced by the arguments).</param>
    /// <param name="cancellationToken">Stops the worker cleanly; its unfinished trials are given back.</param>
    public static Task<SearchResult> RunAsync(IStudyStore store, string studyName, object? space, Func<ISearchAlgorithm> algorithmFactory,
        Func<object?, TrialFeedback, CancellationToken, Task> evaluate, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(studyName);
        ArgumentNullException.ThrowIfNull(algorithmFactory);
        ArgumentNullException.ThrowIfNull(evaluate);
        var algorithm = algorithmFactory() ?? throw new ArgumentException("The algorithm factory returned null.", nameof(algorithmFactory));
        var (spec, opts) = Search.Prepare(space, algorithm, (options ?? new SearchOptions()) with { Store = store, StudyName = studyName });
        return Search.RunCoreAsync(store, spec, algorithm, evaluate, opts, cancellationToken, algorithmFactory);
    }
}
