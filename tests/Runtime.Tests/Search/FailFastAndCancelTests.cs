using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

namespace NasNotebooks.Runtime.Tests.Search;

using Search = NasNotebooks.Runtime.Search;

public class FailFastTests
{
    [Fact]
    public async Task A_run_whose_first_trials_all_fail_stops_with_the_first_reason()
    {
        using var store = new InMemoryStudyStore();
        int calls = 0;
        var e = await Assert.ThrowsAsync<TrialsFailedException>(() => Search.RunAsync(TestSpaces.Flat(), new SeededRandomSearch(3),
            (candidate, feedback, ct) => { feedback.Fail($"bad data #{Interlocked.Increment(ref calls)}"); return Task.CompletedTask; },
            new SearchOptions { Store = store, StudyName = "broken", MaxTrials = 50, FailFast = 4 }));
        Assert.Equal("the first 4 trials of study 'broken' that this run ended all failed; the first, trial 1, failed with: bad data #1", e.Message);
        Assert.Equal((4, 1), (e.Count, e.FirstFailure.Id));
        var trials = store.GetTrials("broken");
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Failed, t.Status));
    }

    [Fact]
    public void Non_finite_rewards_count_as_failures_in_the_sync_loop_too()
    {
        var options = new SearchOptions { MaxTrials = 50, FailFast = 3 };
        var e = Assert.Throws<TrialsFailedException>(() =>
        {
            foreach (var (_, feedback) in Search.Sample(TestSpaces.Flat(), new SeededRandomSearch(3), options)) feedback.Done(double.NaN);
        });
        Assert.EndsWith("failed with: non-finite reward NaN at the final reward", e.Message);
    }

    [Fact]
    public async Task One_success_among_the_first_trials_lets_the_run_go_on()
    {
        var result = await Search.RunAsync(TestSpaces.Flat(), new SeededRandomSearch(3),
            (candidate, feedback, ct) => { if (feedback.TrialId == 3) feedback.Done(1); else feedback.Fail("no"); return Task.CompletedTask; },
            new SearchOptions { MaxTrials = 12, FailFast = 3 });
        Assert.Equal(StopReason.MaxTrials, result.StopReason);
        Assert.Equal(12, result.Trials.Count);
    }
}

public class CancellationGivesTrialsBackTests
{
    [Fact]
    public async Task Cancelling_gives_the_running_trial_back_at_once_even_if_the_evaluation_ignores_the_token()
    {
        using var dir = new NasNotebooks.Tests.TempDir();
        using var store = StudyStore.Open(dir.File("c.db"));
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var run = StudyWorker.RunAsync(store, "c", TestSpaces.Flat(), () => new SeededRandomSearch(1), async (candidate, feedback, ct) =>
        {
            started.TrySetResult();
            await release.Task; // ignores the token, like a native call that does not return soon
            feedback.Done(1);
        }, new SearchOptions { MaxTrials = 5, WorkerId = "a", LeaseDuration = TimeSpan.FromMinutes(10) }, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();

        // The trial is free for another worker now, not in 10 minutes.
        var claim = store.Claim("c", new ClaimRequest { Worker = "b", Propose = _ => throw new InvalidOperationException("no new trial expected") });
        Assert.Equal((ClaimStatus.Claimed, 1, true), (claim.Status, claim.Trial!.Id, claim.Reserved));
        Assert.False(run.IsCompleted);

        release.SetResult(); // the evaluation ends late: its Done is refused, the run ends as cancelled
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Equal((TrialStatus.Pending, "b"), (store.GetTrials("c")[0].Status, store.GetTrials("c")[0].Worker));
    }
}
