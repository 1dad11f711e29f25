using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;
using NasNotebooks.Runtime.Algorithms.Tpe;

namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>What every algorithm must do: valid DNAs on conditional and float spaces, exact recovery, reproducibility, clear option errors.</summary>
public class AlgorithmContractTests
{
    private static List<(Dna, Reward)> Run(ISearchAlgorithm algo, SpaceSpec spec, int trials)
    {
        var history = new List<(Dna, Reward)>();
        for (int t = 0; t < trials; t++)
        {
            var dna = algo.Propose();
            spec.Validate(dna);
            Reward r = TestSpaces.Score(spec, dna);
            algo.Feedback(dna, r);
            history.Add((dna, r));
        }
        return history;
    }

    [Theory]
    [MemberData(nameof(TestSpaces.AlgorithmNamesWithGrid), MemberType = typeof(TestSpaces))]
    public void ProposesValidDnas_OnAConditionalSpace(string name)
    {
        var spec = TestSpaces.ConditionalEnumerable();
        var algo = TestSpaces.Create(name, 1);
        algo.Setup(spec);
        var history = Run(algo, spec, 40);
        Assert.True(history.Select(h => h.Item1).Distinct().Count() > 5, $"{name} explored too little");
        // Conditional branches other than the first get visited (the grid walks them in order).
        if (name != "grid") Assert.Contains(history, h => spec.ToDictionary(h.Item1).ContainsKey("block[=1/3].size"));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.AlgorithmNames), MemberType = typeof(TestSpaces))]
    public void ProposesValidDnas_OnFloatAndPermutationSpaces(string name)
    {
        foreach (var spec in new[] { TestSpaces.Floats(), TestSpaces.ConditionalWithFloats() })
        {
            var algo = TestSpaces.Create(name, 2);
            algo.Setup(spec);
            var history = Run(algo, spec, 40);
            // Floats make repeats unlikely; categorical mutations may revisit a few points.
            Assert.True(history.Select(h => h.Item1).Distinct().Count() >= 30, $"{name}: too many repeats");
        }
    }

    [Theory]
    [MemberData(nameof(TestSpaces.AlgorithmNamesWithGrid), MemberType = typeof(TestSpaces))]
    public void Recover_ContinuesExactlyLikeTheUninterruptedRun(string name)
    {
        // Grid enumerates, so it cannot take float decisions; every other algorithm is checked on both spaces.
        foreach (var spec in name == "grid" ? [TestSpaces.ConditionalEnumerable()] : new[] { TestSpaces.ConditionalEnumerable(), TestSpaces.ConditionalWithFloats() })
            RecoverMatches(name, spec);
    }

    private static void RecoverMatches(string name, SpaceSpec spec)
    {
        var a = TestSpaces.Create(name, 7);
        a.Setup(spec);
        var history = Run(a, spec, 23);
        var b = TestSpaces.Create(name, 7);
        b.Setup(spec);
        b.Recover(history);
        for (int i = 0; i < 6; i++)
        {
            var da = a.Propose();
            var db = b.Propose();
            Assert.Equal(da, db);
            Reward r = TestSpaces.Score(spec, da);
            a.Feedback(da, r);
            b.Feedback(db, r);
        }
    }

    [Theory]
    [MemberData(nameof(TestSpaces.AlgorithmNames), MemberType = typeof(TestSpaces))]
    public void SameSeed_SameProposals_OtherSeed_Differs(string name)
    {
        var spec = TestSpaces.ConditionalWithFloats();
        List<Dna> Proposals(int seed)
        {
            var algo = TestSpaces.Create(name, seed);
            algo.Setup(spec);
            return Run(algo, spec, 30).Select(h => h.Item1).ToList();
        }
        Assert.Equal(Proposals(3), Proposals(3));
        Assert.NotEqual(Proposals(3), Proposals(4));
    }

    [Fact]
    public void ProposeBeforeSetup_SaysSo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new RandomSearch().Propose());
        Assert.Contains("Setup", e.Message);
    }

    public static IEnumerable<object[]> BadOptions() =>
    [
        [(Action)(() => new RegularizedEvolution(populationSize: 0)), "populationSize"],
        [(Action)(() => new RegularizedEvolution(populationSize: 10, tournamentSize: 11)), "tournamentSize"],
        [(Action)(() => new HillClimb(initialRandom: 0)), "initialRandom"],
        [(Action)(() => new HillClimb(floatStep: 0)), "floatStep"],
        [(Action)(() => new Nsga2(populationSize: 1)), "populationSize"],
        [(Action)(() => new Nsga2(crossoverProbability: 1.5)), "crossoverProbability"],
        [(Action)(() => new Tpe(gamma: 0)), "gamma"],
        [(Action)(() => new Tpe(candidates: 0)), "candidates"],
        [(Action)(() => new Tpe(startupTrials: -1)), "startupTrials"],
        [(Action)(() => new Tpe(priorWeight: -1)), "priorWeight"],
        [(Action)(() => new Reinforce(learningRate: 0)), "learningRate"],
        [(Action)(() => new Reinforce(baselineDecay: 1)), "baselineDecay"],
        [(Action)(() => new Ppo(batchSize: 0)), "batchSize"],
        [(Action)(() => new Ppo(clip: 1)), "clip"],
        [(Action)(() => new Ppo(epochs: 0)), "epochs"],
        [(Action)(() => new Deduping(new RandomSearch(), maxRetries: 0)), "maxRetries"],
        [(Action)(() => Select.Top(0)), "n"],
        [(Action)(() => Recombine.KPoint(0)), "k"],
        [(Action)(() => Mutate.Uniform().WithProbability(2)), "probability"],
        [(Action)(() => new Pbt(TestSpaces.Floats(), interval: 0)), "interval"],
        [(Action)(() => new Pbt(TestSpaces.Floats(), quantile: 0.7)), "quantile"],
        [(Action)(() => new Pbt(TestSpaces.Floats(), resampleProbability: -0.1)), "resampleProbability"],
    ];

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void BadOptions_ThrowArgumentException_NamingTheOption(Action create, string option)
    {
        var e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(option, e.ParamName);
        Assert.Contains($"'{option}'", e.Message);
    }
}
