using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;
using NasNotebooks.Runtime.Algorithms.Tpe;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Tests.Nb201;

namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>Behavioural checks: the learning algorithms beat random search at equal budgets.</summary>
public class SearchQualityTests
{
    /// <summary>Best valid accuracy found by <paramref name="algo"/> in <paramref name="budget"/> NB201 evaluations.</summary>
    internal static double BestValid(ISearchAlgorithm algo, int budget, Nb201Table table)
    {
        algo.Setup(Nb201Space.Spec());
        double best = double.NegativeInfinity;
        for (int t = 0; t < budget; t++)
        {
            var dna = algo.Propose();
            double v = table[dna].ValidAccuracy;
            best = Math.Max(best, v);
            algo.Feedback(dna, v);
        }
        return best;
    }

    [Nb201Fact]
    public void Evolution_BeatsRandom_OnNb201_Over20Seeds()
    {
        var table = Nb201TestData.Table;
        double evo = Enumerable.Range(0, 20).Average(s => BestValid(new RegularizedEvolution(20, 5, s), 150, table));
        double rnd = Enumerable.Range(0, 20).Average(s => BestValid(new RandomSearch(s), 150, table));
        Assert.True(evo > rnd, $"evolution {evo:F3} vs random {rnd:F3}");
    }

    [Nb201Fact]
    public void LocalSearch_BeatsRandom_OnNb201_Over20Seeds()
    {
        var table = Nb201TestData.Table;
        double ls = Enumerable.Range(0, 20).Average(s => BestValid(new HillClimb(s), 150, table));
        double rnd = Enumerable.Range(0, 20).Average(s => BestValid(new RandomSearch(s), 150, table));
        Assert.True(ls > rnd, $"local search {ls:F3} vs random {rnd:F3}");
    }

    [Nb201Fact]
    public void Nsga2_FrontIsNonDominated_AndHypervolumeBeatsRandom_AccuracyVsParams()
    {
        var table = Nb201TestData.Table;
        var reference = (X: 10.0, Y: -2.0); // accuracy %, -params in millions
        double Hv(ISearchAlgorithm algo, out IReadOnlyList<Individual> front)
        {
            algo.Setup(Nb201Space.Spec());
            var all = new List<Individual>();
            for (int t = 0; t < 300; t++)
            {
                var dna = algo.Propose();
                var r = table[dna];
                var reward = new Reward(r.ValidAccuracy, -r.Params / 1e6);
                algo.Feedback(dna, reward);
                all.Add(new Individual(dna, reward));
            }
            front = Nsga2.ParetoFront(all);
            foreach (var p in front)
                Assert.DoesNotContain(all, q => Nsga2.Dominates(q.Reward!.Value.Values, p.Reward!.Value.Values));
            return Nsga2.Hypervolume2D(front.Select(i => i.Reward!.Value.Values), reference);
        }
        double nsga = 0, rnd = 0;
        for (int s = 0; s < 5; s++)
        {
            var algo = new Nsga2(30, s);
            nsga += Hv(algo, out _);
            // The final population's first front is mutually non-dominated.
            var popFront = Nsga2.ParetoFront(algo.Population);
            Assert.NotEmpty(popFront);
            foreach (var a in popFront)
                foreach (var b in popFront)
                    Assert.False(Nsga2.Dominates(a.Reward!.Value.Values, b.Reward!.Value.Values));
            rnd += Hv(new RandomSearch(s), out _);
        }
        Assert.True(nsga > rnd, $"NSGA-II hypervolume {nsga / 5:F4} vs random {rnd / 5:F4}");
    }

    // Mixed categorical + log float + conditional: the optimizer branch decides which decisions exist.
    private static double Synthetic(SpaceSpec spec, Dna dna)
    {
        var v = (IReadOnlyDictionary<string, object?>)spec.Materialize(dna)!;
        var opt = (IReadOnlyDictionary<string, object?>)v["opt"]!;
        double lr = Convert.ToDouble(opt["lr"]);
        double f = -Math.Pow(Math.Log10(lr) + 3, 2);
        f += (string)opt["name"]! == "sgd" ? -4 * Math.Pow(Convert.ToDouble(opt["momentum"]) - 0.9, 2) : -0.3;
        f -= Convert.ToInt32(v["act"]) == 2 ? 0 : 1;
        f -= Math.Abs(Convert.ToInt32(v["width"]) - 12) / 4.0;
        return f;
    }

