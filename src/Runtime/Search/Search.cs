using System.Collections;
using System.Runtime.CompilerServices;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Runtime;

/// <summary>
/// The search loop (PyGlove's <c>pg.sample</c>): an algorithm proposes points of a space, the loop
/// materializes them and hands each out with a <see cref="TrialFeedback"/>, trials are recorded in a
/// study store (in memory by default) and a stopped study resumes from its store.
/// </summary>
/// <example><code>
/// var space = Space.Dict().OneOf("kernel", 3, 5, 7).Float("lr", 1e-4, 1e-1, Scale.Log).Build();
/// foreach (var (candidate, feedback) in Search.Sample(space, algorithm, new SearchOptions { MaxTrials = 20 }))
/// {
///     var hp = (SymDict)candidate!;
///     feedback.Done(Train(hp));
/// }
///
/// // Four evaluations at a time:
/// var result = await Search.RunAsync(space, algorithm,
///     async (candidate, feedback, ct) => feedback.Done(await TrainAsync(candidate, ct)),
///     new SearchOptions { MaxTrials = 100, Parallelism = 4 });
/// </code></example>
public static class Search
{
    /// <summary>
    /// Samples the space one trial at a time. Each enumeration runs (or resumes) the study
    /// <see cref="SearchOptions.StudyName"/> in <see cref="SearchOptions.Store"/>.
    /// </summary>
    /// <param name="space">A symbolic space (with hyper values) or its <see cref="SpaceSpec"/>.</param>
    /// <param name="algorithm">The algorithm; <see cref="ISearchAlgorithm.Setup"/> is called at the start of each enumeration and its state rebuilt from the study's history.</param>
    /// <param name="options">Budget, store, early stopping...</param>
    /// <param name="cancellationToken">Ends the loop cleanly (the results stay in the store).</param>
    public static SearchRun Sample(object? space, ISearchAlgorithm algorithm, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (spec, opts) = Prepare(space, algorithm, options);
        return new SearchRun(spec, algorithm, opts, cancellationToken);
    }

    /// <summary>Like <see cref="Sample"/>, for <c>await foreach</c>: waiting for trials held elsewhere does not block a thread.</summary>
    public static AsyncSearchRun SampleAsync(object? space, ISearchAlgorithm algorithm, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (spec, opts) = Prepare(space, algorithm, options);
        return new AsyncSearchRun(spec, algorithm, opts, cancellationToken);
    }

    /// <summary>
    /// Runs the search, evaluating up to <see cref="SearchOptions.Parallelism"/> trials at a time with
    /// <paramref name="evaluate"/>. An evaluation that throws fails its trial (with the exception as
    /// reason) and the search goes on; one that returns without an outcome is served again. Cancellation
    /// ends the run cleanly: the returned result has <see cref="StopReason.Cancelled"/> and the finished trials.
    /// </summary>
    /// <returns>All trials of the study and why the run ended.</returns>
    public static Task<SearchResult> RunAsync(object? space, ISearchAlgorithm algorithm,
        Func<object?, TrialFeedback, CancellationToken, Task> evaluate, SearchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        var (spec, opts) = Prepare(space, algorithm, options);
        var store = opts.Store ?? new InMemoryStudyStore();
        return RunCoreAsync(store, spec, algorithm, evaluate, opts, cancellationToken);
    }

    internal static (SpaceSpec, SearchOptions) Prepare(object? space, ISearchAlgorithm algorithm, SearchOptions? options)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        var opts = options ?? new SearchOptions();
        opts.Validate();
        return (SearchSession.SpecOf(space), opts);
    }

    internal static async Task<SearchResult> RunCoreAsync(IStudyStore store, SpaceSpec spec, ISearchAlgorithm algorithm,
        Func<object?, TrialFeedback, CancellationToken, Task> evaluate, SearchOptions options, CancellationToken ct,
        Func<ISearchAlgorithm>? factory = null)
    {
        using var session = SearchSession.Start(store, spec, algorithm, options, ct, factory);
        var slots = new Task[options.Parallelism];
        for (int i = 0; i < slots.Length; i++) slots[i] = Task.Run(() => SlotAsync(session, evaluate, ct), CancellationToken.None);
        try { await Task.WhenAll(slots).ConfigureAwait(false); }
        catch
        {
            session.SetStop(StopReason.Error);
            throw;
        }
        return session.Result();
    }

    private static void GiveBack((SearchSession Session, TrialFeedback Feedback) slot)
    {
        try
        {
            if (!slot.Feedback.IsFinished) slot.Session.Release(slot.Feedback, patient: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            System.Diagnostics.Trace.TraceWarning($"Study '{slot.Session.Study}': could not give trial {slot.Feedback.TrialId} back: {e.Message}");
        }
    }

    private static async Task SlotAsync(SearchSession session, Func<object?, TrialFeedback, CancellationToken, Task> evaluate, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var step = session.Next();
                if (step.Kind == SearchSession.StepKind.End) return;
                if (step.Kind == SearchSession.StepKind.Wait)
                {
                    try { await Task.Delay(step.Wait, ct).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    continue;
                }
                var fb = step.Feedback!;
                // Cancellation gives the trial back at once, so that another worker can take it without waiting for
                // its lease, even while an evaluation that ignores the token is still running.
                using (ct.Register(static state => GiveBack((ValueTuple<SearchSession, TrialFeedback>)state!), (session, fb)))
                {
                    try { await evaluate(fb.Candidate, fb, ct).ConfigureAwait(false); }
                    catch (Exception) when (ct.IsCancellationRequested)
                    {
                        // Canceled, or an outcome refused because the trial was already given back.
                        GiveBack((session, fb));
                        session.SetStop(StopReason.Cancelled);
                        return;
                    }
                    catch (Exception e) when (!fb.IsFinished)
                    {
                        fb.Fail(e);
                    }
                }
                if (!fb.IsFinished) session.Release(fb);
            }
        }
        catch
        {
            session.SetStop(StopReason.Error);
            throw;
        }
    }
}

