using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.WeightSharing;

/// <summary>
/// Single-path one-shot NAS (SPOS, Guo et al. 2020) over the NB201 cell space: trains an
/// <see cref="Nb201Supernet"/> with one uniformly random path (six ops) per batch, then evaluates
/// sub-networks with the inherited weights (batch-norm statistics recalibrated on a few training
/// batches, no retraining) and searches the usual <see cref="Nb201Space.Spec"/> with any
/// <see cref="ISearchAlgorithm"/>, inherited-weight validation accuracy as the reward.
/// </summary>
/// <example><code>
/// var digits = Datasets.LoadDigits("data/digits.csv.gz");
/// using var spos = new SposTrainer(digits.Train, digits.Test, new WeightSharingOptions { Epochs = 10, Seed = 1 });
/// spos.Train();
/// var result = spos.Search(AlgorithmCatalog.Create("evolution", seed: 1), evaluations: 100);
/// // result.Best is a Dna of Nb201Space.Spec(); result.BestArch its arch string.
/// </code></example>
/// <remarks>
/// Sets TorchSharp's global seed and thread count (like <see cref="TorchTrainer"/>): run one at a time
/// per process. Same seed, options, data and threads → same results on the CPU.
/// </remarks>
public sealed class SposTrainer : IDisposable
{
    private readonly SupernetData train;
    private readonly SupernetData valid;
    private readonly Device device;
    private readonly Random pathRng;
    private readonly Random batchRng;
    private readonly List<double> epochLosses = [];
    private readonly Dictionary<string, double> cache = new(StringComparer.Ordinal);
    private readonly SpaceSpec spec = Nb201Space.Spec();

    /// <summary>Builds the supernet for the data.</summary>
    /// <param name="train">Supernet training data (also the batch-norm calibration batches); images [C, H, W].</param>
    /// <param name="valid">Data on which sub-networks are scored (inherited-weight accuracy).</param>
    /// <param name="options">Sizes, optimizer, seed, device; null uses the defaults.</param>
    /// <exception cref="ArgumentException">Invalid options or data.</exception>
    public SposTrainer(TensorDataset train, TensorDataset valid, WeightSharingOptions? options = null)
    {
        SupernetData.CheckPair(train, valid);
        Options = options ?? new WeightSharingOptions();
        device = SupernetData.Prepare(Options);
        pathRng = new Random(unchecked((int)Options.Seed * 7919 + 17));
        batchRng = new Random(unchecked((int)Options.Seed));
        Supernet = new Nb201Supernet((int)train.SampleShape[0], train.ClassCount, Options.Channels, Options.CellsPerStage);
        Supernet.to(device);
        this.train = new SupernetData(train, device);
        this.valid = new SupernetData(valid, device);
    }

    /// <summary>The options in use.</summary>
    public WeightSharingOptions Options { get; }

    /// <summary>The shared-weight network.</summary>
    public Nb201Supernet Supernet { get; }

    /// <summary>Mean training loss of each epoch trained so far.</summary>
    public IReadOnlyList<double> EpochLosses => epochLosses;

