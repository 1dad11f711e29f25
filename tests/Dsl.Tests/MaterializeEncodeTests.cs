using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

public record Conv(int Kernel, string Activation);

public record Net(double LearningRate, IReadOnlyList<Conv> Layers);

public class MaterializeEncodeTests
{
    private static SymDict ConditionalSpace() => new()
    {
        ["a"] = Hyper.OneOf(new SymDict { ["b"] = Hyper.OneOf(1, 2) }, Hyper.ManyOf(2, new[] { 3, 4, 5 }), 6),
    };

    [Fact]
    public void ConditionalSpace_HasPyGloveSizeIdsAndEncoding()
    {
        var spec = Space.Spec(ConditionalSpace());
        Assert.Equal(9, (int)spec.SpaceSize!.Value);
        var ids = spec.AllDecisions.Select(d => d.Id).ToList();
        Assert.Equal(new[] { "a", "a[=0/3].b", "a[=1/3]", "a[=1/3][0]", "a[=1/3][1]" }, ids);
        Assert.Same(spec["a[=1/3]"], spec.AllDecisions.ElementAt(2));

        var value = new SymDict { ["a"] = new SymList { 5, 3 } };
        var dna = spec.Encode(value);
        Assert.Equal(Dna.Parse("(1,[2,0])"), dna);
        Assert.Equal(value, spec.Materialize(dna));

        var all = spec.Enumerate().ToList();
        Assert.Equal(9, all.Count);
        foreach (var d in all) Assert.Equal(d, spec.Encode(spec.Materialize(d)));
    }

    [Fact]
    public void Encode_ValueOutsideTheSpace_NamesThePath()
    {
        var spec = Space.Spec(ConditionalSpace());
        var e = Assert.Throws<ArgumentException>(() => spec.Encode(new SymDict { ["a"] = 7 }));
        Assert.Contains("'a'", e.Message);
        Assert.Contains("7", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => spec.Encode(new SymDict { ["a"] = new SymDict { ["b"] = 9 } }));
        Assert.Contains("a.b", e2.Message);
    }

    [Fact]
    public void TypedObjects_MaterializeToRecords_AndEncodeBack()
    {
        var space = Space.Object<Net>()
            .Set(n => n.LearningRate, Hyper.Float(1e-4, 1e-1, Scale.Log).Named("lr"))
            .Set(n => n.Layers, Space.Repeat(2, _ => Space.Object<Conv>()
                .Set(c => c.Kernel, Hyper.OneOf(3, 5, 7))
                .Set(c => c.Activation, Hyper.OneOf("relu", "gelu"))
                .Build()))
            .Build();
        var spec = Space.Spec(space);
        Assert.Equal(new[] { "LearningRate", "Layers[0].Kernel", "Layers[0].Activation", "Layers[1].Kernel", "Layers[1].Activation" },
            spec.DecisionPoints.Select(d => d.Id));
        Assert.Equal("lr", spec.DecisionPoints.First().Name);
        var dna = Dna.Parse("[0.01,2,1,0,0]");
        var net = Assert.IsType<Net>(spec.Materialize(dna));
        Assert.Equal(0.01, net.LearningRate);
        Assert.Equal(new Conv(7, "gelu"), net.Layers[0]);
        Assert.Equal(new Conv(3, "relu"), net.Layers[1]);
        Assert.Equal(dna, spec.Encode(net));
    }

    [Fact]
    public void PartialMaterialization_LeavesUnselectedDecisionsSymbolic()
    {
        var space = Space.Dict()
            .Add("x", Hyper.OneOf(1, 2, 3).Named("x"))
            .Add("y", Hyper.OneOf("a", "b").Named("y"))
            .Build();
        var spec = Space.Spec(space, where: h => h.Name == "x");
        Assert.Equal(3, (int)spec.SpaceSize!.Value);
        var partial = Assert.IsType<SymDict>(spec.Materialize(Dna.Leaf(1)));
        Assert.Equal(2, partial["x"]);
        Assert.IsType<OneOf>(partial["y"]);
        Assert.True(partial.ContainsHyper);
        var rest = Space.Spec(partial);
        Assert.Equal(new SymDict { ["x"] = 2, ["y"] = "b" }, rest.Materialize(Dna.Leaf(1)));
        Assert.Equal(Dna.Leaf(1), spec.Encode(partial));
    }

