using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>
/// Trains and evaluates one candidate network with TorchSharp: build → profile (parameters, FLOPs) →
/// train with the configured optimizer and schedule, calling a per-epoch callback that may stop the
/// run → test accuracy and loss → inference latency. Candidate failures (cannot be built, shape
/// mismatch, NaN/Inf loss, any TorchSharp error) become failed results, never exceptions.
/// </summary>
/// <remarks>
/// Reproducibility: with the same seed, options, data and thread count, CPU runs give identical
/// results. The trainer seeds TorchSharp's global generator (<c>torch.manual_seed</c>) and sets the
/// process-wide thread count, so trials running concurrently in one process are not reproducible.
/// </remarks>
public static class TorchTrainer
{
    /// <summary>Trains <paramref name="architecture"/> on <paramref name="data"/> and evaluates it.</summary>
    /// <param name="architecture">The candidate.</param>
    /// <param name="data">Training and test sets.</param>
    /// <param name="options">Optimizer, schedule, budget, seed, device...; null uses the defaults.</param>
    /// <param name="onEpoch">Called after each epoch with (1-based epoch, metrics); return
    /// <see cref="TrainingDecision.Stop"/> to end the trial early. Exceptions it throws propagate.</param>
    /// <param name="cancellationToken">Checked before every step; cancellation gives a <see cref="TrainingStatus.Cancelled"/> result.</param>
    /// <returns>The result; check <see cref="TrainingResult.Succeeded"/>.</returns>
    /// <exception cref="ArgumentException">Invalid options (not the candidate's fault).</exception>
    /// <exception cref="InvalidOperationException">The requested device is not available (e.g. CUDA on a CPU-only machine).</exception>
    public static TrainingResult Train(
        NetworkArchitecture architecture,
        DataSplit data,
        TrainingOptions? options = null,
        Func<int, EpochMetrics, TrainingDecision>? onEpoch = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TrainingOptions();
        options.Validate();
        if (!data.Train.SampleShape.SequenceEqual(data.Test.SampleShape) || data.Train.ClassCount != data.Test.ClassCount)
        {
            throw new ArgumentException("Training and test sets must have the same sample shape and classes.", nameof(data));
        }
        Device device = options.Device.Resolve();
        string deviceName = device.type == DeviceType.CPU ? "cpu" : $"cuda:{Math.Max(0, (int)device.index)}";
        if (options.Threads is int threads)
        {
            set_num_threads(threads);
        }
        manual_seed(options.Seed);
        if (device.type == DeviceType.CUDA)
        {
            cuda.manual_seed(options.Seed);
        }

        nn.Module<Tensor, Tensor>? model = null;
        ModelProfile profile;
        try
        {
            model = architecture.Build(data.Train.SampleShape, data.Train.ClassCount);
            model.to(device);
            profile = ModelProfiler.Profile(model, data.Train.SampleShape);
            long[] outShape = [1, data.Train.ClassCount];
            if (!profile.OutputShape.SequenceEqual(outShape))
            {
                throw new InvalidOperationException(
                    $"shape mismatch: the network outputs [{string.Join(", ", profile.OutputShape)}] for one sample, expected [{string.Join(", ", outShape)}].");
            }
        }
        catch (Exception e)
        {
            model?.Dispose();
            return new TrainingResult
            {
                Status = TrainingStatus.BuildFailed,
                Error = $"Cannot build {architecture} for samples of shape [{string.Join(", ", data.Train.SampleShape)}] " +
                        $"and {data.Train.ClassCount} classes: {e.Message}",
                Device = deviceName,
            };
        }

        var run = new Run(model, profile, data, options, device, deviceName, onEpoch, cancellationToken);
        try
        {
            return run.Execute();
        }
        catch (CallbackException e)
        {
            ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.Failure(TrainingStatus.Cancelled, "Training was cancelled.");
        }
        catch (Exception e)
        {
            return run.Failure(TrainingStatus.Failed, $"Training {architecture} failed at epoch {run.Epoch}, step {run.Step}: {e.Message}");
        }
        finally
        {
            model.Dispose();
        }
    }

    private sealed class CallbackException(Exception inner) : Exception(inner.Message, inner);