    private static double BestSynthetic(ISearchAlgorithm algo, SpaceSpec spec, int budget)
    {
        algo.Setup(spec);
        double best = double.NegativeInfinity;
        for (int t = 0; t < budget; t++)
        {
            var dna = algo.Propose();
            double f = Synthetic(spec, dna);
            best = Math.Max(best, f);
            algo.Feedback(dna, f);
        }
        return best;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tpe_BeatsRandom_OnAMixedConditionalFunction(bool multivariate)
    {
        var spec = TestSpaces.ConditionalWithFloats();
        double tpe = Enumerable.Range(0, 10).Average(s => BestSynthetic(new Tpe(s, multivariate: multivariate), spec, 60));
        double rnd = Enumerable.Range(0, 10).Average(s => BestSynthetic(new RandomSearch(s), spec, 60));
        Assert.True(tpe > rnd + 0.1, $"TPE {tpe:F3} vs random {rnd:F3}");
    }

    [Fact]
    public void Tpe_ConditionalObservations_ComeOnlyFromTrialsWhereActive()
    {
        // Only 'adam' trials are fed back: the sgd-only momentum decision has no observations, so TPE
        // samples it from its prior (uniform) while lr concentrates near the good region.
        var spec = TestSpaces.ConditionalWithFloats();
        var tpe = new Tpe(0, startupTrials: 5);
        tpe.Setup(spec);
        var rng = new Random(0);
        for (int i = 0; i < 40; i++)
        {
            var d = spec.Random(rng);
            tpe.Feedback(d, Synthetic(spec, d));
        }
        for (int i = 0; i < 20; i++) spec.Validate(tpe.Propose());
    }

    private static double Expected(Policy policy, SpaceSpec spec) =>
        spec.DecisionPoints.Cast<ChoicesSpec>().Sum(c => policy.Probabilities(c)[3]);

    private static SpaceSpec Categorical() => Space.Spec(Space.Dict()
        .OneOf("a", 0, 1, 2, 3, 4).OneOf("b", 0, 1, 2, 3, 4).OneOf("c", 0, 1, 2, 3, 4).OneOf("d", 0, 1, 2, 3, 4).Build());

    private static double Count3(Dna dna) => dna.Children.Count(c => c.Index == 3);

    [Fact]
    public void Reinforce_ImprovesExpectedReward_OnACategoricalProblem()
    {
        var spec = Categorical();
        var algo = new Reinforce(1);
        algo.Setup(spec);
        double before = Expected(algo.Policy, spec);
        Assert.Equal(0.8, before, 9);
        for (int t = 0; t < 200; t++) { var d = algo.Propose(); algo.Feedback(d, Count3(d)); }
        double after = Expected(algo.Policy, spec);
        Assert.True(after > 2.5, $"expected reward {before:F2} -> {after:F2}");
    }

    [Fact]
    public void Ppo_ImprovesExpectedReward_OnACategoricalProblem()
    {
        var spec = Categorical();
        var algo = new Ppo(1, batchSize: 10);
        algo.Setup(spec);
        double before = Expected(algo.Policy, spec);
        for (int t = 0; t < 200; t++) { var d = algo.Propose(); algo.Feedback(d, Count3(d)); }
        double after = Expected(algo.Policy, spec);
        Assert.True(after > 2.0, $"expected reward {before:F2} -> {after:F2}");
    }

    [Fact]
    public void Reinforce_LearnsAFloatMean()
    {
        var spec = Space.Spec(Space.Dict().Float("x", 0, 1).Build());
        var algo = new Reinforce(2, learningRate: 0.05);
        algo.Setup(spec);
        for (int t = 0; t < 400; t++) { var d = algo.Propose(); algo.Feedback(d, -Math.Abs(d.FloatValue - 0.85)); }
        var (mean, _) = algo.Policy.Gaussian((FloatSpec)spec["x"]);
        Assert.InRange(mean, 0.7, 1.0);
    }

    [Fact]
    public void HillClimb_ReachesTheOptimum_OfAUnimodalFunction_AndRestarts()
    {
        var spec = Categorical();
        var algo = new HillClimb(3);
        algo.Setup(spec);
        double best = double.NegativeInfinity;
        for (int t = 0; t < 400; t++)
        {
            var d = algo.Propose();
            double f = -d.Children.Sum(c => Math.Abs(c.Index - 3));
            best = Math.Max(best, f);
            algo.Feedback(d, f);
        }
        Assert.Equal(0, best);
        Assert.True(algo.Restarts >= 1);
    }
}