    /// <summary>Trains the supernet for <paramref name="epochs"/> (default <see cref="WeightSharingOptions.Epochs"/>) more epochs, one uniformly random path per batch.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public void Train(int? epochs = null, CancellationToken cancellationToken = default)
    {
        int n = epochs ?? Options.Epochs;
        ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(epochs));
        cache.Clear();
        using var optimizer = optim.Adam(Supernet.parameters(), Options.LearningRate, weight_decay: Options.WeightDecay);
        Supernet.train();
        int[] ops = new int[Nb201Supernet.EdgeCount];
        for (int epoch = 0; epoch < n; epoch++)
        {
            double lossSum = 0;
            int batches = 0;
            using var epochScope = NewDisposeScope();
            foreach (var (x, y) in train.Shuffled(batchRng, Options.BatchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var stepScope = NewDisposeScope();
                for (int e = 0; e < ops.Length; e++)
                {
                    ops[e] = pathRng.Next(Nb201Supernet.OpCount);
                }
                // Unused paths get no gradient (set to none), so Adam leaves their weights alone.
                Supernet.zero_grad(set_to_none: true);
                Tensor loss = nn.functional.cross_entropy(Supernet.call(x, ops), y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                batches++;
            }
            epochLosses.Add(batches == 0 ? double.NaN : lossSum / batches);
        }
    }

    /// <summary>Validation accuracy of the sub-network of a DNA of <see cref="Nb201Space.Spec"/>, with inherited weights.</summary>
    /// <exception cref="ArgumentException">Not a valid NB201 DNA.</exception>
    public double EvaluateSubnet(Dna dna)
    {
        ArgumentNullException.ThrowIfNull(dna);
        return EvaluateSubnet(Nb201Space.OpIndices(dna));
    }

    /// <summary>
    /// Validation accuracy of the sub-network of six op indices, with inherited weights: batch-norm
    /// running statistics are reset and re-estimated (cumulative average) on the first
    /// <see cref="WeightSharingOptions.CalibrationBatches"/> batches of a fixed permutation of the
    /// training set through that path, then the validation set is scored in eval mode. Deterministic;
    /// results are cached per op list until the next <see cref="Train"/>. The supernet keeps the last
    /// recalibrated statistics (training uses batch statistics, so this does not affect training).
    /// </summary>
    /// <exception cref="ArgumentException">Not six indices in 0..4.</exception>
    public double EvaluateSubnet(int[] ops)
    {
        Nb201Supernet.ValidateOps(ops);
        string key = string.Join(",", ops);
        if (cache.TryGetValue(key, out double cached))
        {
            return cached;
        }
        if (Options.CalibrationBatches > 0)
        {
            Recalibrate(ops);
        }
        Supernet.eval();
        double acc = valid.Accuracy(x => Supernet.call(x, ops), Options.EvalBatchSize);
        Supernet.train();
        cache[key] = acc;
        return acc;
    }

    private void Recalibrate(int[] ops)
    {
        var norms = Supernet.modules().OfType<TorchSharp.Modules.BatchNorm2d>().ToArray();
        foreach (var bn in norms)
        {
            bn.reset_running_stats();
            bn.momentum = null; // cumulative moving average over the calibration batches
        }
        Supernet.train();
        using (no_grad())
        {
            var rng = new Random(unchecked((int)Options.Seed + 1));
            int b = 0;
            foreach (var (x, _) in train.Shuffled(rng, Options.BatchSize))
            {
                using var scope = NewDisposeScope();
                Supernet.call(x, ops);
                if (++b >= Options.CalibrationBatches)
                {
                    break;
                }
            }
        }
        foreach (var bn in norms)
        {
            bn.momentum = 0.1;
        }
    }

    /// <summary>
    /// Searches <see cref="Nb201Space.Spec"/> with <paramref name="algorithm"/> (set up here): each
    /// proposal is scored by <see cref="EvaluateSubnet(Dna)"/> and fed back as the reward. Repeated
    /// DNAs are scored from a cache (still counted as evaluations).
    /// </summary>
    /// <param name="algorithm">E.g. <c>AlgorithmCatalog.Create("evolution", seed)</c>.</param>
    /// <param name="evaluations">Proposals to score (≥ 1).</param>
    /// <param name="onTrial">Called after each evaluation with (0-based index, trial).</param>
    /// <param name="cancellationToken">Checked before each proposal.</param>
    /// <returns>The best DNA, its accuracy and the history.</returns>
    /// <exception cref="ArgumentException">A proposal is not a valid NB201 DNA.</exception>
    public WeightSharingSearchResult Search(
        ISearchAlgorithm algorithm,
        int evaluations,
        Action<int, SubnetTrial>? onTrial = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentOutOfRangeException.ThrowIfLessThan(evaluations, 1);
        algorithm.Setup(spec);
        var history = new List<SubnetTrial>(evaluations);
        SubnetTrial? best = null;
        for (int i = 0; i < evaluations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Dna dna;
            try
            {
                dna = algorithm.Propose();
            }
            catch (SearchSpaceExhaustedException)
            {
                break;
            }
            spec.Validate(dna);
            int[] ops = Nb201Space.OpIndices(dna);
            var trial = new SubnetTrial(dna, Nb201Space.ArchString(ops), EvaluateSubnet(ops));
            algorithm.Feedback(dna, trial.Accuracy);
            history.Add(trial);
            if (best is null || trial.Accuracy > best.Accuracy)
            {
                best = trial;
            }
            onTrial?.Invoke(i, trial);
        }
        if (best is null)
        {
            throw new InvalidOperationException($"The algorithm '{algorithm.Name}' proposed nothing.");
        }
        return new WeightSharingSearchResult(best.Dna, best.Arch, best.Accuracy, history);
    }

    /// <summary>Frees the supernet and the data tensors.</summary>
    public void Dispose()
    {
        Supernet.Dispose();
        train.Dispose();
        valid.Dispose();
    }
}
