using NasNotebooks.Dsl;

namespace NasNotebooks.Generators.EndToEnd.Tests;

public enum Act { Relu, Gelu, Swish }

public interface IOp { }

/// <summary>4 points.</summary>
[Searchable]
public partial class ConvOp : IOp
{
    [OneOf(3, 5)] public int Kernel { get; set; } = 3;
    [OneOf(Act.Relu, Act.Gelu)] public Act Act { get; set; }
}

/// <summary>2 points.</summary>
[Searchable]
public partial class PoolOp : IOp
{
    [OneOf("max", "avg")] public string Kind { get; set; } = "max";
}

/// <summary>1 point (no decisions).</summary>
[Searchable]
public partial record SkipOp : IOp;

/// <summary>(4 + 2 + 1) * 2 = 14 points: a conditional choice of op and a repeat count.</summary>
[Searchable]
public partial class Block
{
    [OneOf(typeof(ConvOp), typeof(PoolOp), typeof(SkipOp))] public IOp Op { get; set; } = new SkipOp();
    [IntRange(1, 2)] public int Repeats { get; set; } = 1;
    public string Label { get; set; } = "fixed";
}

/// <summary>2 * C(3,2) = 6 points.</summary>
[Searchable]
public partial class Head
{
    [OneOf(10, 100)] public int Classes { get; set; } = 10;
    [ManyOf(2, 0.1, 0.2, 0.3, Sorted = true)] public double[] Drops { get; set; } = [];
}

/// <summary>Stem 14 * Stages (1 + 14 + 14^2 = 211) * Head 6 * Width 3 = 53,172 points.</summary>
[Searchable]
public partial class Network
{
    public Block Stem { get; set; } = new();
    [Repeat(0, 2)] public List<Block> Stages { get; set; } = [];
    public Head Head { get; set; } = new();
    [OneOf(16, 32, 64, Name = "width")] public int Width { get; set; } = 16;
}

/// <summary>Floats, permutations and records (not enumerable).</summary>
[Searchable]
public partial record Trainer([property: OneOf("sgd", "adam", Name = "optimizer")] string Optimizer, int Seed = 7)
{
    [FloatRange(1e-4, 1e-1, Scale.Log, Name = "lr")] public double LearningRate { get; init; } = 1e-3;
    [FloatRange(0, 0.5)] public float Dropout { get; init; }
    [Permutation("a", "b", "c")] public IReadOnlyList<string> Order { get; init; } = ["a", "b", "c"];
    [IntRange(8, 64, 8)] public long Batch { get; init; } = 8;
    [ManyOf(2, Act.Relu, Act.Gelu, Act.Swish, Distinct = false)] public List<Act> Acts { get; init; } = [];
    public Head Head { get; init; } = new();
}
