using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>Real training on the shipped digits data.</summary>
[Collection(TorchTestData.Collection)]
public class TorchTrainerTests
{
    private static readonly MlpArchitecture Mlp = new([128, 128], Activation.ReLU, 0.0);

    private static readonly CnnArchitecture Cnn = new([new CnnStage(1, 16), new CnnStage(1, 32)], SamePadding: false);

    [Fact]
    public void MlpReachesOver90PercentOnDigitsIn3Epochs()
    {
        var epochs = new List<int>();
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, TorchTestData.Fast(seed: 1),
            (epoch, metrics) => { epochs.Add(epoch); return TrainingDecision.Continue; });
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(TrainingStatus.Completed, result.Status);
        Assert.True(result.Accuracy > 0.90, $"accuracy {result.Accuracy}");
        Assert.Equal(new[] { 1, 2, 3 }, epochs);
        Assert.Equal(3, result.Epochs);
        Assert.Equal(3, result.History.Count);
        Assert.Equal(26122, result.Parameters);
        Assert.Equal(25856, result.Flops);
        Assert.True(result.LatencyMs > 0 && result.LatencyMs < 1000, $"latency {result.LatencyMs}");
        Assert.Equal(3 * 23, result.Steps); // 1438 training rows, batch 64: 22 full batches + one of 30
        Assert.Equal("cpu", result.Device);
        Assert.True(result.SamplesPerSecond > 0);
        Assert.Equal(result.Accuracy, result.History[^1].TestAccuracy);
    }

    [Fact]
    public void CnnReachesOver90PercentOnDigitsIn3Epochs()
    {
        var result = TorchTrainer.Train(Cnn, TorchTestData.Digits, TorchTestData.Fast(seed: 2));
        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.Accuracy > 0.90, $"accuracy {result.Accuracy}");
        Assert.Equal(9930, result.Parameters);
        Assert.Equal(84032, result.Flops);
    }

    [Fact]
    public void SameSeedGivesIdenticalResultsAndAnotherSeedDiffers()
    {
        var options = TorchTestData.Fast(seed: 7, epochs: 2) with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Schedule = LearningRateSchedule.Cosine };
        var arch = new MlpArchitecture([64], Activation.Tanh, Dropout: 0.2);
        var a = TorchTrainer.Train(arch, TorchTestData.DigitsFlat, options);
        var b = TorchTrainer.Train(arch, TorchTestData.DigitsFlat, options);
        var c = TorchTrainer.Train(arch, TorchTestData.DigitsFlat, options with { Seed = 8 });
        Assert.True(a.Succeeded, a.Error);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.Loss, b.Loss);
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));
        Assert.NotEqual(a.Loss, c.Loss);
    }

    [Fact]
    public void CallbackCanStopTheTrial()
    {
        var options = TorchTestData.Fast(epochs: 10) with { Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01 };
        var seen = new List<EpochMetrics>();
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, options,
            (epoch, metrics) => { seen.Add(metrics); return epoch == 2 ? TrainingDecision.Stop : TrainingDecision.Continue; });
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(TrainingStatus.Stopped, result.Status);
        Assert.Equal(2, result.Epochs);
        Assert.Equal(2, seen.Count);
        Assert.Equal(46, result.Steps);
        Assert.Equal(seen[1].TestAccuracy, result.Accuracy);
    }

    [Fact]
    public void StepBudgetEndsMidEpoch()
    {
        var options = TorchTestData.Fast() with { Budget = TrainingBudget.FromSteps(30), EvaluateEveryEpoch = false };
        var epochs = new List<EpochMetrics>();
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, options, (e, m) => { epochs.Add(m); return TrainingDecision.Continue; });
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(30, result.Steps);
        Assert.Equal(2, result.Epochs);
        Assert.True(double.IsNaN(epochs[0].TestAccuracy));
        Assert.False(double.IsNaN(result.Accuracy));
    }

    [Fact]
    public void HugeLearningRateGivesADivergedResult()
    {
        var options = TorchTestData.Fast(epochs: 1) with { Optimizer = OptimizerKind.Sgd, LearningRate = 1e30 };
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, options);
        Assert.False(result.Succeeded);
        Assert.Equal(TrainingStatus.Diverged, result.Status);
        Assert.StartsWith("Loss became ", result.Error);
        Assert.Contains("epoch 1", result.Error);
        Assert.True(double.IsNaN(result.Accuracy));
        Assert.Equal(26122, result.Parameters);
    }

    [Fact]
    public void CnnOnFlatDataIsABuildFailureWithMessage()
    {
        var result = TorchTrainer.Train(Cnn, TorchTestData.DigitsFlat, TorchTestData.Fast(epochs: 1));
        Assert.Equal(TrainingStatus.BuildFailed, result.Status);
        Assert.False(result.Succeeded);
        Assert.Contains("CnnArchitecture needs image input [C, H, W]; got sample shape [64]", result.Error);
    }

    [Fact]
    public void KernelsLargerThanTheImageAreAShapeMismatch()
    {
        var arch = new CnnArchitecture([new CnnStage(2, 8, Kernel: 5)], SamePadding: false);
        var result = TorchTrainer.Train(arch, TorchTestData.Digits, TorchTestData.Fast(epochs: 1));
        Assert.Equal(TrainingStatus.BuildFailed, result.Status);
        Assert.Contains("shape mismatch", result.Error);
        Assert.Contains("0x0", result.Error);
    }

    [Fact]
    public void ForwardFailureInsideTorchIsAFailedResult()
    {
        var result = TorchTrainer.Train(new BrokenArchitecture(), TorchTestData.DigitsFlat, TorchTestData.Fast(epochs: 1));
        Assert.Equal(TrainingStatus.BuildFailed, result.Status);
        Assert.Contains("Cannot build Broken", result.Error);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied", result.Error);
    }

    [Fact]
    public void Nb201NetworkTrainsOnDigits()
    {
        var cell = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|");
        var result = TorchTrainer.Train(new Nb201Architecture(cell, Channels: 4, CellsPerStage: 1), TorchTestData.Digits,
            TorchTestData.Fast(epochs: 1) with { LearningRate = 1e-2 });
        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.Accuracy > 0.5, $"accuracy {result.Accuracy}");
    }

    [Fact]
    public void CancellationGivesACancelledResult()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, TorchTestData.Fast(epochs: 1), cancellationToken: cts.Token);
        Assert.Equal(TrainingStatus.Cancelled, result.Status);
    }

    [SkippableFact]
    public void UnavailableCudaIsAClearErrorNotAFallback()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "CUDA is available here: the error for a missing CUDA device can only be seen on a CPU-only machine");
        var options = TorchTestData.Fast(epochs: 1) with { Device = DeviceSpec.Parse("cuda:1") };
        var e = Assert.Throws<InvalidOperationException>(() => TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, options));
        Assert.Contains("Device 'cuda:1' was requested but CUDA is not available", e.Message);
        Assert.Throws<InvalidOperationException>(() => new TorchEvaluator(TorchTestData.DigitsFlat, options));
        var auto = TorchTrainer.Train(new MlpArchitecture([8]), TorchTestData.DigitsFlat, TorchTestData.Fast(epochs: 1) with { Device = DeviceSpec.Auto });
        Assert.Equal("cpu", auto.Device);
    }

    [Theory]
    [InlineData(Activation.ReLU, Normalization.None)]
    [InlineData(Activation.GELU, Normalization.BatchNorm)]
    [InlineData(Activation.Tanh, Normalization.None)]
    [InlineData(Activation.Sigmoid, Normalization.BatchNorm)]
    [InlineData(Activation.SiLU, Normalization.None)]
    [InlineData(Activation.LeakyReLU, Normalization.BatchNorm)]
    public void EveryActivationAndNormalizationTrains(Activation activation, Normalization normalization)
    {
        var options = TorchTestData.Fast() with { Budget = TrainingBudget.FromSteps(3), LatencyRuns = 0 };
        var mlp = TorchTrainer.Train(new MlpArchitecture([16], activation, 0.1, normalization), TorchTestData.DigitsFlat, options);
        var cnn = TorchTrainer.Train(new CnnArchitecture([new CnnStage(2, 4, 3, activation, normalization, Pool: true)], GlobalPool: true, Dropout: 0.1),
            TorchTestData.Digits, options);
        Assert.True(mlp.Succeeded, mlp.Error);
        Assert.True(cnn.Succeeded, cnn.Error);
        Assert.Equal(3, cnn.Steps);
        Assert.True(double.IsNaN(cnn.LatencyMs));
    }

    [Fact]
    public void CosineScheduleEndsAtTheMinimumLearningRate()
    {
        var options = TorchTestData.Fast(epochs: 2) with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, MinLearningRate = 0.001, Schedule = LearningRateSchedule.Cosine, Nesterov = true };
        var result = TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, options);
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(0.001, result.History[^1].LearningRate, 12);
        // after 23 of 46 steps: 0.001 + 0.0495 * (1 + cos(pi * 22 / 45))
        Assert.Equal(0.001 + 0.0495 * (1 + Math.Cos(Math.PI * 22 / 45)), result.History[0].LearningRate, 12);
    }

    [Fact]
    public void InvalidOptionsAreArgumentErrorsBeforeTraining()
    {
        var budget = Assert.Throws<ArgumentException>(() => TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, new TrainingOptions { Budget = new TrainingBudget(null, null) }));
        Assert.StartsWith("Budget must give a positive number of epochs or of steps, not both; got epochs null, steps null.", budget.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchTrainer.Train(Mlp, TorchTestData.DigitsFlat, new TrainingOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingBudget.FromEpochs(0));
    }

    /// <summary>An architecture whose layers do not fit each other (64 features into a 32-input layer).</summary>
    private sealed record BrokenArchitecture : NetworkArchitecture
    {
        public override TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Build(IReadOnlyList<long> sampleShape, int classCount) =>
            TorchSharp.torch.nn.Sequential(TorchSharp.torch.nn.Linear(32, 16), TorchSharp.torch.nn.Linear(16, classCount));

        public override string ToString() => "Broken";
    }
}
