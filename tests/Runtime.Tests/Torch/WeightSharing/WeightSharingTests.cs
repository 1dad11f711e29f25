using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch;
using NasNotebooks.Runtime.Torch.WeightSharing;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Tests.Torch.WeightSharing;

[Collection(TorchTestData.Collection)]
public class WeightSharingTests(ITestOutputHelper output)
{
    /// <summary>A small digits split (600 train, 300 test) so the training tests stay fast on a busy CPU.</summary>
    private static readonly Lazy<DataSplit> Small = new(() => new DataSplit(
        TorchTestData.Digits.Train.Subset(Enumerable.Range(0, 600).ToArray()),
        TorchTestData.Digits.Test.Subset(Enumerable.Range(0, 300).ToArray()),
        "digits-small"));

    private static WeightSharingOptions Options(int epochs, long seed = 0) => new()
    {
        Channels = 8, CellsPerStage = 1, Epochs = epochs, BatchSize = 64, LearningRate = 3e-3, Seed = seed, Threads = 2,
    };

    [Fact]
    public void SposInheritedAccuracyRanksSubnetsLikeStandAloneTraining()
    {
        var digits = Small.Value;
        using var spos = new SposTrainer(digits.Train, digits.Test, Options(epochs: 12, seed: 3));
        spos.Train();
        Assert.Equal(12, spos.EpochLosses.Count);
        Assert.True(spos.EpochLosses[^1] < spos.EpochLosses[0], $"supernet loss {string.Join(", ", spos.EpochLosses)}");

        var spec = Nb201Space.Spec();
        var rng = new Random(11);
        var inherited = new List<double>();
        var standAlone = new List<double>();
        for (int i = 0; i < 8; i++)
        {
            Dna dna = spec.Random(rng);
            int[] ops = Nb201Space.OpIndices(dna);
            inherited.Add(spos.EvaluateSubnet(dna));
            var options = TorchTestData.Fast(seed: 1, epochs: 2) with { LatencyRuns = 1, LatencyWarmup = 0 };
            var result = TorchTrainer.Train(spos.Supernet.Architecture(ops), digits, options);
            // Seen once in CI under heavy load: libtorch reported an invalid Scalar inside the optimizer step
            // ("Expected false to be true" at c10/core/Scalar.h). The run is seeded, so one retry either gives
            // the same accuracy or shows a real failure.
            if (!result.Succeeded && result.Error?.Contains("c10", StringComparison.Ordinal) == true)
                result = TorchTrainer.Train(spos.Supernet.Architecture(ops), digits, options);
            Assert.True(result.Succeeded, result.Error);
            standAlone.Add(result.Accuracy);
            output.WriteLine($"{Nb201Space.ArchString(ops)} inherited {inherited[^1]:F3} stand-alone {standAlone[^1]:F3}");
        }
        double tau = RankCorrelation.KendallTau(inherited, standAlone);
        output.WriteLine($"Kendall tau (inherited vs stand-alone, 8 subnets) = {tau:F3}");
        Console.WriteLine($"SPOS Kendall tau = {tau:F3}");
        Assert.True(tau > 0, $"Kendall tau {tau:F3} should be positive");
    }

    [Fact]
    public void EvaluateSubnetIsDeterministicAndCached()
    {
        var digits = Small.Value;
        using var spos = new SposTrainer(digits.Train, digits.Test, Options(epochs: 1));
        spos.Train();
        // Gradients are set to none before each step, so after training the ops off the last path have none
        // (and Adam skips them rather than moving them with stale moments).
        var parameters = spos.Supernet.parameters().ToArray();
        Assert.Contains(parameters, p => p.grad is null);
        Assert.Contains(parameters, p => p.grad is not null);
        int[] ops = [3, 3, 1, 2, 4, 3];
        double a = spos.EvaluateSubnet(ops);
        Assert.InRange(a, 0.0, 1.0);
        Assert.Equal(a, spos.EvaluateSubnet(Nb201Space.Encode(Nb201Space.ArchString(ops))));
    }

