namespace NasNotebooks.Generators.Tests;

/// <summary>Model sources used by snapshot and behaviour tests.</summary>
internal static class Models
{
    public const string Flat = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;

        public enum Activation { Relu, Gelu, Swish }

        [Searchable]
        public partial class Conv
        {
            [OneOf(3, 5, 7, Name = "kernel")] public int Kernel { get; set; } = 3;
            [OneOf(Activation.Relu, Activation.Gelu)] public Activation Act { get; set; }
            [IntRange(16, 64, 16)] public int Width { get; set; } = 16;
            [FloatRange(1e-4, 1e-1, Scale.Log)] public double LearningRate { get; set; } = 1e-3;
            [OneOf(0, 0.1, 0.25)] public float Dropout;
            [ManyOf(2, "a", "b", "c", Sorted = true)] public string[] Tags { get; set; } = [];
            [Permutation(1, 2, 3)] public List<int> Order { get; set; } = [];
            public string Comment { get; set; } = "fixed";
        }
        """;

    public const string Nested = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;

        [Searchable]
        public partial class Stem
        {
            [OneOf(16, 32)] public int Channels { get; set; } = 16;
        }

        [Searchable]
        public partial class Net
        {
            public Stem Stem { get; set; } = new();
            [OneOf(true, false)] public bool UseBias { get; set; }
            [Fixed] public Stem Frozen { get; set; } = new();
            public Stem? Optional { get; set; }
        }
        """;

    public const string Interface = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;

        public interface IBlock { }

        [Searchable]
        public partial class ConvBlock : IBlock
        {
            [OneOf(3, 5)] public int Kernel { get; set; } = 3;
            [OneOf(1, 2)] public int Stride { get; set; } = 1;
        }

        [Searchable]
        public partial class ResidualBlock : IBlock
        {
            [OneOf(8, 16, 32)] public int Width { get; set; } = 8;
        }

        [Searchable]
        public partial class IdentityBlock : IBlock { }

        [Searchable]
        public partial class Cell
        {
            [OneOf(typeof(ConvBlock), typeof(ResidualBlock), typeof(IdentityBlock))] public IBlock Op { get; set; } = new IdentityBlock();
            [OneOf("sum", "concat")] public string Merge { get; set; } = "sum";
        }
        """;

    public const string Repeat = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;

        [Searchable]
        public partial class Stage
        {
            [OneOf(1, 2, 3)] public int Depth { get; set; } = 1;
            [OneOf(3, 5)] public int Kernel { get; set; } = 3;
        }

        [Searchable]
        public partial class Backbone
        {
            [Repeat(1, 3)] public List<Stage> Stages { get; set; } = [];
            [Repeat(0, 2)] public Stage?[] Heads { get; set; } = [];
        }
        """;

    public const string Records = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;

        [Searchable]
        public partial record Optimizer([property: OneOf("sgd", "adam")] string Name, int Seed = 7)
        {
            [FloatRange(0.0, 0.9)] public double Momentum { get; init; }
            [IntRange(1, 4)] public long Epochs { get; init; } = 1;
        }

        [Searchable]
        public partial record Trainer
        {
            public Optimizer Optimizer { get; init; } = new("sgd");
            [OneOf(32, 64)] public int Batch { get; set; } = 32;
        }
        """;
}
