using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;
using NasNotebooks.Runtime.Algorithms.Predictor;
using NasNotebooks.Runtime.Algorithms.Tpe;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>The algorithms compared by the benchmarks, by display name, built from a seed.</summary>
internal static class BenchmarkedAlgorithms
{
    public static readonly (string Name, Func<int, ISearchAlgorithm> Create)[] All =
    [
        ("random", s => new RandomSearch(s)),
        ("grid (enumeration order)", s => new GridSearch(s)),
        ("evolution (P=100,S=10)", s => new RegularizedEvolution(100, 10, s)),
        ("evolution (P=20,S=5)", s => new RegularizedEvolution(20, 5, s)),
        ("evolution (P=20,S=5)+dedup", s => new Deduping(new RegularizedEvolution(20, 5, s))),
        ("local_search", s => new HillClimb(s)),
        ("tpe", s => new Tpe(s)),
        ("tpe+dedup", s => new Deduping(new Tpe(s))),
        ("tpe_multivariate", s => new Tpe(s, multivariate: true)),
        ("reinforce", s => new Reinforce(s)),
        ("ppo", s => new Ppo(s)),
        ("nsga2 (single objective)", s => new Nsga2(20, s)),
        ("bananas (GBRT x5, UCB k=2; default)", s => new PredictorGuidedEvolution(s)),
        ("bananas (GBRT x5, Thompson)", s => new PredictorGuidedEvolution(s, acquisition: PredictorAcquisition.ThompsonSampling)),
    ];
}
