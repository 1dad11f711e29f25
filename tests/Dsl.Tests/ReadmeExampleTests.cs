using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

/// <summary>The README's DSL example, kept runnable.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ConvNetSpace_FromTheReadme()
    {
        var space = Space.Dict()
            .Float("lr", 1e-4, 1e-1, Scale.Log)
            .Repeat("stages", 3, stage => stage
                .OneOf("depth", 1, 2, 3)
                .OneOf("width", 0.5, 1.0, 1.5)
                .OneOf("kernel", 3, 5, 7)
                .OneOf("activation", "relu", "gelu", "swish"))
            .Build();
        SpaceSpec spec = Space.Spec(space);
        Assert.Equal(13, spec.DecisionPoints.Count());
        Assert.Equal("stages[2].activation", spec.DecisionPoints.Last().Id);
        Dna dna = spec.Random(new Random(42));
        var net = (SymDict)spec.Materialize(dna)!;
        Assert.Equal(3, ((SymList)net["stages"]!).Count);
        Assert.Equal(dna, spec.Encode(net));
    }
}
