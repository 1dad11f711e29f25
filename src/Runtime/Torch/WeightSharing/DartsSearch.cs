using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Nb201;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.WeightSharing;

/// <summary>
/// DARTS (Liu et al. 2019) for the NB201 cell, first-order: every edge is a mixed op
/// Σ_k softmax(α_e)_k·op_k(x) over the five NB201 ops, with architecture weights α of shape [6, 5]
/// shared by all cells. Per batch, the network weights take an Adam step on a training batch (α fixed),
/// then α takes an Adam step on a validation batch (weights fixed). <see cref="Derive"/> turns α into
/// a DNA of the usual <see cref="Nb201Space.Spec"/>.
/// </summary>
/// <example><code>
/// using var darts = new DartsSearch(train, valid, new WeightSharingOptions { Epochs = 10 });
/// darts.Run();
/// Dna cell = darts.Derive();          // Nb201Space.ArchString(cell) gives the arch string
/// </code></example>
/// <remarks>
/// Sets TorchSharp's global seed and thread count (like <see cref="TorchTrainer"/>): run one at a time
/// per process.
/// </remarks>
public sealed class DartsSearch : IDisposable
{
    private readonly SupernetData train;
    private readonly SupernetData valid;
    private readonly Random batchRng;
    private readonly TorchSharp.Modules.Parameter alpha;
    private readonly optim.Optimizer weightOptimizer;
    private readonly optim.Optimizer alphaOptimizer;
    private readonly SpaceSpec spec = Nb201Space.Spec();

    /// <summary>Builds the supernet and α (N(0, 10⁻³²) initialized, as in DARTS).</summary>
    /// <param name="train">Split for the network weights; images [C, H, W].</param>
    /// <param name="valid">Split for the architecture weights.</param>
    /// <param name="options">Sizes, learning rates (<see cref="WeightSharingOptions.ArchLearningRate"/> for α), seed, device.</param>
    /// <exception cref="ArgumentException">Invalid options or data.</exception>
    public DartsSearch(TensorDataset train, TensorDataset valid, WeightSharingOptions? options = null)
    {
        SupernetData.CheckPair(train, valid);
        Options = options ?? new WeightSharingOptions();
        Device device = SupernetData.Prepare(Options);
        batchRng = new Random(unchecked((int)Options.Seed));
        Supernet = new Nb201Supernet((int)train.SampleShape[0], train.ClassCount, Options.Channels, Options.CellsPerStage);
        Supernet.to(device);
        using (no_grad())
        {
            alpha = new TorchSharp.Modules.Parameter(randn(Nb201Supernet.EdgeCount, Nb201Supernet.OpCount, device: device).mul_(1e-3));
        }
        this.train = new SupernetData(train, device);
        this.valid = new SupernetData(valid, device);
        weightOptimizer = optim.Adam(Supernet.parameters(), Options.LearningRate, weight_decay: Options.WeightDecay);
        alphaOptimizer = optim.Adam([alpha], Options.ArchLearningRate, beta1: 0.5, beta2: 0.999, weight_decay: Options.ArchWeightDecay);
    }

    /// <summary>The options in use.</summary>
    public WeightSharingOptions Options { get; }

    /// <summary>The shared-weight network (its mixed ops are weighted by softmax(α)).</summary>
    public Nb201Supernet Supernet { get; }

    /// <summary>Epochs run so far.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>A copy of the architecture weights α, [edge, op] in <see cref="Nb201Space.Edges"/> × <see cref="Nb201Space.Ops"/> order.</summary>
    public float[,] Alphas => ToMatrix(alpha);

    /// <summary>softmax(α) per edge: the mixing weights of each edge's five ops.</summary>
    public float[,] Probabilities
    {
        get
        {
            using var noGrad = no_grad();
            using var p = alpha.softmax(1);
            return ToMatrix(p);
        }
    }

