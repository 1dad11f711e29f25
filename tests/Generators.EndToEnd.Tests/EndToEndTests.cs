using CsCheck;
using System.Numerics;
using NasNotebooks.Dsl;

namespace NasNotebooks.Generators.EndToEnd.Tests;

/// <summary>The generated members of real compiled models agree with the DSL's generic path.</summary>
public class EndToEndTests
{
    [Fact]
    public void SpaceSize_IsTheHandComputedValue()
    {
        Assert.Equal(new BigInteger(4), ConvOp.Spec.SpaceSize);
        Assert.Equal(new BigInteger(14), Block.Spec.SpaceSize);
        Assert.Equal(new BigInteger(6), Head.Spec.SpaceSize);
        Assert.Equal(new BigInteger(14 * (1 + 14 + 14 * 14) * 6 * 3), Network.Spec.SpaceSize);
        Assert.Null(Trainer.Spec.SpaceSize);
    }

    [Fact]
    public void EveryEnumeratedDna_Materializes_AndEncodesBackToItself()
    {
        int count = 0;
        foreach (var dna in Network.Spec.Enumerate())
        {
            var net = Network.Materialize(dna);
            Assert.Equal(dna, net.Encode());
            count++;
        }
        Assert.Equal(53172, count);
    }

    [Fact]
    public void GeneratedMaterialize_AgreesFieldByField_WithTheGenericPath()
    {
        // Every 7th point of the full enumeration (about 7,600 networks), plus all points of the smaller models.
        int i = 0;
        foreach (var dna in Network.Spec.Enumerate())
        {
            if (i++ % 7 != 0) continue;
            var generic = (Network)Network.Spec.Materialize(dna)!;
            var generated = Network.Materialize(dna);
            DeepEqual.Assert(generic, generated);
            // The generic encoder rejects an empty Stages list (it compares with an empty SymList, which is not a non-generic IList).
            if (generated.Stages.Count > 0) Assert.Equal(Network.Spec.Encode(generated), generated.Encode());
        }
        foreach (var dna in Block.Spec.Enumerate()) DeepEqual.Assert((Block)Block.Spec.Materialize(dna)!, Block.Materialize(dna));
        foreach (var dna in Head.Spec.Enumerate()) DeepEqual.Assert((Head)Head.Spec.Materialize(dna)!, Head.Materialize(dna));
    }

