using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;
using NasNotebooks.Runtime.Algorithms.Tpe;

namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>Spaces, objectives and algorithm factories shared by the algorithm tests.</summary>
public static class TestSpaces
{
    /// <summary>6 DNAs: a ∈ {1,2}, b ∈ {x,y,z}.</summary>
    public static SpaceSpec Small() => Space.Spec(Space.Dict().OneOf("a", 1, 2).OneOf("b", "x", "y", "z").Build());

    /// <summary>A conditional space without floats (enumerable): block is conv(k, n) or pool(size) or identity; plus a distinct ManyOf.</summary>
    public static SpaceSpec ConditionalEnumerable() => Space.Spec(Space.Dict()
        .OneOf("block",
            Space.Dict().Add("type", "conv").OneOf("k", 3, 5, 7).Int("n", 1, 4).Build(),
            Space.Dict().Add("type", "pool").OneOf("size", 2, 3).Build(),
            "identity")
        .ManyOf("extras", 2, new[] { "a", "b", "c", "d" })
        .OneOf("act", "relu", "gelu")
        .Build());

    /// <summary>A conditional space with floats (log and linear) in a conditional branch, and a permutation.</summary>
    public static SpaceSpec ConditionalWithFloats() => Space.Spec(Space.Dict()
        .OneOf("opt",
            Space.Dict().Add("name", "sgd").Float("lr", 1e-5, 1, Scale.Log).Float("momentum", 0, 1).Build(),
            Space.Dict().Add("name", "adam").Float("lr", 1e-5, 1, Scale.Log).Build())
        .Int("width", 1, 16)
        .OneOf("act", 0, 1, 2, 3, 4)
        .Permutation("order", new[] { 0, 1, 2, 3 })
        .Build());

    /// <summary>Only floats.</summary>
    public static SpaceSpec Floats() => Space.Spec(Space.Dict().Float("x", -2, 2).Float("y", 1e-3, 10, Scale.Log).Float("z", 0.01, 1, Scale.ReverseLog).Build());

    /// <summary>A cheap deterministic objective over any DNA: sums choice indices and float values (normalized).</summary>
    public static double Score(SpaceSpec spec, Dna dna)
    {
        double s = 0;
        foreach (var (dp, v) in DnaOps.Active(spec, dna))
            s += dp switch
            {
                FloatSpec f => f.Normalize(v.FloatValue) * 3,
                ChoicesSpec c => v.Index * (1 + c.Id.Length % 3) / (double)c.CandidateCount,
                _ => 0,
            };
        return s;
    }

    public static readonly Dictionary<string, Func<int, ISearchAlgorithm>> Algorithms = new()
    {
        ["random"] = s => new RandomSearch(s),
        ["evolution"] = s => new RegularizedEvolution(10, 3, s),
        ["evolution_crossover"] = s => new RegularizedEvolution(10, 3, s,
            (Select.Random(4) | Select.Top(2) | Recombine.Uniform() | Mutate.Uniform().WithProbability(0.5))
            + (Select.Random(3) | Select.Top(1) | Recombine.KPoint(2) | Mutate.Swap())),
        ["local_search"] = s => new HillClimb(s, initialRandom: 3),
        ["nsga2"] = s => new Nsga2(10, s),
        ["tpe"] = s => new Tpe(s, startupTrials: 5),
        ["tpe_multivariate"] = s => new Tpe(s, startupTrials: 5, multivariate: true),
        ["reinforce"] = s => new Reinforce(s),
        ["ppo"] = s => new Ppo(s, batchSize: 5),
        ["dedup_evolution"] = s => new Deduping(new RegularizedEvolution(10, 3, s)),
        ["bananas"] = s => new Runtime.Algorithms.Predictor.PredictorGuidedEvolution(s, initialRandom: 5, candidates: 30),
    };

    public static IEnumerable<object[]> AlgorithmNames => Algorithms.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> AlgorithmNamesWithGrid => AlgorithmNames.Append(["grid"]);

    public static ISearchAlgorithm Create(string name, int seed) => name == "grid" ? new GridSearch(seed) : Algorithms[name](seed);
}
