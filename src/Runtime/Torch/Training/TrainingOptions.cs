namespace NasNotebooks.Runtime.Torch;

/// <summary>Optimizer used by <see cref="TorchTrainer"/>.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (<see cref="TrainingOptions.Momentum"/>, optionally Nesterov) and L2 weight decay.</summary>
    Sgd,
    /// <summary>Adam with L2 weight decay added to the gradient.</summary>
    Adam,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}

/// <summary>Learning-rate schedule, applied per optimization step.</summary>
public enum LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,
    /// <summary>Cosine annealing from the base rate at step 0 to <see cref="TrainingOptions.MinLearningRate"/> at the last step.</summary>
    Cosine,
}

/// <summary>How long to train: whole epochs or optimization steps (the last epoch may then be partial).</summary>
/// <param name="Epochs">Number of epochs, or null when <paramref name="Steps"/> is used.</param>
/// <param name="Steps">Number of optimization steps, or null when <paramref name="Epochs"/> is used.</param>
public sealed record TrainingBudget(int? Epochs, long? Steps)
{
    /// <summary>Train for <paramref name="epochs"/> full passes over the training set.</summary>
    public static TrainingBudget FromEpochs(int epochs) =>
        epochs >= 1 ? new(epochs, null) : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "At least one epoch.");

    /// <summary>Train for <paramref name="steps"/> optimization steps.</summary>
    public static TrainingBudget FromSteps(long steps) =>
        steps >= 1 ? new(null, steps) : throw new ArgumentOutOfRangeException(nameof(steps), steps, "At least one step.");

    /// <inheritdoc />
    public override string ToString() => Epochs is { } e ? $"{e} epochs" : $"{Steps} steps";
}

/// <summary>Settings of one training run. All have defaults; use <c>with</c> to change some.</summary>
/// <example><code>
/// var options = new TrainingOptions { Budget = TrainingBudget.FromEpochs(3), Optimizer = OptimizerKind.Adam, LearningRate = 3e-3, Seed = 1 };
/// </code></example>
public sealed record TrainingOptions
{
    /// <summary>Epochs or steps to train (default 3 epochs).</summary>
    public TrainingBudget Budget { get; init; } = TrainingBudget.FromEpochs(3);

    /// <summary>Optimizer (default Adam).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Base learning rate (default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Momentum for SGD (default 0.9).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for SGD (default false).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Weight decay (default 0; decoupled for AdamW, L2 otherwise).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Learning-rate schedule (default constant).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>Final learning rate of the cosine schedule (default 0).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Training batch size (default 64). A last batch of a single sample is dropped (batch norm needs two).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Batch size for evaluation (default 1024).</summary>
    public int EvalBatchSize { get; init; } = 1024;

    /// <summary>Seed of weight initialization, dropout and the data order (default 0).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Intra-op threads for TorchSharp (process-wide, <c>torch.set_num_threads</c>); null leaves the
    /// current setting. Two on a two-core machine; one per concurrent trial otherwise.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Device (default CPU). <c>auto</c> picks CUDA when available.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>Evaluate the test set after every epoch (default true); otherwise only after the last.</summary>
    public bool EvaluateEveryEpoch { get; init; } = true;

    /// <summary>Warm-up forward passes before timing inference latency (default 5).</summary>
    public int LatencyWarmup { get; init; } = 5;

    /// <summary>Timed forward passes (batch 1) for the latency median (default 20; 0 skips the measurement).</summary>
    public int LatencyRuns { get; init; } = 20;

    internal void Validate()
    {
        if (BatchSize < 1 || EvalBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), "BatchSize and EvalBatchSize must be at least 1.");
        }
        if (!(LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        }
        if (Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be at least 1 (or null).");
        }
        if (LatencyRuns < 0 || LatencyWarmup < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LatencyRuns), "LatencyRuns and LatencyWarmup must not be negative.");
        }
        ArgumentNullException.ThrowIfNull(Budget);
        ArgumentNullException.ThrowIfNull(Device);
        if ((Budget.Epochs is null) == (Budget.Steps is null) || Budget.Epochs < 1 || Budget.Steps < 1)
        {
            throw new ArgumentException(
                $"Budget must give a positive number of epochs or of steps, not both; got epochs {Budget.Epochs?.ToString() ?? "null"}, steps {Budget.Steps?.ToString() ?? "null"}.",
                nameof(Budget));
        }
    }
}
