using System.Text;
using NasNotebooks.Runtime.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>The five NAS-Bench-201 operations, spelled as in the official arch strings.</summary>
public enum Nb201Op
{
    /// <summary><c>none</c>: the edge outputs zeros (it is cut).</summary>
    None,
    /// <summary><c>skip_connect</c>: identity.</summary>
    SkipConnect,
    /// <summary><c>nor_conv_1x1</c>: ReLU → Conv 1×1 (no bias) → BatchNorm.</summary>
    NorConv1x1,
    /// <summary><c>nor_conv_3x3</c>: ReLU → Conv 3×3, padding 1 (no bias) → BatchNorm.</summary>
    NorConv3x3,
    /// <summary><c>avg_pool_3x3</c>: 3×3 average pooling, stride 1, padding 1, padding not counted.</summary>
    AvgPool3x3,
}

/// <summary>
/// A NAS-Bench-201 cell: four nodes, node 0 the cell input and node 3 its output; node j is the sum of
/// op(j←i)(node i) over i &lt; j. The six edges are ordered 1←0, 2←0, 2←1, 3←0, 3←1, 3←2 as in the
/// official arch string <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.
/// </summary>
/// <example><code>
/// var cell = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
/// cell.Edge3From1 == Nb201Op.NorConv3x3; cell.ToString() gives the same string back.
/// </code></example>
public sealed record Nb201Cell(
    Nb201Op Edge1From0,
    Nb201Op Edge2From0,
    Nb201Op Edge2From1,
    Nb201Op Edge3From0,
    Nb201Op Edge3From1,
    Nb201Op Edge3From2)
{
    /// <summary>The (to, from) node pairs of the six edges, in the order of <see cref="Ops"/>.</summary>
    public static IReadOnlyList<(int To, int From)> Edges { get; } = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    /// <summary>All five operations, in the enumeration order (index = official op index).</summary>
    public static IReadOnlyList<Nb201Op> AllOps { get; } =
        [Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3];

    /// <summary>The six operations in edge order (1←0, 2←0, 2←1, 3←0, 3←1, 3←2).</summary>
    public IReadOnlyList<Nb201Op> Ops => [Edge1From0, Edge2From0, Edge2From1, Edge3From0, Edge3From1, Edge3From2];

    /// <summary>Builds a cell from six operations in edge order.</summary>
    /// <exception cref="ArgumentException">Not exactly six operations.</exception>
    public static Nb201Cell FromOps(IReadOnlyList<Nb201Op> ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        if (ops.Count != 6)
        {
            throw new ArgumentException($"An NB201 cell has 6 edges; got {ops.Count} operations.", nameof(ops));
        }
        return new Nb201Cell(ops[0], ops[1], ops[2], ops[3], ops[4], ops[5]);
    }

    /// <summary>The official name of an operation, e.g. <c>nor_conv_3x3</c>.</summary>
    public static string OpName(Nb201Op op) => op switch
    {
        Nb201Op.None => "none",
        Nb201Op.SkipConnect => "skip_connect",
        Nb201Op.NorConv1x1 => "nor_conv_1x1",
        Nb201Op.NorConv3x3 => "nor_conv_3x3",
        Nb201Op.AvgPool3x3 => "avg_pool_3x3",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown NB201 operation."),
    };

    /// <summary>Parses an official operation name such as <c>skip_connect</c>.</summary>
    /// <exception cref="FormatException">Unknown name.</exception>
    public static Nb201Op ParseOp(string name) => name switch
    {
        "none" => Nb201Op.None,
        "skip_connect" => Nb201Op.SkipConnect,
        "nor_conv_1x1" => Nb201Op.NorConv1x1,
        "nor_conv_3x3" => Nb201Op.NorConv3x3,
        "avg_pool_3x3" => Nb201Op.AvgPool3x3,
        _ => throw new FormatException(
            $"Unknown NB201 operation '{name}'; expected none, skip_connect, nor_conv_1x1, nor_conv_3x3 or avg_pool_3x3."),
    };

    /// <summary>Parses an official arch string <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.</summary>
    /// <exception cref="FormatException">The string does not have that form.</exception>
    public static Nb201Cell Parse(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        string[] nodes = arch.Split('+');
        if (nodes.Length != 3)
        {
            throw new FormatException($"NB201 arch string '{arch}' must have 3 nodes separated by '+', like |op~0|+|op~0|op~1|+|op~0|op~1|op~2|.");
        }
        var ops = new List<Nb201Op>(6);
        for (int node = 1; node <= 3; node++)
        {
            string part = nodes[node - 1];
            if (!part.StartsWith('|') || !part.EndsWith('|'))
            {
                throw new FormatException($"NB201 arch string '{arch}': node {node} '{part}' must be written |op~i|...|.");
            }
            string[] edges = part[1..^1].Split('|');
            if (edges.Length != node)
            {
                throw new FormatException($"NB201 arch string '{arch}': node {node} needs {node} edge(s), got {edges.Length}.");
            }
            for (int from = 0; from < node; from++)
            {
                string[] opAndInput = edges[from].Split('~');
                if (opAndInput.Length != 2 || opAndInput[1] != from.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    throw new FormatException($"NB201 arch string '{arch}': edge '{edges[from]}' of node {node} must be op~{from}.");
                }
                ops.Add(ParseOp(opAndInput[0]));
            }
        }
        return FromOps(ops);
    }

    /// <summary>The official arch string, e.g. <c>|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...|</c>.</summary>
    public override string ToString()
    {
        var ops = Ops;
        var sb = new StringBuilder();
        int k = 0;
        for (int node = 1; node <= 3; node++)
        {
            if (node > 1)
            {
                sb.Append('+');
            }
            sb.Append('|');
            for (int from = 0; from < node; from++)
            {
                sb.Append(OpName(ops[k++])).Append('~').Append(from).Append('|');
            }
        }
        return sb.ToString();
    }
}