/// <summary>A search to enumerate with <c>foreach</c>; see <see cref="Search.Sample"/>.</summary>
public sealed class SearchRun : IEnumerable<(object? Candidate, TrialFeedback Feedback)>
{
    private readonly SpaceSpec _spec;
    private readonly ISearchAlgorithm _algorithm;
    private readonly SearchOptions _options;
    private readonly CancellationToken _ct;
    private SearchSession? _last;

    internal SearchRun(SpaceSpec spec, ISearchAlgorithm algorithm, SearchOptions options, CancellationToken ct)
    {
        _spec = spec;
        _algorithm = algorithm;
        _options = options;
        _ct = ct;
        Store = options.Store ?? new InMemoryStudyStore();
    }

    /// <summary>The store holding the study (the in-memory one when none was given).</summary>
    public IStudyStore Store { get; }

    /// <summary>The study name.</summary>
    public string StudyName => _options.StudyName;

    /// <summary>All trials of the study and why the last enumeration ended (ConsumerStopped while it runs).</summary>
    public SearchResult Result => _last?.Result() ?? new SearchResult(StudyName, Store.FindStudy(StudyName) is null ? [] : Store.GetTrials(StudyName), StopReason.ConsumerStopped, TimeSpan.Zero);

    /// <inheritdoc />
    public IEnumerator<(object? Candidate, TrialFeedback Feedback)> GetEnumerator()
    {
        var session = SearchSession.Start(Store, _spec, _algorithm, _options, _ct);
        _last = session;
        return Iterate(session).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static IEnumerable<(object? Candidate, TrialFeedback Feedback)> Iterate(SearchSession session)
    {
        TrialFeedback? current = null;
        try
        {
            while (true)
            {
                if (current is { IsFinished: false }) session.Release(current);
                current = null;
                var step = session.Next();
                if (step.Kind == SearchSession.StepKind.End) yield break;
                if (step.Kind == SearchSession.StepKind.Wait)
                {
                    session.CancellationToken.WaitHandle.WaitOne(step.Wait);
                    continue;
                }
                current = step.Feedback!;
                yield return (current.Candidate, current);
            }
        }
        finally
        {
            if (current is { IsFinished: false }) session.Release(current);
            session.Dispose();
        }
    }
}

/// <summary>A search to enumerate with <c>await foreach</c>; see <see cref="Search.SampleAsync"/>.</summary>
public sealed class AsyncSearchRun : IAsyncEnumerable<(object? Candidate, TrialFeedback Feedback)>
{
    private readonly SpaceSpec _spec;
    private readonly ISearchAlgorithm _algorithm;
    private readonly SearchOptions _options;
    private readonly CancellationToken _ct;
    private SearchSession? _last;

    internal AsyncSearchRun(SpaceSpec spec, ISearchAlgorithm algorithm, SearchOptions options, CancellationToken ct)
    {
        _spec = spec;
        _algorithm = algorithm;
        _options = options;
        _ct = ct;
        Store = options.Store ?? new InMemoryStudyStore();
    }

    /// <summary>The store holding the study (the in-memory one when none was given).</summary>
    public IStudyStore Store { get; }

    /// <summary>The study name.</summary>
    public string StudyName => _options.StudyName;

    /// <summary>All trials of the study and why the last enumeration ended.</summary>
    public SearchResult Result => _last?.Result() ?? new SearchResult(StudyName, Store.FindStudy(StudyName) is null ? [] : Store.GetTrials(StudyName), StopReason.ConsumerStopped, TimeSpan.Zero);

    /// <inheritdoc />
    public IAsyncEnumerator<(object? Candidate, TrialFeedback Feedback)> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var linked = cancellationToken.CanBeCanceled && _ct.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_ct, cancellationToken) : null;
        var ct = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : _ct);
        SearchSession session;
        try { session = SearchSession.Start(Store, _spec, _algorithm, _options, ct); }
        catch
        {
            linked?.Dispose();
            throw;
        }
        _last = session;
        return Iterate(session, linked).GetAsyncEnumerator(CancellationToken.None);
    }

    private static async IAsyncEnumerable<(object? Candidate, TrialFeedback Feedback)> Iterate(SearchSession session, CancellationTokenSource? linked,
        [EnumeratorCancellation] CancellationToken unused = default)
    {
        using var _ = linked;
        TrialFeedback? current = null;
        try
        {
            while (true)
            {
                if (current is { IsFinished: false }) session.Release(current);
                current = null;
                var step = session.Next();
                if (step.Kind == SearchSession.StepKind.End) yield break;
                if (step.Kind == SearchSession.StepKind.Wait)
                {
                    try { await Task.Delay(step.Wait, session.CancellationToken).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    continue;
                }
                current = step.Feedback!;
                yield return (current.Candidate, current);
            }
        }
        finally
        {
            if (current is { IsFinished: false }) session.Release(current);
            session.Dispose();
        }
    }
}