    private sealed class Run(
        nn.Module<Tensor, Tensor> model,
        ModelProfile profile,
        DataSplit data,
        TrainingOptions options,
        Device device,
        string deviceName,
        Func<int, EpochMetrics, TrainingDecision>? onEpoch,
        CancellationToken cancellationToken)
    {
        private readonly List<EpochMetrics> history = [];
        private readonly Stopwatch clock = new();
        private long samples;

        public int Epoch { get; private set; }

        public long Step { get; private set; }

        public TrainingResult Failure(TrainingStatus status, string error) => new()
        {
            Status = status,
            Error = error,
            Parameters = profile.Parameters,
            Flops = profile.Flops,
            Epochs = Epoch,
            Steps = Step,
            TrainTime = clock.Elapsed,
            SamplesPerSecond = clock.Elapsed.TotalSeconds > 0 ? samples / clock.Elapsed.TotalSeconds : 0,
            Device = deviceName,
            History = history.ToArray(),
        };

        public TrainingResult Execute()
        {
            TensorDataset train = data.Train;
            int n = train.Count;
            int batch = Math.Min(options.BatchSize, n);
            long stepsPerEpoch = n / batch + (n % batch >= 2 ? 1 : 0);
            if (stepsPerEpoch == 0)
            {
                return Failure(TrainingStatus.Failed, $"The training set has {n} sample(s); at least 2 are needed.");
            }
            long totalSteps = options.Budget.Epochs is int e ? e * stepsPerEpoch : options.Budget.Steps!.Value;
            int epochs = (int)((totalSteps + stepsPerEpoch - 1) / stepsPerEpoch);

            long[] shape = [n, .. train.SampleShape];
            using Tensor xTrain = tensor(train.FeatureArray, shape, device: device);
            using Tensor yTrain = tensor(train.LabelArray, [n], device: device);
            using Tensor xTest = tensor(data.Test.FeatureArray, [data.Test.Count, .. data.Test.SampleShape], device: device);
            using Tensor yTest = tensor(data.Test.LabelArray, [data.Test.Count], device: device);
            using optim.Optimizer optimizer = options.Optimizer switch
            {
                OptimizerKind.Sgd => optim.SGD(model.parameters(), options.LearningRate, options.Momentum,
                    weight_decay: options.WeightDecay, nesterov: options.Nesterov),
                OptimizerKind.Adam => optim.Adam(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
                OptimizerKind.AdamW => optim.AdamW(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay),
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
            };
            var groups = ((TorchSharp.Modules.OptimizerHelper)optimizer).ParamGroups.ToArray();

            var rng = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
            long[] order = new long[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }
            TrainingStatus status = TrainingStatus.Completed;
            double lr = options.LearningRate;
            model.train();
            for (Epoch = 1; Epoch <= epochs; Epoch++)
            {
                for (int i = n - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
                double lossSum = 0;
                int batches = 0;
                clock.Start();
                using (var epochScope = NewDisposeScope())
                {
                    Tensor index = tensor(order, device: device);
                    Tensor xs = xTrain.index_select(0, index);
                    Tensor ys = yTrain.index_select(0, index);
                    for (long b = 0; b < stepsPerEpoch && Step < totalSteps; b++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        using var stepScope = NewDisposeScope();
                        if (options.Schedule == LearningRateSchedule.Cosine)
                        {
                            lr = options.MinLearningRate + 0.5 * (options.LearningRate - options.MinLearningRate)
                                * (1 + Math.Cos(Math.PI * Step / Math.Max(1, totalSteps - 1)));
                            foreach (var g in groups)
                            {
                                g.LearningRate = lr;
                            }
                        }
                        long start = b * batch;
                        long length = Math.Min(batch, n - start);
                        Tensor xb = xs.narrow(0, start, length);
                        Tensor yb = ys.narrow(0, start, length);
                        optimizer.zero_grad();
                        Tensor loss = nn.functional.cross_entropy(model.call(xb), yb);
                        loss.backward();
                        optimizer.step();
                        float value = loss.item<float>();
                        Step++;
                        samples += length;
                        if (!float.IsFinite(value))
                        {
                            clock.Stop();
                            return Failure(TrainingStatus.Diverged,
                                $"Loss became {(float.IsNaN(value) ? "NaN" : value.ToString(System.Globalization.CultureInfo.InvariantCulture))} " +
                                $"at epoch {Epoch}, step {Step} (learning rate {lr.ToString(System.Globalization.CultureInfo.InvariantCulture)}); training stopped.");
                        }
                        lossSum += value;
                        batches++;
                    }
                }
                clock.Stop();
                bool last = Epoch == epochs;
                var (testLoss, testAcc) = options.EvaluateEveryEpoch || last ? Evaluate(xTest, yTest) : (double.NaN, double.NaN);
                var metrics = new EpochMetrics(Epoch, Step, batches > 0 ? lossSum / batches : double.NaN, testLoss, testAcc, lr, clock.Elapsed);
                history.Add(metrics);
                if (onEpoch is not null)
                {
                    TrainingDecision decision;
                    try
                    {
                        decision = onEpoch(Epoch, metrics);
                    }
                    catch (Exception ex)
                    {
                        throw new CallbackException(ex);
                    }
                    if (decision == TrainingDecision.Stop && !last)
                    {
                        status = TrainingStatus.Stopped;
                        break;
                    }
                }
            }
            int epochsRun = Math.Min(Epoch, epochs);
            EpochMetrics final = history[^1];
            if (double.IsNaN(final.TestAccuracy))
            {
                var (l, a) = Evaluate(xTest, yTest);
                final = final with { TestLoss = l, TestAccuracy = a };
                history[^1] = final;
            }
            double latency = MeasureLatency(xTest);
            return new TrainingResult
            {
                Status = status,
                Accuracy = final.TestAccuracy,
                Loss = final.TestLoss,
                TrainLoss = final.TrainLoss,
                Parameters = profile.Parameters,
                Flops = profile.Flops,
                LatencyMs = latency,
                Epochs = epochsRun,
                Steps = Step,
                TrainTime = clock.Elapsed,
                SamplesPerSecond = clock.Elapsed.TotalSeconds > 0 ? samples / clock.Elapsed.TotalSeconds : 0,
                Device = deviceName,
                History = history.ToArray(),
            };
        }

        private (double Loss, double Accuracy) Evaluate(Tensor x, Tensor y)
        {
            long count = x.shape[0];
            if (count == 0)
            {
                return (double.NaN, double.NaN);
            }
            model.eval();
            try
            {
                using var noGrad = no_grad();
                double lossSum = 0;
                long correct = 0;
                for (long start = 0; start < count; start += options.EvalBatchSize)
                {
                    using var scope = NewDisposeScope();
                    long length = Math.Min(options.EvalBatchSize, count - start);
                    Tensor yb = y.narrow(0, start, length);
                    Tensor logits = model.call(x.narrow(0, start, length));
                    lossSum += nn.functional.cross_entropy(logits, yb, reduction: nn.Reduction.Sum).item<float>();
                    correct += logits.argmax(1).eq(yb).sum().item<long>();
                }
                return (lossSum / count, (double)correct / count);
            }
            finally
            {
                model.train();
            }
        }

        private double MeasureLatency(Tensor xTest)
        {
            if (options.LatencyRuns == 0 || xTest.shape[0] == 0)
            {
                return double.NaN;
            }
            model.eval();
            try
            {
                using var noGrad = no_grad();
                using Tensor one = xTest.narrow(0, 0, 1).contiguous();
                var times = new double[options.LatencyRuns];
                for (int i = -options.LatencyWarmup; i < options.LatencyRuns; i++)
                {
                    using var scope = NewDisposeScope();
                    long t0 = Stopwatch.GetTimestamp();
                    Tensor output = model.call(one);
                    if (device.type == DeviceType.CUDA)
                    {
                        cuda.synchronize(device);
                    }
                    if (i >= 0)
                    {
                        times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    }
                }
                Array.Sort(times);
                int m = times.Length / 2;
                return times.Length % 2 == 1 ? times[m] : (times[m - 1] + times[m]) / 2;
            }
            finally
            {
                model.train();
            }
        }
    }
}

/// <summary>
/// A reusable evaluator for a search loop: fixed data and options, one call per candidate.
/// The device is resolved when it is created, so a misconfigured device fails the study at once.
/// </summary>
/// <example><code>
/// var evaluator = new TorchEvaluator(Datasets.LoadDigits("data/digits.csv.gz"), new TrainingOptions { Budget = TrainingBudget.FromEpochs(3) });
/// TrainingResult r = evaluator.Evaluate(new MlpArchitecture([128, 128]), (epoch, m) => m.TestAccuracy &lt; 0.5 ? TrainingDecision.Stop : TrainingDecision.Continue);
/// </code></example>
public sealed class TorchEvaluator
{
    /// <summary>Creates an evaluator; resolves the device now.</summary>
    /// <exception cref="InvalidOperationException">The device is not available.</exception>
    public TorchEvaluator(DataSplit data, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        Options = options ?? new TrainingOptions();
        Options.Validate();
        Options.Device.Resolve();
    }

    /// <summary>The data every candidate is trained and tested on.</summary>
    public DataSplit Data { get; }

    /// <summary>The training options of every candidate.</summary>
    public TrainingOptions Options { get; }

    /// <summary>Trains and evaluates one candidate; see <see cref="TorchTrainer.Train"/>.</summary>
    public TrainingResult Evaluate(NetworkArchitecture architecture, Func<int, EpochMetrics, TrainingDecision>? onEpoch = null,
        CancellationToken cancellationToken = default) =>
        TorchTrainer.Train(architecture, Data, Options, onEpoch, cancellationToken);
}
