namespace NasNotebooks.Runtime.Torch;

/// <summary>What the per-epoch callback tells the trainer.</summary>
public enum TrainingDecision
{
    /// <summary>Keep training.</summary>
    Continue,
    /// <summary>End the trial now (early stopping, ASHA); the result has status <see cref="TrainingStatus.Stopped"/>.</summary>
    Stop,
}

/// <summary>How a training run ended.</summary>
public enum TrainingStatus
{
    /// <summary>The whole budget was trained.</summary>
    Completed,
    /// <summary>The callback returned <see cref="TrainingDecision.Stop"/>; the metrics are those of the last epoch.</summary>
    Stopped,
    /// <summary>The candidate could not be built for the data (bad architecture, shape mismatch). Failed.</summary>
    BuildFailed,
    /// <summary>The loss became NaN or infinite. Failed.</summary>
    Diverged,
    /// <summary>Training threw (e.g. a shape mismatch in the forward pass, out of memory). Failed.</summary>
    Failed,
    /// <summary>The cancellation token fired. Failed.</summary>
    Cancelled,
}

/// <summary>Measurements after one epoch (or the last, partial epoch of a step budget).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Steps">Optimization steps done so far.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="TestLoss">Mean cross-entropy on the test set (NaN when not evaluated this epoch).</param>
/// <param name="TestAccuracy">Accuracy on the test set in [0, 1] (NaN when not evaluated this epoch).</param>
/// <param name="LearningRate">Learning rate of the epoch's last step.</param>
/// <param name="Elapsed">Training time so far (evaluation excluded).</param>
public sealed record EpochMetrics(
    int Epoch,
    long Steps,
    double TrainLoss,
    double TestLoss,
    double TestAccuracy,
    double LearningRate,
    TimeSpan Elapsed);

/// <summary>
/// The outcome of training and evaluating one candidate. Never thrown: failures have
/// <see cref="Succeeded"/> false and an <see cref="Error"/> message.
/// </summary>
public sealed record TrainingResult
{
    /// <summary>How the run ended.</summary>
    public required TrainingStatus Status { get; init; }

    /// <summary>True for <see cref="TrainingStatus.Completed"/> and <see cref="TrainingStatus.Stopped"/>.</summary>
    public bool Succeeded => Status is TrainingStatus.Completed or TrainingStatus.Stopped;

    /// <summary>Why the run failed (null when it succeeded).</summary>
    public string? Error { get; init; }

    /// <summary>Final test accuracy in [0, 1] (NaN when failed).</summary>
    public double Accuracy { get; init; } = double.NaN;

    /// <summary>Final test loss (NaN when failed).</summary>
    public double Loss { get; init; } = double.NaN;

    /// <summary>Mean training loss of the last epoch (NaN when none).</summary>
    public double TrainLoss { get; init; } = double.NaN;

    /// <summary>Trainable parameters (0 when the network could not be built).</summary>
    public long Parameters { get; init; }

    /// <summary>Multiply-accumulates of one forward pass of one sample (see <see cref="ModelProfiler"/>).</summary>
    public long Flops { get; init; }

    /// <summary>Median inference latency in milliseconds, batch 1, after warm-up (NaN when not measured).</summary>
    public double LatencyMs { get; init; } = double.NaN;

    /// <summary>Epochs started.</summary>
    public int Epochs { get; init; }

    /// <summary>Optimization steps done.</summary>
    public long Steps { get; init; }

    /// <summary>Training time (evaluation and latency excluded).</summary>
    public TimeSpan TrainTime { get; init; }

    /// <summary>Training samples processed per second of <see cref="TrainTime"/>.</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>The device used, e.g. <c>cpu</c> or <c>cuda:0</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Per-epoch metrics, in order.</summary>
    public IReadOnlyList<EpochMetrics> History { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => Succeeded
        ? $"{Status}: accuracy {Accuracy:P2}, loss {Loss:F4}, {Parameters} params, {Flops} MACs, latency {LatencyMs:F3} ms, {Epochs} epochs"
        : $"{Status}: {Error}";
}
