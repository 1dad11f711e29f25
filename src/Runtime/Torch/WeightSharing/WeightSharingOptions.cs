using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Torch.WeightSharing;

/// <summary>Settings of <see cref="SposTrainer"/> and <see cref="DartsSearch"/>.</summary>
public sealed record WeightSharingOptions
{
    /// <summary>C, the channels of the supernet's first stage.</summary>
    public int Channels { get; init; } = 8;

    /// <summary>N, the cells per stage of the supernet.</summary>
    public int CellsPerStage { get; init; } = 1;

    /// <summary>Epochs over the training set (SPOS supernet training; DARTS search).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Batch size of evaluation passes.</summary>
    public int EvalBatchSize { get; init; } = 512;

    /// <summary>Adam learning rate of the network weights.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Weight decay of the network weights.</summary>
    public double WeightDecay { get; init; }

    /// <summary>DARTS: Adam learning rate of the architecture weights α (DARTS uses 3·10⁻⁴ for 50 epochs; the larger default suits a few epochs on small data).</summary>
    public double ArchLearningRate { get; init; } = 3e-3;

    /// <summary>DARTS: weight decay of the architecture weights α.</summary>
    public double ArchWeightDecay { get; init; } = 1e-3;

    /// <summary>SPOS: training batches used to recalibrate batch-norm statistics before evaluating a sub-network (0 keeps the supernet's running statistics).</summary>
    public int CalibrationBatches { get; init; } = 4;

    /// <summary>Seed of TorchSharp's generator, the path sampling and the batch order.</summary>
    public long Seed { get; init; }

    /// <summary>Process-wide TorchSharp thread count to set; null leaves it.</summary>
    public int? Threads { get; init; }

    /// <summary>Device of the supernet and the data.</summary>
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (Channels < 1 || CellsPerStage < 1)
        {
            throw new ArgumentException("WeightSharingOptions: Channels and CellsPerStage must be at least 1.");
        }
        if (Epochs < 0 || BatchSize < 1 || EvalBatchSize < 1 || CalibrationBatches < 0)
        {
            throw new ArgumentException("WeightSharingOptions: Epochs and CalibrationBatches must be ≥ 0, BatchSize and EvalBatchSize ≥ 1.");
        }
        if (!(LearningRate > 0) || !(ArchLearningRate > 0) || WeightDecay < 0 || ArchWeightDecay < 0)
        {
            throw new ArgumentException("WeightSharingOptions: learning rates must be positive and weight decays non-negative.");
        }
        if (Threads is < 1)
        {
            throw new ArgumentException("WeightSharingOptions: Threads must be at least 1.");
        }
        ArgumentNullException.ThrowIfNull(Device);
    }
}

/// <summary>One evaluated sub-network of a weight-sharing search.</summary>
/// <param name="Dna">The DNA of <see cref="Nb201.Nb201Space.Spec"/>.</param>
/// <param name="Arch">Its NB201 arch string.</param>
/// <param name="Accuracy">Validation accuracy with inherited weights.</param>
public sealed record SubnetTrial(Dna Dna, string Arch, double Accuracy);

/// <summary>The outcome of <see cref="SposTrainer.Search"/>.</summary>
/// <param name="Best">The DNA with the highest inherited-weight accuracy (first one on ties).</param>
/// <param name="BestArch">Its NB201 arch string.</param>
/// <param name="BestAccuracy">Its inherited-weight validation accuracy.</param>
/// <param name="History">All evaluations, in proposal order.</param>
public sealed record WeightSharingSearchResult(Dna Best, string BestArch, double BestAccuracy, IReadOnlyList<SubnetTrial> History);

/// <summary>Rank correlation of two score lists (e.g. inherited-weight vs stand-alone accuracy).</summary>
public static class RankCorrelation
{
    /// <summary>Kendall's τ-b (ties corrected) of two equally long lists; 0 when either list is constant.</summary>
    /// <exception cref="ArgumentException">Lengths differ or fewer than two values.</exception>
    public static double KendallTau(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException($"Kendall tau needs two lists of the same length ≥ 2; got {x.Count} and {y.Count}.");
        }
        long concordant = 0, discordant = 0, tiesX = 0, tiesY = 0;
        for (int i = 0; i < x.Count; i++)
        {
            for (int j = i + 1; j < x.Count; j++)
            {
                int sx = Math.Sign(x[i] - x[j]), sy = Math.Sign(y[i] - y[j]);
                if (sx == 0 && sy == 0)
                {
                    continue;
                }
                if (sx == 0)
                {
                    tiesX++;
                }
                else if (sy == 0)
                {
                    tiesY++;
                }
                else if (sx == sy)
                {
                    concordant++;
                }
                else
                {
                    discordant++;
                }
            }
        }
        double denom = Math.Sqrt((double)(concordant + discordant + tiesX) * (concordant + discordant + tiesY));
        return denom == 0 ? 0 : (concordant - discordant) / denom;
    }
}
