using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.WeightSharing;

/// <summary>
/// A one-shot NB201 network: the topology of <see cref="Nb201Architecture"/> (stem, three stages of
/// cells at C, 2C, 4C separated by residual reductions, BN-ReLU, global pooling, linear) where every
/// edge of every cell holds all five candidate operations with their own weights (the NB201 op modules
/// of <see cref="Nb201Architecture"/>). A sub-network is selected by six op indices in edge order
/// (1←0, 2←0, 2←1, 3←0, 3←1, 3←2; index = <see cref="Nb201Space.Ops"/> order = <see cref="Nb201Op"/>
/// value); like NB201, all cell positions use the same cell.
/// </summary>
/// <remarks>
/// <see cref="forward(Tensor, int[])"/> runs one path (SPOS); <see cref="ForwardMixed"/> runs the
/// continuous relaxation (DARTS) with per-edge op weights.
/// </remarks>
public sealed class Nb201Supernet : nn.Module<Tensor, int[], Tensor>
{
    /// <summary>Edges per cell.</summary>
    public const int EdgeCount = 6;

    /// <summary>Candidate operations per edge.</summary>
    public const int OpCount = 5;

    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly TorchSharp.Modules.ModuleList<nn.Module> body;
    private readonly nn.Module<Tensor, Tensor> lastact;
    private readonly nn.Module<Tensor, Tensor> classifier;

    /// <summary>Builds the supernet.</summary>
    /// <param name="inChannels">Channels of the input images (1 for digits).</param>
    /// <param name="classCount">Classes (≥ 2).</param>
    /// <param name="channels">C, the channels of the first stage (≥ 1).</param>
    /// <param name="cellsPerStage">N, cells per stage (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public Nb201Supernet(int inChannels, int classCount, int channels = 8, int cellsPerStage = 1) : base(nameof(Nb201Supernet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cellsPerStage, 1);
        Channels = channels;
        CellsPerStage = cellsPerStage;
        stem = nn.Sequential(
            ("conv", nn.Conv2d(inChannels, channels, 3, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(channels)));
        var list = new List<nn.Module>();
        long c = channels;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                list.Add(new ResidualReduction(c, c * 2));
                c *= 2;
            }
            for (int i = 0; i < cellsPerStage; i++)
            {
                list.Add(new SuperCell(c));
            }
        }
        body = nn.ModuleList(list.ToArray());
        lastact = nn.Sequential(("bn", nn.BatchNorm2d(c)), ("relu", nn.ReLU()));
        classifier = nn.Linear(c, classCount);
        RegisterComponents();
    }

    /// <summary>C, the channels of the first stage.</summary>
    public int Channels { get; }

    /// <summary>N, the cells per stage.</summary>
    public int CellsPerStage { get; }

    /// <summary>The equivalent stand-alone architecture of a sub-network (same C and N).</summary>
    public Nb201Architecture Architecture(IReadOnlyList<int> ops)
    {
        ValidateOps(ops);
        return new Nb201Architecture(Nb201Cell.FromOps(ops.Select(o => (Nb201Op)o).ToArray()), Channels, CellsPerStage);
    }

    /// <summary>Checks six op indices in 0..4.</summary>
    /// <exception cref="ArgumentException">Null, not six indices, or an index out of 0..4.</exception>
    public static void ValidateOps(IReadOnlyList<int>? ops)
    {
        if (ops is null)
        {
            throw new ArgumentException("Op indices are required: six indices in 0..4, one per NB201 edge.", nameof(ops));
        }
        if (ops.Count != EdgeCount)
        {
            throw new ArgumentException(
                $"An NB201 sub-network needs {EdgeCount} op indices (edges {string.Join(", ", Nb201Space.Edges)}); got {ops.Count}.", nameof(ops));
        }
        for (int e = 0; e < EdgeCount; e++)
        {
            if (ops[e] < 0 || ops[e] >= OpCount)
            {
                throw new ArgumentException(
                    $"Edge {Nb201Space.Edges[e]}: op index {ops[e]} is out of range 0..{OpCount - 1} ({string.Join(", ", Nb201Space.Ops)}).", nameof(ops));
            }
        }
    }

    /// <summary>Runs the sub-network selected by six op indices (single path).</summary>
    /// <exception cref="ArgumentException">Bad op indices (see <see cref="ValidateOps"/>).</exception>
    public override Tensor forward(Tensor input, int[] ops)
    {
        ValidateOps(ops);
        return Run(input, (cell, x) => cell.Single(x, ops));
    }

    /// <summary>
    /// Runs the continuous relaxation: each edge outputs Σ_k w[e,k]·op_k(x), <paramref name="weights"/>
    /// of shape [6, 5] (e.g. softmax of the architecture weights over the last dimension).
    /// </summary>
    /// <exception cref="ArgumentException">The weights are not [6, 5].</exception>
    public Tensor ForwardMixed(Tensor input, Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.dim() != 2 || weights.shape[0] != EdgeCount || weights.shape[1] != OpCount)
        {
            throw new ArgumentException($"Mixed-op weights must have shape [{EdgeCount}, {OpCount}]; got [{string.Join(", ", weights.shape)}].", nameof(weights));
        }
        return Run(input, (cell, x) => cell.Mixed(x, weights));
    }

    private Tensor Run(Tensor input, Func<SuperCell, Tensor, Tensor> cellForward)
    {
        using var scope = NewDisposeScope();
        Tensor x = stem.call(input);
        foreach (var m in body)
        {
            x = m switch
            {
                SuperCell cell => cellForward(cell, x),
                nn.Module<Tensor, Tensor> block => block.call(x),
                _ => throw new InvalidOperationException("Unexpected supernet block."),
            };
        }
        x = lastact.call(x).mean([2L, 3L]);
        return classifier.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>One NB201 cell with all five ops on every edge.</summary>
    private sealed class SuperCell : nn.Module
    {
        private readonly TorchSharp.Modules.ModuleList<TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>>> edges;

        public SuperCell(long channels) : base("SuperCell")
        {
            var list = new TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>>[EdgeCount];
            for (int e = 0; e < EdgeCount; e++)
            {
                list[e] = nn.ModuleList<nn.Module<Tensor, Tensor>>(
                    new ZeroOp(),
                    nn.Identity(),
                    new ReLUConvBN(channels, channels, 1, 1, 0),
                    new ReLUConvBN(channels, channels, 3, 1, 1),
                    nn.AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false));
            }
            edges = nn.ModuleList(list);
            RegisterComponents();
        }

        public Tensor Single(Tensor x, int[] ops) =>
            Cell(x, (e, node) => ops[e] == 0 ? null : edges[e][ops[e]].call(node));

        public Tensor Mixed(Tensor x, Tensor weights) =>
            Cell(x, (e, node) =>
            {
                Tensor? sum = null;
                for (int k = 1; k < OpCount; k++) // op 0 ("none") contributes w·0 = 0
                {
                    Tensor y = edges[e][k].call(node).mul(weights[e, k]);
                    sum = sum is null ? y : sum.Plus(y);
                }
                return sum;
            });

        private static Tensor Cell(Tensor input, Func<int, Tensor, Tensor?> edge) => Nb201CellGraph.Forward(input, edge);
    }
}