    [Fact]
    public void FloatsPermutationsAndRecords_AgreeWithTheGenericPath_OnRandomPoints()
    {
        var rng = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            var dna = Trainer.Spec.Random(rng);
            var generic = (Trainer)Trainer.Spec.Materialize(dna)!;
            var generated = Trainer.Materialize(dna);
            DeepEqual.Assert(generic, generated);
            Assert.Equal(7, generated.Seed);
            // Dropout is a float member: its value is the DNA's double rounded to float, so compare after one round trip.
            Assert.Equal(generated.Encode(), Trainer.Materialize(generated.Encode()).Encode());
            Assert.Equal(dna.Children[0], generated.Encode().Children[0]);
            Assert.Equal(Trainer.Spec.Encode(generated), generated.Encode());
        }
    }

    [Fact]
    public void Json_RoundTrips_ThroughTheSymbolicForm()
    {
        var rng = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            var net = Network.Materialize(Network.Spec.Random(rng));
            var json = SymbolicJson.Serialize(net.ToSymbolic());
            var back = Network.FromSymbolic((SymObject)SymbolicJson.Deserialize(json)!);
            DeepEqual.Assert(net, back);
            Assert.Equal(net.Encode(), back.Encode());

            var trainer = Trainer.Materialize(Trainer.Spec.Random(rng));
            var trainerBack = Trainer.FromSymbolic((SymObject)SymbolicJson.Deserialize(SymbolicJson.Serialize(trainer.ToSymbolic()))!);
            DeepEqual.Assert(trainer, trainerBack);
        }
    }

    [Fact]
    public void SymbolicForm_EncodesWithTheGenericSpec()
    {
        // Models without list members: the generic encoder does not accept SymList values (it expects a non-generic IList).
        foreach (var dna in Block.Spec.Enumerate())
            Assert.Equal(dna, Block.Spec.Encode(Block.Materialize(dna).ToSymbolic()));
    }

    private static SymObject HandBlock()
    {
        var conv = new SymObject(typeof(ConvOp)) { ["Kernel"] = Hyper.OneOf(3, 5), ["Act"] = Hyper.OneOf(Act.Relu, Act.Gelu) };
        var pool = new SymObject(typeof(PoolOp)) { ["Kind"] = Hyper.OneOf("max", "avg") };
        return new SymObject(typeof(Block)) { ["Op"] = Hyper.OneOf(conv, pool, new SymObject(typeof(SkipOp))), ["Repeats"] = Hyper.Int(1, 2) };
    }

    [Fact]
    public void HandWrittenDslSpace_HasTheSameDnaSpec_AsTheGeneratedOne()
    {
        var hand = new SymObject(typeof(Network))
        {
            ["Stem"] = HandBlock(),
            ["Stages"] = Hyper.OneOf(new SymList(), SymList.Of(HandBlock()), SymList.Of(HandBlock(), HandBlock())),
            ["Head"] = new SymObject(typeof(Head)) { ["Classes"] = Hyper.OneOf(10, 100), ["Drops"] = Hyper.ManyOf(2, new[] { 0.1, 0.2, 0.3 }, sorted: true) },
            ["Width"] = Hyper.OneOf(16, 32, 64).Named("width"),
        };
        // Compared as text: SymbolicValues.AreEqual recurses forever on two SymLists (SymList is not a non-generic IList; reported).
        Assert.Equal(hand.Format(compact: false), Network.Space.Format(compact: false));
        var handSpec = Space.Spec(hand);
        var generated = Network.Spec;
        Assert.Equal(handSpec.SpaceSize, generated.SpaceSize);
        static List<(string, string?, BigInteger?, string)> Shape(SpaceSpec s) =>
            s.AllDecisions.Select(d => (d.Id, d.Name, d.SpaceSize, d.GetType().Name)).ToList();
        var shape = Shape(generated);
        Assert.Equal(Shape(handSpec), shape);
        Assert.Contains(shape, d => d.Item1 == "Stages[=2/3][1].Op[=0/3].Kernel");
        Assert.Contains(shape, d => d.Item1 == "Width" && d.Item2 == "width");
        var rng = new Random(11);
        for (int i = 0; i < 50; i++) Assert.Equal(handSpec.Random(new Random(i)), generated.Random(new Random(i)));
        _ = rng;
    }

    [Fact]
    public void WithMethods_ValidateAgainstTheSpace()
    {
        var conv = new ConvOp();
        Assert.Equal(5, conv.WithKernel(5).Kernel);
        Assert.Equal(3, conv.Kernel);
        var e = Assert.Throws<ArgumentException>(() => conv.WithKernel(4));
        Assert.Contains("ConvOp.Kernel", e.Message);
        Assert.Contains("3, 5", e.Message);
        Assert.Throws<ArgumentException>(() => conv.WithAct(Act.Swish));

        var block = new Block();
        Assert.IsType<PoolOp>(block.WithOp(new PoolOp { Kind = "avg" }).Op);
        Assert.Contains("Block.Op", Assert.Throws<ArgumentException>(() => block.WithOp(new PoolOp { Kind = "sum" })).Message);
        Assert.Contains("Block.Repeats", Assert.Throws<ArgumentException>(() => block.WithRepeats(3)).Message);

        var net = new Network();
        Assert.Equal(2, net.WithStages([new Block(), new Block()]).Stages.Count);
        Assert.Contains("0..2 items", Assert.Throws<ArgumentException>(() => net.WithStages([new Block(), new Block(), new Block()])).Message);

        var trainer = new Trainer("sgd");
        Assert.Equal("adam", trainer.WithOptimizer("adam").Optimizer);
        Assert.Contains("[0.0001, 0.1]", Assert.Throws<ArgumentException>(() => trainer.WithLearningRate(0.5)).Message);
        Assert.Contains("8..64 step 8", Assert.Throws<ArgumentException>(() => trainer.WithBatch(12)).Message);
        Assert.Throws<ArgumentException>(() => trainer.WithOrder(["a", "a", "b"]));
        Assert.Equal(new[] { "c", "a", "b" }, trainer.WithOrder(["c", "a", "b"]).Order);
    }

    [Fact]
    public void InvalidDna_IsRejected_WithTheDecisionNamed()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Head.Materialize(Dna.Parse("[5,[0,1]]")));
        Assert.Contains("Head.Classes", e.Message);
        Assert.ThrowsAny<ArgumentException>(() => Network.Materialize(Dna.Parse("[0,1]")));
    }

    [Fact]
    public void FixedMembers_KeepTheirInitialValue()
    {
        var block = Block.Materialize(Block.Spec.Random(new Random(1)));
        Assert.Equal("fixed", block.Label);
        Assert.DoesNotContain("Label", Block.Space.FieldNames);
    }
}

/// <summary>Property tests: random points of the spaces round-trip through the generated members.</summary>
public class RoundTripProperties
{
    [Fact]
    public void MaterializeThenEncode_IsIdentity_ForRandomPoints() =>
        Gen.Int.Sample(seed =>
        {
            var dna = Network.Spec.Random(new Random(seed));
            return Network.Materialize(dna).Encode().Equals(dna);
        }, iter: 2000);

    [Fact]
    public void GeneratedAndGeneric_AgreeOnRandomTrainers() =>
        Gen.Int.Sample(seed =>
        {
            var dna = Trainer.Spec.Random(new Random(seed));
            DeepEqual.Assert((Trainer)Trainer.Spec.Materialize(dna)!, Trainer.Materialize(dna));
        }, iter: 500);
}
