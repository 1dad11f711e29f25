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
    /// <summary>Every algorithm; <c>ParallelOnly</c> ones differ from another row only when trials run in parallel.</summary>
    public static readonly (string Name, Func<int, ISearchAlgorithm> Create, bool ParallelOnly)[] Catalog =
    [
        ("random", s => new RandomSearch(s), false),
        ("grid (enumeration order)", s => new GridSearch(s), false),
        ("evolution (P=100,S=10)", s => new RegularizedEvolution(100, 10, s), false),
        ("evolution (P=20,S=5)", s => new RegularizedEvolution(20, 5, s), false),
        ("local_search", s => new HillClimb(s), false),
        ("tpe", s => new Tpe(s), false),
        ("tpe (no constant liar)", s => new Tpe(s, constantLiar: false), true),
        ("tpe_multivariate", s => new Tpe(s, multivariate: true), false),
        ("tpe_multivariate (no constant liar)", s => new Tpe(s, multivariate: true, constantLiar: false), true),
        ("reinforce", s => new Reinforce(s), false),
        ("ppo", s => new Ppo(s), false),
        ("nsga2 (single objective)", s => new Nsga2(20, s), false),
        ("bananas (default: GBRT x5, Thompson/UCB alternating, 2 acquisition steps)", s => new PredictorGuidedEvolution(s), false),
        ("bananas (GBRT x5, UCB k=2)", s => new PredictorGuidedEvolution(s, acquisition: PredictorAcquisition.UpperConfidenceBound, acquisitionSteps: 0), false),
        ("bananas (GBRT x5, Thompson)", s => new PredictorGuidedEvolution(s, acquisition: PredictorAcquisition.ThompsonSampling), false),
    ];

    /// <summary>The sequential set used by the overhead benchmark (one bananas row: its variants cost the same).</summary>
    public static readonly (string Name, Func<int, ISearchAlgorithm> Create)[] All =
    [
        .. Catalog.Where(a => !a.ParallelOnly && (!a.Name.StartsWith("bananas", StringComparison.Ordinal) || a.Name.Contains("default", StringComparison.Ordinal))).Select(a => (a.Name, a.Create)),
        ("evolution (P=20,S=5)+dedup", s => new Deduping(new RegularizedEvolution(20, 5, s))),
        ("tpe+dedup", s => new Deduping(new Tpe(s))),
    ];
}
