using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.Modules;

/// <summary>ReLU → Conv (no bias) → BatchNorm, the NB201 "nor_conv" operation.</summary>
internal sealed class ReLUConvBN : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> op;

    public ReLUConvBN(long cin, long cout, long kernel, long stride, long padding) : base(nameof(ReLUConvBN))
    {
        op = nn.Sequential(
            ("relu", nn.ReLU()),
            ("conv", nn.Conv2d(cin, cout, kernel, stride: stride, padding: padding, bias: false)),
            ("bn", nn.BatchNorm2d(cout)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => op.call(input);
}

/// <summary>The NB201 "none" operation: zeros of the input's shape.</summary>
internal sealed class ZeroOp : nn.Module<Tensor, Tensor>
{
    public ZeroOp() : base(nameof(ZeroOp)) { }

    public override Tensor forward(Tensor input) => input.Times(0.0);
}

/// <summary>One NB201 cell (stride 1, channels unchanged).</summary>
internal sealed class Nb201CellModule : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<nn.Module<Tensor, Tensor>> edges;

    public Nb201CellModule(Nb201Cell cell, long channels) : base("Nb201Cell")
    {
        var ops = cell.Ops.Select(op => op switch
        {
            Nb201Op.None => (nn.Module<Tensor, Tensor>)new ZeroOp(),
            Nb201Op.SkipConnect => nn.Identity(),
            Nb201Op.NorConv1x1 => new ReLUConvBN(channels, channels, 1, 1, 0),
            Nb201Op.NorConv3x3 => new ReLUConvBN(channels, channels, 3, 1, 1),
            Nb201Op.AvgPool3x3 => nn.AvgPool2d(3, stride: 1, padding: 1, count_include_pad: false),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), op, "Unknown NB201 operation."),
        }).ToArray();
        edges = nn.ModuleList(ops);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Nb201CellGraph.Forward(input, (e, node) => edges[e].call(node)).MoveToOuterDisposeScope();
    }
}

/// <summary>The NB201 cell's DAG, shared by the stand-alone cell and the supernet.</summary>
internal static class Nb201CellGraph
{
    /// <summary>
    /// Node 0 is <paramref name="input"/>; node j (1..3) sums <paramref name="edge"/>(k, node i) over i &lt; j, with
    /// edges numbered k = 0..5 in NB201 order (1←0, 2←0, 2←1, 3←0, 3←1, 3←2); an edge returning null adds nothing,
    /// and a node without contributions is zero. Returns node 3.
    /// </summary>
    public static Tensor Forward(Tensor input, Func<int, Tensor, Tensor?> edge)
    {
        var nodes = new Tensor[4];
        nodes[0] = input;
        int k = 0;
        for (int to = 1; to <= 3; to++)
        {
            Tensor? sum = null;
            for (int from = 0; from < to; from++)
            {
                Tensor? y = edge(k++, nodes[from]);
                if (y is not null) sum = sum is null ? y : sum.Plus(y);
            }
            nodes[to] = sum ?? input.Times(0.0);
        }
        return nodes[3];
    }
}

/// <summary>NB201 residual reduction block: halves the resolution, changes the channels.</summary>
internal sealed class ResidualReduction : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv_a;
    private readonly nn.Module<Tensor, Tensor> conv_b;
    private readonly nn.Module<Tensor, Tensor> downsample;

    public ResidualReduction(long cin, long cout) : base(nameof(ResidualReduction))
    {
        conv_a = new ReLUConvBN(cin, cout, 3, 2, 1);
        conv_b = new ReLUConvBN(cout, cout, 3, 1, 1);
        downsample = nn.Sequential(
            ("pool", nn.AvgPool2d(2, stride: 2, padding: 0)),
            ("conv", nn.Conv2d(cin, cout, 1, bias: false)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor basic = conv_b.call(conv_a.call(input));
        Tensor residual = downsample.call(input);
        return residual.Plus(basic).MoveToOuterDisposeScope();
    }
}

/// <summary>The NB201 network built from one cell.</summary>
internal sealed class Nb201Network : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly nn.Module<Tensor, Tensor> cells;
    private readonly nn.Module<Tensor, Tensor> lastact;
    private readonly nn.Module<Tensor, Tensor> global_pooling;
    private readonly nn.Module<Tensor, Tensor> classifier;

    public Nb201Network(Nb201Cell cell, long inChannels, long channels, int cellsPerStage, int classCount) : base("Nb201Network")
    {
        stem = nn.Sequential(
            ("conv", nn.Conv2d(inChannels, channels, 3, padding: 1, bias: false)),
            ("bn", nn.BatchNorm2d(channels)));
        var list = new List<(string, nn.Module<Tensor, Tensor>)>();
        long c = channels;
        for (int stage = 0; stage < 3; stage++)
        {
            if (stage > 0)
            {
                list.Add(($"reduction{stage}", new ResidualReduction(c, c * 2)));
                c *= 2;
            }
            for (int i = 0; i < cellsPerStage; i++)
            {
                list.Add(($"stage{stage}_cell{i}", new Nb201CellModule(cell, c)));
            }
        }
        cells = nn.Sequential(list);
        lastact = nn.Sequential(("bn", nn.BatchNorm2d(c)), ("relu", nn.ReLU()));
        global_pooling = nn.AdaptiveAvgPool2d(1);
        classifier = nn.Linear(c, classCount);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor x = lastact.call(cells.call(stem.call(input)));
        Tensor logits = classifier.call(global_pooling.call(x).flatten(1));
        return logits.MoveToOuterDisposeScope();
    }
}
