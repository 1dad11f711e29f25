using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms.Evolution;

namespace NasNotebooks.Runtime.Tests.Algorithms;

public class EvolutionOperationTests
{
    private static readonly SpaceSpec Spec = TestSpaces.Small();
    private static readonly IReadOnlyList<Individual> Pop =
        new[] { 3.0, 1, 4, 1, 5 }.Select((f, i) => new Individual(Spec.Enumerate().ElementAt(i), f)).ToList();

    private static double[] Apply(Operation op, int seed = 0) =>
        op.Apply(Pop, new OperationContext(Spec, new Random(seed))).Select(i => i.Fitness).ToArray();

    [Fact]
    public void Selectors_AreExact()
    {
        Assert.Equal(new[] { 5.0, 4 }, Apply(Select.Top(2)));
        Assert.Equal(new[] { 1.0, 1 }, Apply(Select.Bottom(2)));
        Assert.Equal(new[] { 3.0, 1 }, Apply(Select.First(2)));
        Assert.Equal(new[] { 1.0, 5 }, Apply(Select.Last(2)));
        Assert.Equal(3, Apply(Select.Random(3)).Distinct().Count() + (Apply(Select.Random(3)).Count(x => x == 1) > 1 ? 1 : 0));
        Assert.Equal(5, Apply(Select.Random(10)).Length);
        Assert.Equal(7, Apply(Select.Proportional(7)).Length);
        Assert.DoesNotContain(1.0, Apply(Select.Proportional(50))); // the minimum has weight 0
    }

    [Fact]
    public void Composition_PipeConcatRepeatProbability()
    {
        Assert.Equal(new[] { 3.0 }, Apply(Select.Top(3) | Select.Bottom(1)));
        Assert.Equal(new[] { 3.0, 5 }, Apply(Select.First(1) + Select.Last(1)));
        Assert.Equal(new[] { 5.0, 5, 5 }, Apply(Select.Top(1) * 3));
        Assert.Equal(new[] { 3.0, 1, 4, 1, 5 }, Apply(Select.Top(1).WithProbability(0)));
        Assert.Equal(new[] { 5.0 }, Apply(Select.Top(1).WithProbability(1)));
        Assert.Equal(Pop.Select(p => p.Fitness), Apply(Operation.Identity));
    }

    [Fact]
    public void MutatorsAndRecombinators_ProduceUnevaluatedValidChildren()
    {
        var ctx = new OperationContext(Spec, new Random(1));
        var kids = (Select.Top(1) | Mutate.Uniform()).Apply(Pop, ctx);
        Assert.Single(kids);
        Assert.Null(kids[0].Reward);
        Assert.NotEqual(Pop[4].Dna, kids[0].Dna);
        var pairs = Recombine.Uniform().Apply(Pop, ctx);
        Assert.Equal(2, pairs.Count);
        Assert.All(pairs, k => Spec.Validate(k.Dna));
        Assert.Single(Recombine.KPoint(1).Apply(Pop.Take(3).ToList(), ctx));
        Assert.Single(Recombine.Uniform().Apply(Pop.Take(1).ToList(), ctx)); // a lone parent passes through
    }

    [Fact]
    public void RegularizedEvolution_PopulationIsTheMostRecent_AndCustomPipelinesAreUsed()
    {
        var spec = TestSpaces.ConditionalEnumerable();
        int calls = 0;
        var custom = Select.Random(3) | Select.Top(1) | Operation.From((xs, c) => { calls++; return xs; }) | Mutate.Uniform();
        var evo = new RegularizedEvolution(5, 3, 0, custom);
        evo.Setup(spec);
        var fed = new List<Dna>();
        for (int i = 0; i < 12; i++)
        {
            var d = evo.Propose();
            evo.Feedback(d, i);
            fed.Add(d);
        }
        Assert.Equal(7, calls);
        Assert.Equal(fed.Skip(7), evo.Population.Select(p => p.Dna));
    }
}
