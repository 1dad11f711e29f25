using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

using NasNotebooks.Tests;

namespace NasNotebooks.Runtime.Tests.Studies;

using Search = NasNotebooks.Runtime.Search;

/// <summary>A stop request kept in the study's metadata (the dashboard's stop button) ends the runs working on the study, and only those.</summary>
public class StudyStopRequestTests
{
    [Fact]
    public async Task A_stop_request_ends_the_running_search_and_a_later_run_is_not_stopped_by_it()
    {
        using var dir = new TempDir();
        using var store = StudyStore.Open(dir.File("stop.db"));
        var options = new SearchOptions { Store = store, StudyName = "s", MaxTrials = 100_000 };
        var started = new TaskCompletionSource();
        var run = Search.RunAsync(TestSpaces.Flat(), new SeededRandomSearch(1), async (c, f, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(20, ct);
            f.Done(TestSpaces.Objective(c));
        }, options);
        await started.Task;
        StudyStopRequest.Request(store, "s");
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StopReason.StopRequested, result.StopReason);
        Assert.All(result.Trials, t => Assert.NotEqual(TrialStatus.Pending, t.Status));
        var first = StudyStopRequest.Latest(store.FindStudy("s"));
        Assert.NotNull(first);

        // The request stays in the study, but a run started after it is not stopped by it: it runs to its budget.
        int before = result.Trials.Count;
        var resumed = await Search.RunAsync(TestSpaces.Flat(), new SeededRandomSearch(1), (c, f, ct) => { f.Done(TestSpaces.Objective(c)); return Task.CompletedTask; },
            options with { MaxTrials = before + 30 }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StopReason.MaxTrials, resumed.StopReason);
        Assert.Equal(before + 30, resumed.Trials.Count);

        // A second request is newer than the first (values strictly increase even within one millisecond).
        StudyStopRequest.Request(store, "s");
        Assert.True(long.Parse(StudyStopRequest.Latest(store.FindStudy("s"))!) > long.Parse(first));
    }

    [Fact]
    public void Requesting_a_stop_of_a_missing_study_names_it()
    {
        using var store = new InMemoryStudyStore();
        var e = Assert.Throws<KeyNotFoundException>(() => StudyStopRequest.Request(store, "ghost"));
        Assert.Contains("ghost", e.Message);
    }
}
