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
