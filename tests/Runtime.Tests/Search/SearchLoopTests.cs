using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.WorkerHost;

namespace NasNotebooks.Runtime.Tests.Search;

using Search = NasNotebooks.Runtime.Search;

public class SearchLoopTests
{
    private static SymDict Space3() => Dsl.Space.Dict().OneOf("k", 3, 5, 7).OneOf("w", 8, 16).Build();

    [Fact]
    public void Sample_serves_trials_until_MaxTrials_and_records_them()
    {
        var run = Search.Sample(TestSpaces.Flat(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 10 });
        var ids = new List<int>();
        foreach (var (candidate, feedback) in run)
        {
            Assert.IsType<SymDict>(candidate);
            Assert.Equal(TrialStatus.Pending, feedback.Status);
            ids.Add(feedback.TrialId);
            feedback.Done(TestSpaces.Objective(candidate));
        }
        Assert.Equal(Enumerable.Range(1, 10), ids);
        var result = run.Result;
        Assert.Equal(StopReason.MaxTrials, result.StopReason);
        Assert.Equal(10, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(result.Trials.Max(t => t.FinalReward!.Value.Value), result.Best!.FinalReward!.Value.Value);
    }

    [Fact]
    public void Candidate_is_the_materialized_dna()
    {
        var spec = Dsl.Space.Spec(Space3());
        foreach (var (candidate, feedback) in Search.Sample(spec, new SeededRandomSearch(3), new SearchOptions { MaxTrials = 5 }))
        {
            Assert.Equal(spec.Materialize(feedback.Dna), candidate);
            Assert.Same(candidate, feedback.Candidate);
            feedback.Done(1);
        }
    }

    [Fact]
    public void Seeded_runs_are_reproducible()
    {
        static List<string> Run(int seed) => Search.Sample(TestSpaces.Flat(), new SeededHillClimber(seed), new SearchOptions { MaxTrials = 30 })
            .Select(x => { x.Feedback.Done(TestSpaces.Objective(x.Candidate)); return x.Feedback.Dna.ToString(); }).ToList();
        Assert.Equal(Run(5), Run(5));
        Assert.NotEqual(Run(5), Run(6));
    }

    [Fact]
    public void Feedback_after_Done_throws_a_clear_error_and_keeps_the_result()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 1 });
        foreach (var (_, feedback) in run)
        {
            feedback.Done(0.5);
            var e = Assert.Throws<InvalidOperationException>(() => feedback.Done(0.7));
            Assert.Contains("Trial 1 already ended (Completed) by Done(); Done() after Done(), Skip() or Fail() is not allowed", e.Message);
            Assert.Throws<InvalidOperationException>(() => feedback.Report(2, 0.1));
            Assert.Throws<InvalidOperationException>(() => feedback.Skip());
            Assert.Throws<InvalidOperationException>(() => feedback.Fail("x"));
        }
        var t = Assert.Single(run.Result.Trials);
        Assert.Equal(0.5, t.FinalReward!.Value.Value);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void Non_finite_reward_fails_the_trial_with_the_reason(double reward, string text)
    {
        var alg = new SeededRandomSearch(1);
        var run = Search.Sample(Space3(), alg, new SearchOptions { MaxTrials = 3 });
        foreach (var (_, feedback) in run)
        {
            if (feedback.TrialId == 2)
            {
                feedback.Done(reward);
                Assert.Equal(TrialStatus.Failed, feedback.Status);
                Assert.True(feedback.ShouldStopEarly);
                feedback.Done(1.0); // ignored: the trial already failed on its own
            }
            else feedback.Done(1.0);
        }
        var trials = run.Result.Trials;
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], trials.Select(t => t.Status));
        Assert.Equal($"non-finite reward {text} at the final reward", trials[1].Reason);
        Assert.Null(trials[1].FinalReward);
        Assert.Equal(2, alg.Feedbacks);
    }

    [Fact]
    public void NaN_in_an_intermediate_report_or_one_objective_fails_the_trial()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 2 });
        foreach (var (_, feedback) in run)
        {
            if (feedback.TrialId == 1)
            {
                feedback.Report(1, 0.5);
                feedback.Report(2, double.NaN);
                Assert.True(feedback.ShouldStopEarly);
                feedback.Report(3, 0.7); // ignored
            }
            else feedback.Done([0.5, double.NaN]);
        }
        var trials = run.Result.Trials;
        Assert.Equal("non-finite reward NaN at step 2", trials[0].Reason);
        Assert.Single(trials[0].Measurements);
        Assert.Equal("non-finite reward NaN at the final reward (objective 1)", trials[1].Reason);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Failed, t.Status));
    }

    [Fact]
    public void Done_without_reward_uses_the_last_report_and_needs_one()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 1 });
        foreach (var (_, feedback) in run)
        {
            var e = Assert.Throws<InvalidOperationException>(() => feedback.Done());
            Assert.Contains("Done() without a reward needs an earlier Report(step, reward)", e.Message);
            feedback.Report(1, 0.25, new Dictionary<string, double> { ["loss"] = 2.0 });
            feedback.Report(2, 0.75, new Dictionary<string, double> { ["loss"] = 1.0 });
            feedback.Done();
        }
        var t = Assert.Single(run.Result.Trials);
        Assert.Equal(0.75, t.FinalReward!.Value.Value);
        Assert.Equal(1.0, t.Metrics["loss"]);
        Assert.Equal([1, 2], t.Measurements.Select(m => m.Step));
    }

    [Fact]
    public void Multi_objective_rewards_and_pareto_front()
    {
        var rewards = new[] { new[] { 1.0, 5.0 }, [2.0, 4.0], [0.5, 0.5], [2.0, 5.0], [0.0, 6.0] };
        var run = Search.Sample(Space3(), new SeededRandomSearch(2), new SearchOptions { MaxTrials = 5 });
        foreach (var (_, feedback) in run) feedback.Done(rewards[feedback.TrialId - 1]);
        var result = run.Result;
        Assert.All(result.Trials, t => Assert.True(t.FinalReward!.Value.IsMultiObjective));
        Assert.Equal([4, 5], result.ParetoFront.Select(t => t.Id));
    }

    [Fact]
    public void Rewards_can_come_from_named_metrics()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(2), new SearchOptions { MaxTrials = 1, RewardMetrics = ["acc", "neg_params"] });
        foreach (var (_, feedback) in run)
        {
            var e = Assert.Throws<ArgumentException>(() => feedback.Done(new Dictionary<string, double> { ["acc"] = 0.9 }));
            Assert.Contains("no 'neg_params' entry", e.Message);
            feedback.Done(new Dictionary<string, double> { ["acc"] = 0.9, ["neg_params"] = -1000, ["latency"] = 3 });
        }
        var t = Assert.Single(run.Result.Trials);
        Assert.Equal([0.9, -1000], t.FinalReward!.Value.Values);
        Assert.Equal(3, t.Metrics["latency"]);
    }

    [Fact]
    public void Skip_and_Fail_record_the_reason_and_give_no_feedback_to_the_algorithm()
    {
        var alg = new SeededRandomSearch(1);
        var run = Search.Sample(Space3(), alg, new SearchOptions { MaxTrials = 3 });
        foreach (var (_, feedback) in run)
        {
            switch (feedback.TrialId)
            {
                case 1: feedback.Skip("infeasible"); break;
                case 2: feedback.Fail(new InvalidDataException("bad weights")); break;
                default: feedback.Done(1); break;
            }
        }
        var trials = run.Result.Trials;
        Assert.Equal([TrialStatus.Skipped, TrialStatus.Failed, TrialStatus.Completed], trials.Select(t => t.Status));
        Assert.Equal("infeasible", trials[0].Reason);
        Assert.Equal("InvalidDataException: bad weights", trials[1].Reason);
        Assert.Equal(3, alg.Proposals);
        Assert.Equal(1, alg.Feedbacks);
    }

    [Fact]
    public void A_trial_without_outcome_is_served_again_then_failed_after_MaxAttempts()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 3, MaxAttempts = 3 });
        var served = new List<(int Id, bool Reserved, string Dna)>();
        foreach (var (_, feedback) in run)
        {
            served.Add((feedback.TrialId, feedback.IsReserved, feedback.Dna.ToString()));
            if (feedback.TrialId == 1 && served.Count == 1) continue;          // moved on: served again
            if (feedback.TrialId == 2) { feedback.Report(1, 0.1); continue; }  // never finished
            feedback.Done(1);
        }
        Assert.Equal([1, 1, 2, 2, 2, 3], served.Select(s => s.Id));
        Assert.Equal([false, true, false, true, true, false], served.Select(s => s.Reserved));
        Assert.Equal(served[0].Dna, served[1].Dna);
        var trials = run.Result.Trials;
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed], trials.Select(t => t.Status));
        Assert.StartsWith("abandoned: served 3 times without an outcome", trials[1].Reason);
        Assert.Single(trials[1].Measurements);
    }

    [Fact]
    public void Old_feedback_of_a_released_trial_is_rejected()
    {
        TrialFeedback? first = null;
        int serves = 0;
        string? rejection = null;
        foreach (var (_, feedback) in Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 1 }))
        {
            serves++;
            if (first is null) { first = feedback; continue; }
            rejection = Assert.Throws<InvalidOperationException>(() => first.Done(1)).Message;
            feedback.Done(1);
        }
        // The trial left without an outcome must come back (a second serve), and the old handle must then be refused.
        Assert.Equal(2, serves);
        Assert.Contains("was given back to the study", rejection);
    }

    [Fact]
    public void An_exception_in_the_loop_body_leaves_the_trial_to_be_served_again()
    {
        var store = new InMemoryStudyStore();
        var options = new SearchOptions { Store = store, StudyName = "crashy", MaxTrials = 3 };
        Assert.Throws<InvalidTimeZoneException>(() =>
        {
            foreach (var (_, feedback) in Search.Sample(Space3(), new SeededRandomSearch(1), options))
            {
                if (feedback.TrialId == 2) throw new InvalidTimeZoneException("boom");
                feedback.Done(1);
            }
        });
        var served = new List<int>();
        foreach (var (_, feedback) in Search.Sample(Space3(), new SeededRandomSearch(1), options))
        {
            served.Add(feedback.TrialId);
            feedback.Done(2);
        }
        Assert.Equal([2, 3], served);
        Assert.Equal([1.0, 2.0, 2.0], store.GetTrials("crashy").Select(t => t.FinalReward!.Value.Value));
    }

    [Fact]
    public void EndLoop_stops_after_the_current_trial()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 10 });
        foreach (var (_, feedback) in run)
        {
            feedback.Done(1);
            if (feedback.TrialId == 4) feedback.EndLoop();
        }
        Assert.Equal(4, run.Result.Trials.Count);
        Assert.Equal(StopReason.EndLoop, run.Result.StopReason);
    }

    [Fact]
    public void Cancellation_ends_the_loop_cleanly_and_keeps_results()
    {
        using var cts = new CancellationTokenSource();
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions(), cts.Token);
        int n = 0;
        foreach (var (_, feedback) in run)
        {
            if (++n == 5) { cts.Cancel(); continue; } // trial 5 is left unfinished
            feedback.Done(n);
        }
        var result = run.Result;
        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Equal(5, result.Trials.Count);
        Assert.Equal(4, result.Completed.Count());
        Assert.Equal(TrialStatus.Pending, result.Trials[4].Status);
    }

    [Fact]
    public void Time_budget_stops_the_loop()
    {
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { TimeBudget = TimeSpan.FromMilliseconds(150) });
        foreach (var (_, feedback) in run)
        {
            Thread.Sleep(20);
            feedback.Done(1);
        }
        Assert.Equal(StopReason.TimeBudget, run.Result.StopReason);
        Assert.InRange(run.Result.Trials.Count, 1, 8);
        Assert.InRange(run.Result.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Exhausted_algorithm_ends_the_search()
    {
        var run = Search.Sample(Space3(), new GridDouble(), new SearchOptions { MaxTrials = 100 });
        foreach (var (_, feedback) in run) feedback.Done(1);
        Assert.Equal(StopReason.AlgorithmExhausted, run.Result.StopReason);
        Assert.Equal(6, run.Result.Trials.Count);
        Assert.Equal(6, run.Result.Trials.Select(t => t.Dna).Distinct().Count());
    }

    [Fact]
    public void Invalid_proposal_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (_, feedback) in Search.Sample(Space3(), new ConstantDouble(Dna.Parse("[5, 0]")), new SearchOptions { MaxTrials = 2 })) feedback.Done(1);
        });
        Assert.Contains("Algorithm 'constant' proposed '[5,0]', which is not a point of the space", e.Message);
    }

    [Fact]
    public void Early_stopping_policy_sees_the_trial_its_latest_measurement_and_the_history()
    {
        var policy = new StopBelowMedian();
        var run = Search.Sample(Space3(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 4, EarlyStopping = policy });
        var stopped = new List<int>();
        foreach (var (_, feedback) in run)
        {
            for (int step = 1; step <= 3; step++)
            {
                feedback.Report(step, feedback.TrialId == 3 ? 0.0 : 10.0 * step);
                if (feedback.ShouldStopEarly) { stopped.Add(feedback.TrialId); feedback.Skip("stopped early"); break; }
            }
            if (!feedback.IsFinished) feedback.Done();
        }
        Assert.Equal([3], stopped);
        Assert.Equal(1, policy.Calls.First(c => c.Trial == 3).Step);
        Assert.Equal(2, policy.Calls.First(c => c.Trial == 3).HistoryCount);
        Assert.Equal(TrialStatus.Skipped, run.Result.Trials[2].Status);
    }

    [Fact]
    public async Task SampleAsync_supports_await_foreach()
    {
        var run = Search.SampleAsync(TestSpaces.Flat(), new SeededRandomSearch(1), new SearchOptions { MaxTrials = 7 });
        var ids = new List<int>();
        await foreach (var (candidate, feedback) in run)
        {
            await Task.Yield();
            ids.Add(feedback.TrialId);
            feedback.Done(TestSpaces.Objective(candidate));
        }
        Assert.Equal(Enumerable.Range(1, 7), ids);
        Assert.Equal(StopReason.MaxTrials, run.Result.StopReason);
    }

    [Fact]
    public async Task RunAsync_in_parallel_evaluates_every_trial_exactly_once()
    {
        int running = 0, peak = 0;
        var fourRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evaluations = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var result = await Search.RunAsync(TestSpaces.Flat(), new SeededRandomSearch(4), async (candidate, feedback, ct) =>
        {
            int now = Interlocked.Increment(ref running);
            lock (evaluations) peak = Math.Max(peak, now);
            if (now == 4) fourRunning.TrySetResult();
            if (feedback.TrialId <= 4) await fourRunning.Task.WaitAsync(TimeSpan.FromSeconds(20), ct); // the first wave runs together
            evaluations.AddOrUpdate(feedback.TrialId, 1, (_, n) => n + 1);
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref running);
            feedback.Done(TestSpaces.Objective(candidate));
        }, new SearchOptions { MaxTrials = 60, Parallelism = 4 });
        Assert.Equal(StopReason.MaxTrials, result.StopReason);
        Assert.Equal(60, result.Trials.Count);
        Assert.Equal(Enumerable.Range(1, 60), evaluations.Keys.Order());
        Assert.All(evaluations.Values, n => Assert.Equal(1, n));
        Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(4, peak);
    }

    [Fact]
    public async Task RunAsync_records_evaluator_exceptions_and_reserves_unfinished_trials()
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        var result = await Search.RunAsync(Space3(), new SeededRandomSearch(4), (candidate, feedback, ct) =>
        {
            seen.Add(feedback.TrialId);
            if (feedback.TrialId == 2) throw new InvalidDataException("diverged");
            if (feedback.TrialId == 3 && !feedback.IsReserved) return Task.CompletedTask; // no outcome: served again
            feedback.Done(1);
            return Task.CompletedTask;
        }, new SearchOptions { MaxTrials = 4, Parallelism = 2 });
        Assert.Equal([TrialStatus.Completed, TrialStatus.Failed, TrialStatus.Completed, TrialStatus.Completed], result.Trials.Select(t => t.Status));
        Assert.Equal("InvalidDataException: diverged", result.Trials[1].Reason);
        Assert.Equal(2, seen.Count(id => id == 3));
    }

    [Fact]
    public async Task RunAsync_cancellation_returns_the_results_so_far()
    {
        using var cts = new CancellationTokenSource();
        var result = await Search.RunAsync(Space3(), new SeededRandomSearch(4), async (candidate, feedback, ct) =>
        {
            if (feedback.TrialId == 10) cts.Cancel();
            await Task.Delay(feedback.TrialId >= 10 ? 10_000 : 1, ct);
            feedback.Done(1);
        }, new SearchOptions { Parallelism = 3 }, cts.Token);
        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.True(result.Completed.Count() >= 7, $"{result.Completed.Count()} completed");
        Assert.All(result.Trials.Where(t => t.Status != TrialStatus.Completed), t => Assert.Equal(TrialStatus.Pending, t.Status));
    }

    private sealed class GridDouble : ISearchAlgorithm
    {
        private SpaceSpec? _spec;
        private Dna? _last;
        public string Name => "grid";
        public void Setup(SpaceSpec spec) { _spec = spec; _last = null; }
        public Dna Propose() => _last = (_last is null ? _spec!.First() : _spec!.Next(_last)) ?? throw new SearchSpaceExhaustedException("grid done");
        public void Feedback(Dna dna, Reward reward) { }
    }

    private sealed class ConstantDouble(Dna dna) : ISearchAlgorithm
    {
        public string Name => "constant";
        public void Setup(SpaceSpec spec) { }
        public Dna Propose() => dna;
        public void Feedback(Dna d, Reward reward) { }
    }

    private sealed class StopBelowMedian : IEarlyStoppingPolicy
    {
        public List<(int Trial, int Step, int HistoryCount)> Calls { get; } = [];

        public bool ShouldStop(Trial trial, Measurement latest, IReadOnlyList<Trial> history)
        {
            Calls.Add((trial.Id, latest.Step, history.Count));
            var others = history.Where(t => t.Status == TrialStatus.Completed)
                .SelectMany(t => t.Measurements.Where(m => m.Step == latest.Step)).Select(m => m.Reward.Value).ToList();
            return others.Count > 0 && latest.Reward.Value < others.Order().ElementAt(others.Count / 2);
        }
    }
}