    [Fact]
    public void DictionaryForms_ByIdNameAndLiteral()
    {
        var space = Space.Dict()
            .Add("act", Hyper.OneOf("relu", "gelu", "swish").Named("activation"))
            .Add("k", Hyper.OneOf(3, 5, 7))
            .Float("lr", 0.001, 0.1, Scale.Log)
            .Build();
        var spec = Space.Spec(space);
        var dna = Dna.Parse("[2,1,0.01]");
        Assert.Equal(new Dictionary<string, object?> { ["act"] = 2, ["k"] = 1, ["lr"] = 0.01 }, spec.ToDictionary(dna));
        Assert.Equal(new Dictionary<string, object?> { ["activation"] = "2/3", ["k"] = "1/3", ["lr"] = 0.01 }, spec.ToDictionary(dna, DnaKey.Name, DnaValueForm.ChoiceAndTotal));
        var literal = spec.ToDictionary(dna, DnaKey.Name, DnaValueForm.Literal);
        Assert.Equal("swish", literal["activation"]);
        Assert.Equal(5, literal["k"]);
        Assert.Equal(dna, spec.FromDictionary(spec.ToDictionary(dna)));
        Assert.Equal(dna, spec.FromDictionary(literal, DnaValueForm.Literal));
        Assert.Equal(dna, spec.FromDictionary(spec.ToDictionary(dna, DnaKey.Name, DnaValueForm.ChoiceAndTotal)));
        var unknown = Assert.Throws<ArgumentException>(() => spec.FromDictionary(new Dictionary<string, object?> { ["nope"] = 1 }));
        Assert.Contains("'nope'", unknown.Message);
        var missing = Assert.Throws<ArgumentException>(() => spec.FromDictionary(new Dictionary<string, object?> { ["act"] = 1, ["lr"] = 0.01 }));
        Assert.Contains("'k'", missing.Message);
    }

    [Fact]
    public void Validation_NamesTheBadDecision()
    {
        var spec = Space.Spec(Space.Dict().OneOf("a", 1, 2).Add("b", Hyper.OneOf(1, Hyper.OneOf(1, 2, 3))).Build());
        var e = Assert.Throws<DnaValidationException>(() => spec.Validate(Dna.Parse("[0,(1,5)]")));
        Assert.Equal("b[=1/2]", e.DecisionId);
        Assert.Contains("out of range", e.Message);
        var shape = Assert.Throws<DnaValidationException>(() => spec.Validate(Dna.Parse("[0,1,1]")));
        Assert.Contains("has 2 decisions", shape.Message);
        Assert.Throws<DnaValidationException>(() => spec.Validate(Dna.Parse("[0,(0,1)]")));
    }

    [Fact]
    public void RandomSampling_IsSeededAndAlwaysValid()
    {
        var space = Space.Dict()
            .OneOf("op", "conv", Space.Dict().OneOf("k", 3, 5).Build(), Hyper.ManyOf(2, new[] { "x", "y", "z" }, sorted: true))
            .Add("perm", Hyper.Permutation(new[] { 1, 2, 3, 4 }))
            .Float("lr", 1e-5, 1, Scale.Log)
            .Float("m", 0.5, 0.999, Scale.ReverseLog)
            .Int("units", 8, 128, 8)
            .Add("many", Hyper.ManyOf(3, new[] { 1, 2, 3, 4, 5 }, distinct: false))
            .Build();
        var spec = Space.Spec(space);
        var a = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => spec.Random(new Random(i))).ToList();
        var b = Enumerable.Range(0, 50).Select((_, i) => spec.Random(new Random(i))).ToList();
        Assert.Equal(a, b);
        var rng = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            var d = spec.Random(rng);
            spec.Validate(d);
            Assert.Equal(d, spec.Encode(spec.Materialize(d)));
        }
    }

    [Fact]
    public void DefinitionErrors_AreClear()
    {
        Assert.Contains("at least one candidate", Assert.Throws<ArgumentException>(() => Hyper.OneOf()).Message);
        Assert.Contains("3 distinct values out of 2", Assert.Throws<ArgumentException>(() => Hyper.ManyOf(3, new[] { 1, 2 })).Message);
        Assert.Contains("must not exceed", Assert.Throws<ArgumentException>(() => Hyper.Float(2, 1)).Message);
        Assert.Contains("min > 0", Assert.Throws<ArgumentException>(() => Hyper.Float(0, 1, Scale.Log)).Message);
        Assert.Contains("step", Assert.Throws<ArgumentException>(() => Hyper.Int(0, 4, 0)).Message);
        var dup = Assert.Throws<ArgumentException>(() => Space.Spec(Space.List(Hyper.OneOf(1, 2).Named("x"), Hyper.OneOf(3, 4).Named("x"))));
        Assert.Contains("Duplicate decision name 'x'", dup.Message);
        Assert.Contains("[0]", dup.Message);
        Assert.Contains("[1]", dup.Message);
        Assert.Contains("Layers", Assert.Throws<ArgumentException>(() => Space.Object<Net>().Set("Layerz", 1)).Message);
        Assert.Contains("Kernel", Assert.Throws<ArgumentException>(() => Space.Object<Conv>().Set(c => c.Kernel, "big")).Message);
    }
}