/// <summary>
/// The NAS-Bench-201 network (the official "infer.tiny" topology): stem Conv3×3(C) + BN; three stages
/// of <paramref name="CellsPerStage"/> cells at C, 2C and 4C channels, separated by residual reduction
/// blocks (ReLU-Conv3×3 stride 2-BN, ReLU-Conv3×3-BN, shortcut AvgPool2×2 + Conv1×1); then BN, ReLU,
/// global average pooling and a Linear classifier. The CIFAR-10 benchmark network is C = 16, N = 5;
/// smaller values make it cheap for small images (e.g. C = 8, N = 1 on 8×8 digits).
/// </summary>
/// <param name="Cell">The cell, shared by all cell positions.</param>
/// <param name="Channels">C, the channels of the first stage (≥ 1).</param>
/// <param name="CellsPerStage">N, the cells per stage (≥ 1).</param>
public sealed record Nb201Architecture(Nb201Cell Cell, int Channels = 16, int CellsPerStage = 5) : NetworkArchitecture
{
    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(IReadOnlyList<long> sampleShape, int classCount)
    {
        RequireClasses(classCount);
        var (c, h, w) = RequireImage(sampleShape, "Nb201Architecture");
        if (Channels < 1 || CellsPerStage < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Channels), "Nb201Architecture: Channels and CellsPerStage must be at least 1.");
        }
        if (h < 4 || w < 4)
        {
            throw new ArgumentException(
                $"Nb201Architecture: shape mismatch: two stride-2 reductions need an image of at least 4x4; got [{string.Join(", ", sampleShape)}].",
                nameof(sampleShape));
        }
        return new Nb201Network(Cell, c, Channels, CellsPerStage, classCount);
    }

    /// <inheritdoc />
    public override string ToString() => $"Nb201({Cell}, C={Channels}, N={CellsPerStage})";
}