    /// <summary>
    /// Runs <paramref name="epochs"/> (default <see cref="WeightSharingOptions.Epochs"/>) more epochs
    /// over the training split, alternating a weight step (training batch) and an α step (next
    /// validation batch, cycling through a reshuffled validation split).
    /// </summary>
    /// <param name="epochs">Epochs to run.</param>
    /// <param name="onEpoch">Called after each epoch with (1-based epoch, mean training loss, α).</param>
    /// <param name="cancellationToken">Checked before each step.</param>
    public void Run(int? epochs = null, Action<int, double, float[,]>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        int n = epochs ?? Options.Epochs;
        ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(epochs));
        Supernet.train();
        IEnumerator<(Tensor X, Tensor Y)>? validBatches = null;
        try
        {
            for (int epoch = 0; epoch < n; epoch++)
            {
                double lossSum = 0;
                int batches = 0;
                using var epochScope = NewDisposeScope();
                foreach (var (x, y) in train.Shuffled(batchRng, Options.BatchSize))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var stepScope = NewDisposeScope();

                    // Weight step: loss on a training batch with α fixed.
                    weightOptimizer.zero_grad();
                    Tensor mix;
                    using (no_grad())
                    {
                        mix = alpha.softmax(1);
                    }
                    Tensor loss = nn.functional.cross_entropy(Supernet.ForwardMixed(x, mix), y);
                    loss.backward();
                    weightOptimizer.step();
                    lossSum += loss.item<float>();
                    batches++;

                    // Architecture step (first order): loss on a validation batch, only α moves.
                    if (validBatches is null || !validBatches.MoveNext())
                    {
                        validBatches?.Dispose();
                        validBatches = valid.Shuffled(batchRng, Options.BatchSize).GetEnumerator();
                        if (!validBatches.MoveNext())
                        {
                            continue;
                        }
                    }
                    var (xv, yv) = validBatches.Current;
                    alphaOptimizer.zero_grad();
                    Tensor archLoss = nn.functional.cross_entropy(Supernet.ForwardMixed(xv, alpha.softmax(1)), yv);
                    archLoss.backward();
                    alphaOptimizer.step();
                    weightOptimizer.zero_grad();
                }
                EpochsDone++;
                onEpoch?.Invoke(EpochsDone, batches == 0 ? double.NaN : lossSum / batches, Alphas);
            }
        }
        finally
        {
            validBatches?.Dispose();
        }
    }

    /// <summary>
    /// The discrete cell: per edge the op with the largest α (first on ties), over all five ops
    /// <em>including</em> <c>none</c>, as the NB201 benchmark derives DARTS cells (NB201 counts a cell
    /// of mostly <c>none</c>/skip edges as DARTS' known failure mode rather than hiding it; excluding
    /// <c>none</c> would be a different search method). Validated against <see cref="Nb201Space.Spec"/>.
    /// </summary>
    public Dna Derive()
    {
        int[] ops = DeriveOps();
        var dna = Dna.List(ops.Select(Dna.Leaf));
        spec.Validate(dna);
        return dna;
    }

    /// <summary>The derived cell as six op indices (see <see cref="Derive"/>).</summary>
    public int[] DeriveOps()
    {
        float[,] a = Alphas;
        var ops = new int[Nb201Supernet.EdgeCount];
        for (int e = 0; e < ops.Length; e++)
        {
            int best = 0;
            for (int k = 1; k < Nb201Supernet.OpCount; k++)
            {
                if (a[e, k] > a[e, best])
                {
                    best = k;
                }
            }
            ops[e] = best;
        }
        return ops;
    }

    /// <summary>Validation accuracy of the mixed (relaxed) network.</summary>
    public double EvaluateMixed()
    {
        Supernet.eval();
        using var noGrad = no_grad();
        using var mix = alpha.softmax(1);
        double acc = valid.Accuracy(x => Supernet.ForwardMixed(x, mix), Options.EvalBatchSize);
        Supernet.train();
        return acc;
    }

    /// <summary>Frees the supernet, α, the optimizers and the data tensors.</summary>
    public void Dispose()
    {
        weightOptimizer.Dispose();
        alphaOptimizer.Dispose();
        alpha.Dispose();
        Supernet.Dispose();
        train.Dispose();
        valid.Dispose();
    }

    private static float[,] ToMatrix(Tensor t)
    {
        float[] flat = t.detach().cpu().data<float>().ToArray();
        var m = new float[Nb201Supernet.EdgeCount, Nb201Supernet.OpCount];
        for (int e = 0; e < Nb201Supernet.EdgeCount; e++)
        {
            for (int k = 0; k < Nb201Supernet.OpCount; k++)
            {
                m[e, k] = flat[e * Nb201Supernet.OpCount + k];
            }
        }
        return m;
    }
}
