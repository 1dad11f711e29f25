using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>
/// The algorithms by name, as used by <c>#!nas search --algo NAME</c> and the study worker.
/// <c>auto</c> picks one from the space: NSGA-II for several objectives; TPE (multivariate) when the
/// space has float or custom decisions; otherwise (categorical/integer spaces, the usual NAS cell)
/// regularized evolution with duplicate-free proposals.
/// </summary>
public static class AlgorithmCatalog
{
    private static readonly (string Name, string Description, Func<int, ISearchAlgorithm> Create)[] Entries =
    [
        ("random", "uniform random search", s => new RandomSearch(s)),
        ("grid", "every point of a finite space in order (resumable)", s => new GridSearch(s)),
        ("evolution", "regularized evolution (Real et al. 2019), population 20, tournament 5, no repeats", s => new Deduping(new RegularizedEvolution(20, 5, s), seed: s)),
        ("local", "local search over one-edit neighbourhoods with restarts (White et al. 2021)", s => new HillClimb(s)),
        ("tpe", "tree-structured Parzen estimator (Bergstra et al. 2011), no repeats", s => new Tpe.Tpe(s)),
        ("tpe-mv", "multivariate TPE over all decisions jointly", s => new Tpe.Tpe(s, multivariate: true)),
        ("reinforce", "REINFORCE policy-gradient controller", s => new Deduping(new Reinforce(s), seed: s)),
        ("ppo", "PPO policy-gradient controller", s => new Deduping(new Ppo(s), seed: s)),
        ("nsga2", "NSGA-II for several objectives (Deb et al. 2002)", s => new Nsga2(20, s)),
    ];

    /// <summary>Accepted names, including <c>auto</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name), "auto"];

    /// <summary>One line per algorithm, for help texts.</summary>
    public static IReadOnlyList<(string Name, string Description)> Descriptions { get; } =
        [.. Entries.Select(e => (e.Name, e.Description)), ("auto", "picks by space: nsga2 (several objectives), tpe-mv (floats), evolution (categorical)")];

    /// <summary>The name <c>auto</c> resolves to for this space and number of objectives.</summary>
    public static string Resolve(string name, SpaceSpec? spec, int objectives = 1)
    {
        if (name != "auto") return name;
        if (objectives > 1) return "nsga2";
        if (spec is not null && spec.DecisionPoints.Any(d => d is FloatSpec or CustomSpec)) return "tpe-mv";
        return "evolution";
    }

    /// <summary>Creates an algorithm by name with a seed.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISearchAlgorithm Create(string name, int seed = 0, SpaceSpec? spec = null, int objectives = 1)
    {
        var resolved = Resolve(name, spec, objectives);
        foreach (var e in Entries) if (e.Name == resolved) return e.Create(seed);
        throw new ArgumentException($"Unknown algorithm '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
    }
}