    [Fact]
    public void SposEvolutionSearchReturnsValidDnaWithMaxInheritedAccuracy()
    {
        var digits = Small.Value;
        using var spos = new SposTrainer(digits.Train, digits.Test, Options(epochs: 1, seed: 1));
        spos.Train();
        var result = spos.Search(AlgorithmCatalog.Create("evolution", seed: 1), evaluations: 20);
        Nb201Space.Spec().Validate(result.Best);
        Assert.Equal(20, result.History.Count);
        Assert.Equal(result.History.Max(t => t.Accuracy), result.BestAccuracy);
        Assert.Equal(result.BestAccuracy, spos.EvaluateSubnet(result.Best));
        Assert.Equal(Nb201Space.ArchString(result.Best), result.BestArch);
        output.WriteLine($"best {result.BestArch} {result.BestAccuracy:F3}");
    }

    [Fact]
    public void DartsMovesArchitectureWeightsAndDerivesAValidNb201Dna()
    {
        var digits = Small.Value;
        using var darts = new DartsSearch(digits.Train, digits.Test, Options(epochs: 1, seed: 2));
        float[,] before = darts.Alphas;
        Assert.Equal(6, before.GetLength(0));
        Assert.Equal(5, before.GetLength(1));
        var losses = new List<double>();
        darts.Run(onEpoch: (_, loss, _) => losses.Add(loss));
        float[,] after = darts.Alphas;
        double change = 0;
        for (int e = 0; e < 6; e++)
        {
            for (int k = 0; k < 5; k++)
            {
                change = Math.Max(change, Math.Abs(after[e, k] - before[e, k]));
            }
        }
        Assert.True(change > 5e-3, $"alpha moved by at most {change}");
        Assert.Single(losses);
        Dna dna = darts.Derive();
        Nb201Space.Spec().Validate(dna);
        Assert.Equal(darts.DeriveOps(), Nb201Space.OpIndices(dna));
        float[,] p = darts.Probabilities;
        Assert.Equal(1.0, Enumerable.Range(0, 5).Sum(k => p[0, k]), 3);
        output.WriteLine($"DARTS derived {Nb201Space.ArchString(dna)}, max |Δα| = {change:F3}, mixed acc {darts.EvaluateMixed():F3}");
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4 }, "needs 6 op indices")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5 }, "op index 5 is out of range 0..4")]
    [InlineData(new[] { -1, 1, 2, 3, 4, 0 }, "op index -1 is out of range")]
    public void BadOpIndicesAreArgumentExceptions(int[] ops, string message)
    {
        using var net = new Nb201Supernet(1, 10);
        using var x = zeros(2, 1, 8, 8);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => net.call(x, ops)).Message);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => Nb201Supernet.ValidateOps(ops)).Message);
        Assert.Throws<ArgumentException>(() => net.Architecture(ops));
        using var w = ones(6, 4);
        Assert.Contains("[6, 5]", Assert.Throws<ArgumentException>(() => net.ForwardMixed(x, w)).Message);
    }

    [Fact]
    public void BadDnaIsArgumentException()
    {
        var digits = Small.Value;
        using var spos = new SposTrainer(digits.Train, digits.Test, Options(epochs: 0));
        Assert.Throws<ArgumentException>(() => spos.EvaluateSubnet(Dna.List([Dna.Leaf(1), Dna.Leaf(2)])));
        Assert.Throws<ArgumentException>(() => spos.EvaluateSubnet(new[] { 1, 2, 3 }));
    }

    [Fact]
    public void SinglePathMatchesTheStandAloneNetworkShapeAndKendallTauBasics()
    {
        using var net = new Nb201Supernet(1, 10, channels: 4, cellsPerStage: 2);
        using var x = randn(3, 1, 8, 8);
        using var y = net.call(x, [0, 0, 0, 0, 0, 0]);
        Assert.Equal(new long[] { 3, 10 }, y.shape);
        Assert.Equal(new Nb201Architecture(Nb201Cell.Parse("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|"), 4, 2),
            net.Architecture([0, 1, 2, 3, 4, 0]));
        Assert.Equal(1.0, RankCorrelation.KendallTau([1, 2, 3], [10, 20, 30]), 9);
        Assert.Equal(-1.0, RankCorrelation.KendallTau([1, 2, 3], [3, 2, 1]), 9);
    }
}
