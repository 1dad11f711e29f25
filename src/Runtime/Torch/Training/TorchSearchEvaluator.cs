using System.Globalization;

namespace NasNotebooks.Runtime.Torch;

/// <summary>
/// Trains each candidate of a search with TorchSharp and reports to the search loop: one measurement
/// per epoch (test accuracy as reward, losses as metrics) so early stopping (ASHA, median) can end a
/// trial, then the final reward with accuracy, loss, parameters, FLOPs (MACs) and latency. A candidate
/// that can't be built or diverges (NaN loss) becomes a failed trial with the reason; a trial stopped
/// early is skipped with the epoch it reached.
/// </summary>
/// <example><code>
/// var evaluator = new TorchSearchEvaluator(Datasets.LoadDigits(), new TrainingOptions { Budget = TrainingBudget.FromEpochs(2) });
/// // #!nas search --space cnnSpace --evaluator evaluator --device auto
/// </code></example>
public sealed class TorchSearchEvaluator : IEvaluator, IDeviceSelectable
{
    private static readonly string[] Known = ["accuracy", "loss", "params", "flops", "latency_ms"];
    private readonly Func<object?, NetworkArchitecture>? _toArchitecture;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="data">Train/test data every candidate uses.</param>
    /// <param name="options">Training options (budget, optimizer, device, seed...).</param>
    /// <param name="objectives">The reward: names from accuracy, loss, params, flops, latency_ms, each prefixed with '-' to minimize (default: accuracy).</param>
    /// <param name="toArchitecture">Turns a materialized candidate into a network; default: the candidate must be a <see cref="NetworkArchitecture"/>.</param>
    /// <exception cref="ArgumentException">An unknown objective name.</exception>
    public TorchSearchEvaluator(DataSplit data, TrainingOptions? options = null, IReadOnlyList<string>? objectives = null, Func<object?, NetworkArchitecture>? toArchitecture = null)
    {
        Data = data ?? throw new ArgumentNullException(nameof(data));
        Options = options ?? new TrainingOptions();
        Options.Validate();
        Objectives = objectives is { Count: > 0 } ? objectives : ["accuracy"];
        foreach (var o in Objectives)
            if (!Known.Contains(o.TrimStart('-')))
                throw new ArgumentException($"Unknown objective '{o}'; use {string.Join(", ", Known)}, with '-' in front to minimize.", nameof(objectives));
        _toArchitecture = toArchitecture;
    }

    /// <summary>The data.</summary>
    public DataSplit Data { get; }

    /// <summary>The training options (the device can be changed with <see cref="UseDevice"/>).</summary>
    public TrainingOptions Options { get; private set; }

    /// <summary>The objectives making up the reward.</summary>
    public IReadOnlyList<string> Objectives { get; }

    /// <inheritdoc />
    public void UseDevice(string device)
    {
        DeviceSpec spec;
        try { spec = DeviceSpec.Parse(device); spec.Resolve(); }
        catch (Exception e) when (e is FormatException or InvalidOperationException) { throw new ArgumentException(e.Message, nameof(device), e); }
        Options = Options with { Device = spec };
    }

    /// <inheritdoc />
    public Task EvaluateAsync(object? candidate, TrialFeedback feedback, CancellationToken cancellationToken) => Task.Run(() =>
    {
        NetworkArchitecture architecture;
        try
        {
            architecture = _toArchitecture?.Invoke(candidate) ?? candidate as NetworkArchitecture
                ?? throw new InvalidCastException($"The candidate is {candidate?.GetType().Name ?? "null"}, not a NetworkArchitecture; pass toArchitecture to convert it.");
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException)
        {
            feedback.Fail($"cannot build the network: {e.Message}");
            return;
        }
        var result = TorchTrainer.Train(architecture, Data, Options, (epoch, m) =>
        {
            feedback.Report(epoch, m.TestAccuracy, new Dictionary<string, double>
            {
                ["accuracy"] = m.TestAccuracy, ["test_loss"] = m.TestLoss, ["train_loss"] = m.TrainLoss,
            });
            return feedback.ShouldStopEarly ? TrainingDecision.Stop : TrainingDecision.Continue;
        }, cancellationToken);
        switch (result.Status)
        {
            case TrainingStatus.Completed:
                feedback.Done(RewardOf(result), Metrics(result));
                break;
            case TrainingStatus.Stopped:
                feedback.Skip($"stopped early after epoch {result.Epochs} (accuracy {result.Accuracy.ToString("0.####", CultureInfo.InvariantCulture)})");
                break;
            case TrainingStatus.Cancelled:
                cancellationToken.ThrowIfCancellationRequested();
                feedback.Skip("training was cancelled");
                break;
            default:
                feedback.Fail($"{result.Status}: {result.Error}");
                break;
        }
    }, CancellationToken.None);

    private Reward RewardOf(TrainingResult r) => new(Objectives.Select(o =>
    {
        double v = Value(r, o.TrimStart('-'));
        return o.StartsWith('-') ? -v : v;
    }).ToArray());

    private static double Value(TrainingResult r, string name) => name switch
    {
        "accuracy" => r.Accuracy,
        "loss" => r.Loss,
        "params" => r.Parameters,
        "flops" => r.Flops,
        "latency_ms" => r.LatencyMs,
        _ => double.NaN,
    };

    private static Dictionary<string, double> Metrics(TrainingResult r)
    {
        var m = new Dictionary<string, double>
        {
            ["accuracy"] = r.Accuracy, ["loss"] = r.Loss, ["params"] = r.Parameters, ["flops"] = r.Flops,
            ["epochs"] = r.Epochs, ["train_seconds"] = r.TrainTime.TotalSeconds,
        };
        if (double.IsFinite(r.LatencyMs)) m["latency_ms"] = r.LatencyMs;
        if (double.IsFinite(r.SamplesPerSecond)) m["samples_per_s"] = r.SamplesPerSecond;
        return m;
    }
}
