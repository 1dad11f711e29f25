using NasNotebooks.Dsl;

namespace NasNotebooks.Samples;

/// <summary>The five NAS-Bench-201 edge operations.</summary>
public enum Nb201Op { None, SkipConnect, NorConv1x1, NorConv3x3, AvgPool3x3 }

/// <summary>An NAS-Bench-201 cell: 4 nodes, an operation on each of the 6 edges (5^6 = 15,625 cells).</summary>
[Searchable]
public partial class Nb201Cell
{
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge1From0 { get; set; }
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge2From0 { get; set; }
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge2From1 { get; set; }
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge3From0 { get; set; }
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge3From1 { get; set; }
    [OneOf(Nb201Op.None, Nb201Op.SkipConnect, Nb201Op.NorConv1x1, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3)] public Nb201Op Edge3From2 { get; set; }

    private static string Op(Nb201Op op) => op switch
    {
        Nb201Op.None => "none",
        Nb201Op.SkipConnect => "skip_connect",
        Nb201Op.NorConv1x1 => "nor_conv_1x1",
        Nb201Op.NorConv3x3 => "nor_conv_3x3",
        _ => "avg_pool_3x3",
    };

    /// <summary>The architecture string used by NAS-Bench-201 tables.</summary>
    public string ArchString =>
        $"|{Op(Edge1From0)}~0|+|{Op(Edge2From0)}~0|{Op(Edge2From1)}~1|+|{Op(Edge3From0)}~0|{Op(Edge3From1)}~1|{Op(Edge3From2)}~2|";
}

/// <summary>A layer of the small CNN.</summary>
public interface ILayer { }

/// <summary>A plain convolution.</summary>
[Searchable]
public partial class ConvLayer : ILayer
{
    [OneOf(16, 32, 64)] public int Channels { get; set; } = 16;
    [OneOf(3, 5)] public int Kernel { get; set; } = 3;
}

/// <summary>A depthwise-separable convolution.</summary>
[Searchable]
public partial class SeparableLayer : ILayer
{
    [OneOf(32, 64)] public int Channels { get; set; } = 32;
}

/// <summary>A pooling layer.</summary>
[Searchable]
public partial class PoolLayer : ILayer
{
    [OneOf("max", "avg")] public string Kind { get; set; } = "max";
}

/// <summary>A stage: one kind of layer (a conditional sub-space) repeated 1 to 3 times.</summary>
[Searchable]
public partial class CnnStage
{
    [OneOf(typeof(ConvLayer), typeof(SeparableLayer), typeof(PoolLayer))] public ILayer Layer { get; set; } = new PoolLayer();
    [IntRange(1, 3)] public int Depth { get; set; } = 1;
}

/// <summary>A small CNN: 1 to 3 stages, a learning rate and a dropout.</summary>
[Searchable]
public partial class SmallCnn
{
    [Repeat(1, 3)] public List<CnnStage> Stages { get; set; } = [];
    [FloatRange(1e-4, 1e-1, Scale.Log, Name = "lr")] public double LearningRate { get; set; } = 1e-3;
    [OneOf(0.0, 0.1, 0.3)] public double Dropout { get; set; }
    public int InputChannels { get; set; } = 1;
}
