using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.EarlyStopping;
using NasNotebooks.Runtime.Studies;
using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>Real searches: TorchSharp training of CNN candidates on the shipped digits data, stored in SQLite.</summary>
[Collection(TorchTestData.Collection)]
public sealed class TorchSearchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("torch-search-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A small CNN family: 1-2 stages, each choosing depth, width, kernel and activation.</summary>
    internal static SymObject CnnSpace() => Space.Object<CnnArchitecture>()
        .Set(a => a.Stages, Hyper.OneOf(
            Space.List(Stage(0)),
            Space.List(Stage(0), Stage(1))).Named("stages"))
        .Set(a => a.GlobalPool, false)
        .Build();

    private static SymObject Stage(int i) => Space.Object<CnnStage>()
        .Set(s => s.Depth, Hyper.OneOf(1, 2))
        .Set(s => s.Width, Hyper.OneOf(8, 16))
        .Set(s => s.Kernel, Hyper.OneOf(3, 5))
        .Set(s => s.Activation, Hyper.OneOf(Activation.ReLU, Activation.GELU))
        .Set(s => s.Pool, i == 0)
        .Build();

    private static Task<SearchResult> Run(int seed, string db) =>
        Runtime.Search.RunAsync(CnnSpace(), AlgorithmCatalog.Create("evolution", seed),
            new TorchSearchEvaluator(TorchTestData.Digits, TorchTestData.Fast(seed, epochs: 2)).EvaluateAsync,
            new SearchOptions { MaxTrials = 8, Store = StudyStore.Open(db), StudyName = "cnn-digits" });

    [Fact]
    public async Task EvolutionOverCnns_OnDigits_ReachesOver90Percent_AndRepeatsWithTheSameSeed()
    {
        var db = Path.Combine(_dir, "cnn.db");
        var first = await Run(seed: 1, db);
        Assert.Equal(8, first.Trials.Count);
        Assert.All(first.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        var best = first.Best!;
        Assert.True(best.FinalReward!.Value.Value > 0.90, $"best accuracy {best.FinalReward}");
        Assert.True(best.Metrics["params"] > 0 && best.Metrics["flops"] > 0 && best.Metrics["latency_ms"] > 0);
        Assert.Equal(2, best.Measurements.Count);

        using (var reopened = StudyStore.Open(db))
            Assert.Equal(first.Trials.Select(t => t.FinalReward), reopened.GetTrials("cnn-digits").Select(t => t.FinalReward));

        var second = await Run(seed: 1, Path.Combine(_dir, "again.db"));
        Assert.Equal(first.Trials.Select(t => t.Dna), second.Trials.Select(t => t.Dna));
        Assert.Equal(first.Trials.Select(t => t.FinalReward), second.Trials.Select(t => t.FinalReward));
    }

    [Fact]
    public async Task Asha_StopsTrialsOfARealSearch_AfterFewerEpochs()
    {
        // MLPs on digits, from hopeless (1 hidden unit) to good (128), trained for 4 epochs with one measurement per
        // epoch; ASHA (rungs at epochs 1, 2 and 4, keeping the top half) stops the trials that fall behind.
        var widths = new[] { 1, 2, 4, 64, 128 };
        var space = Hyper.OneOf(widths.SelectMany(w => new[] { Activation.ReLU, Activation.GELU }.Select(a => (object)new MlpArchitecture([w], a))).ToArray());
        var evaluator = new TorchSearchEvaluator(TorchTestData.Digits, TorchTestData.Fast(0, epochs: 4) with { LatencyRuns = 1, LatencyWarmup = 0 });
        var result = await Runtime.Search.RunAsync(space, new RandomSearch(3), evaluator.EvaluateAsync,
            new SearchOptions { MaxTrials = 10, EarlyStopping = new Asha(minResource: 1, reductionFactor: 2), Store = StudyStore.Open(Path.Combine(_dir, "asha.db")), StudyName = "asha" });

        Assert.Equal(10, result.Trials.Count);
        var stopped = result.Trials.Where(t => t.Status == TrialStatus.Skipped).ToList();
        var completed = result.Trials.Where(t => t.Status == TrialStatus.Completed).ToList();
        Assert.Equal(10, stopped.Count + completed.Count);
        Assert.True(stopped.Count >= 2, $"ASHA stopped {stopped.Count} of 10 trials: {string.Join("; ", result.Trials.Select(t => $"{t.Id} {t.Status} {t.Measurements.Count} epochs"))}");
        Assert.NotEmpty(completed);
        // A stopped trial trained fewer epochs than a full one, and says after which epoch it stopped.
        Assert.All(stopped, t =>
        {
            Assert.InRange(t.Measurements.Count, 1, 3);
            Assert.StartsWith($"stopped early after epoch {t.Measurements.Count} ", t.Reason);
        });
        Assert.All(completed, t => Assert.Equal((4, 4.0), (t.Measurements.Count, t.Metrics["epochs"])));
        Assert.True(result.Trials.Sum(t => t.Measurements.Count) <= 40 - stopped.Count);
        Console.WriteLine($"ASHA: {string.Join("; ", result.Trials.Select(t => $"trial {t.Id} {t.Status} after {t.Measurements.Count} epochs"))}");
    }

    [Fact]
    public async Task BadCandidates_FailTheirTrial_AndTheStudyGoesOn()
    {
        // Kernel 9 without padding on 8x8 digits cannot be built; a huge learning rate diverges (NaN loss).
        var space = Hyper.OneOf(
            new CnnArchitecture([new CnnStage(1, 8, 9)], SamePadding: false),
            new CnnArchitecture([new CnnStage(1, 8, 3)]));
        var evaluator = new TorchSearchEvaluator(TorchTestData.Digits, TorchTestData.Fast(0, epochs: 1));
        var result = await Runtime.Search.RunAsync(space, new GridSearch(), evaluator.EvaluateAsync, new SearchOptions { MaxTrials = 2 });
        Assert.Equal(TrialStatus.Failed, result.Trials[0].Status);
        Assert.Contains("BuildFailed", result.Trials[0].Reason);
        Assert.Equal(TrialStatus.Completed, result.Trials[1].Status);

        var diverging = new TorchSearchEvaluator(TorchTestData.Digits, TorchTestData.Fast(0, epochs: 1) with { LearningRate = 1e30 });
        var nan = await Runtime.Search.RunAsync(Hyper.OneOf(new CnnArchitecture([new CnnStage(1, 8, 3)])), new GridSearch(), diverging.EvaluateAsync,
            new SearchOptions { MaxTrials = 1 });
        Assert.Equal(TrialStatus.Failed, nan.Trials[0].Status);
        Assert.Contains("Diverged", nan.Trials[0].Reason);
    }

    [Fact]
    public void Objectives_AndDevices_AreChecked()
    {
        Assert.Contains("Unknown objective 'speed'", Assert.Throws<ArgumentException>(() => new TorchSearchEvaluator(TorchTestData.Digits, objectives: ["speed"])).Message);
        var evaluator = new TorchSearchEvaluator(TorchTestData.Digits, objectives: ["accuracy", "-params"]);
        evaluator.UseDevice("cpu");
        if (!TorchSharp.torch.cuda.is_available())
            Assert.Throws<ArgumentException>(() => evaluator.UseDevice("cuda"));
        Assert.Throws<ArgumentException>(() => evaluator.UseDevice("tpu"));
    }
}
