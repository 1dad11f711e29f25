using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Runtime.Tests.Algorithms;

public class DnaOpsTests
{
    [Fact]
    public void Active_ListsOnlyTheChosenBranch()
    {
        var spec = TestSpaces.ConditionalEnumerable();
        var dna = spec.FromDictionary(new Dictionary<string, object?>
        {
            ["block"] = 1, ["block[=1/3].size"] = 1, ["extras[0]"] = 2, ["extras[1]"] = 0, ["act"] = 1,
        });
        var ids = DnaOps.Active(spec, dna).Select(a => a.Decision.Id).ToList();
        Assert.Equal(spec.ToDictionary(dna).Keys, ids);
        Assert.DoesNotContain("block[=0/3].k", ids);
    }

    [Fact]
    public void Mutate_ChangesExactlyOneDecision_OnAFlatSpace()
    {
        var spec = Nb201Space.Spec();
        var rng = new Random(1);
        for (int i = 0; i < 200; i++)
        {
            var dna = spec.Random(rng);
            var m = DnaOps.Mutate(spec, dna, rng);
            spec.Validate(m);
            Assert.Equal(1, dna.Children.Zip(m.Children).Count(p => p.First != p.Second));
        }
    }

    [Fact]
    public void Mutate_SamplesNewlyActivatedConditionalDecisions_AndKeepsManyOfDistinct()
    {
        var spec = TestSpaces.ConditionalEnumerable();
        var rng = new Random(2);
        var seenBranches = new HashSet<int>();
        var dna = spec.First();
        for (int i = 0; i < 300; i++)
        {
            dna = DnaOps.Mutate(spec, dna, rng);
            spec.Validate(dna);
            seenBranches.Add((int)spec.ToDictionary(dna)["block"]!);
        }
        Assert.Equal(3, seenBranches.Count);
    }

    [Fact]
    public void Neighbours_OfAnNb201Cell_AreThe24OneEditCells()
    {
        var spec = Nb201Space.Spec();
        var dna = spec.Random(new Random(3));
        var n = DnaOps.Neighbours(spec, dna, new Random(0));
        Assert.Equal(24, n.Count);
        Assert.Equal(24, n.Distinct().Count());
        Assert.All(n, d => Assert.Equal(1, dna.Children.Zip(d.Children).Count(p => p.First != p.Second)));
    }

    [Fact]
    public void Neighbours_OfFloats_StepOnTheDecisionScale()
    {
        var spec = Space.Spec(Space.Dict().Float("lr", 1e-4, 1, Scale.Log).Build());
        var n = DnaOps.Neighbours(spec, new Dna(1e-2), new Random(0), floatStep: 0.25);
        Assert.Equal(new[] { 1e-3, 1e-1 }, n.Select(d => Math.Round(d.FloatValue, 12)));
    }

    [Fact]
    public void Crossovers_GiveValidChildren_MadeOfParentValues()
    {
        var spec = Nb201Space.Spec();
        var rng = new Random(4);
        for (int i = 0; i < 100; i++)
        {
            var a = spec.Random(rng);
            var b = spec.Random(rng);
            foreach (var c in new[] { DnaOps.Crossover(spec, a, b, rng), DnaOps.KPointCrossover(spec, a, b, 2, rng) })
            {
                spec.Validate(c);
                for (int e = 0; e < 6; e++) Assert.True(c.Children[e] == a.Children[e] || c.Children[e] == b.Children[e]);
            }
        }
    }

    [Fact]
    public void OrderCrossover_Ox1_Example()
    {
        Assert.Equal(new[] { 6, 5, 2, 3, 4, 1, 0, 7 }, DnaOps.Ox([0, 1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1, 0], 2, 4));
    }

    [Fact]
    public void PartiallyMappedCrossover_Pmx_TextbookExample()
    {
        int[] pa = [1, 2, 3, 4, 5, 6, 7, 8, 9], pb = [9, 3, 7, 8, 2, 6, 5, 1, 4];
        Assert.Equal(new[] { 9, 3, 2, 4, 5, 6, 7, 1, 8 }, DnaOps.Pmx(pa, pb, 3, 6));
    }

    [Fact]
    public void PermutationOperators_KeepPermutationsValid()
    {
        var spec = Space.Spec(Space.Dict().Permutation("order", Enumerable.Range(0, 6)).OneOf("x", 1, 2).Build());
        var rng = new Random(5);
        for (int i = 0; i < 100; i++)
        {
            var a = spec.Random(rng);
            var b = spec.Random(rng);
            spec.Validate(DnaOps.PermutationCrossover(spec, a, b, pmx: true, rng));
            spec.Validate(DnaOps.PermutationCrossover(spec, a, b, pmx: false, rng));
            var s = DnaOps.SwapMutate(spec, a, rng);
            spec.Validate(s);
            var pa = a.Children[0].Children.Select(c => c.Index).ToArray();
            var ps = s.Children[0].Children.Select(c => c.Index).ToArray();
            Assert.Equal(2, pa.Zip(ps).Count(p => p.First != p.Second));
            spec.Validate(DnaOps.Mutate(spec, a, rng));
        }
    }
}
