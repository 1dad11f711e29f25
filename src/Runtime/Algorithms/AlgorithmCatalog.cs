using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>
/// The built-in algorithms by name, as used by <c>#!nas search --algo NAME</c>, workers and
/// configuration files. A <c>+dedup</c> suffix wraps an algorithm in <see cref="Deduping"/>.
/// <c>auto</c> (<see cref="Resolve"/>) picks NSGA-II when the reward has several objectives; predictor-guided
/// evolution (<c>bananas</c>) when every decision of the space is a choice (categorical or integer,
/// conditional or not), whatever the budget: it found the best architectures per evaluation on
/// NAS-Bench-201, beat TPE on noisy, synthetic and other-column objectives at 100 evaluations, and at 1,000 and
/// 3,000 beat it on NK landscapes with and without noise and tied on noisy NAS-Bench-201 (bench/algorithms/README.md); its cost per
/// proposal stops growing at 2,000 trials (bounded bootstrap samples); and TPE otherwise: spaces with
/// floats (where bananas was not measured against TPE) or custom decisions (which its predictor does not see).
/// </summary>
/// <example><code>var algo = AlgorithmCatalog.Create("evolution+dedup", seed: 1);</code></example>
public static class AlgorithmCatalog
{
    private static readonly (string Name, string Description, Func<int, ISearchAlgorithm> Create)[] Entries =
    [
        ("random", "uniform random search", s => new RandomSearch(s)),
        ("grid", "every point of a finite space in order (resumable)", s => new GridSearch(s)),
        ("evolution", "regularized evolution (Real et al. 2019), population 20, tournament 5", s => new RegularizedEvolution(20, 5, s)),
        ("local_search", "local search over one-edit neighbourhoods with restarts (White et al. 2021)", s => new HillClimb(s)),
        ("tpe", "tree-structured Parzen estimator (Bergstra et al. 2011) that avoids repeats", s => new Tpe.Tpe(s)),
        ("tpe_multivariate", "multivariate TPE over all decisions jointly", s => new Tpe.Tpe(s, multivariate: true)),
        ("reinforce", "REINFORCE policy-gradient controller (Williams 1992)", s => new Reinforce(s)),
        ("ppo", "PPO policy-gradient controller (Schulman et al. 2017)", s => new Ppo(s)),
        ("nsga2", "NSGA-II for several objectives (Deb et al. 2002)", s => new Nsga2(20, s)),
        ("bananas", "predictor-guided evolution: boosted-tree ensemble scoring mutations of the top 20 (White et al. 2021)", s => new Predictor.PredictorGuidedEvolution(s)),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["local"] = "local_search", ["hill_climb"] = "local_search", ["tpe-mv"] = "tpe_multivariate", ["tpe_mv"] = "tpe_multivariate",
    };

    /// <summary>Canonical names, including <c>auto</c> (aliases: local, hill_climb, tpe-mv).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name), "auto"];

    /// <summary>One line per algorithm, for help texts.</summary>
    public static IReadOnlyList<(string Name, string Description)> Descriptions { get; } =
        [.. Entries.Select(e => (e.Name, e.Description)), ("auto", "nsga2 for several objectives; bananas for spaces of choices only; tpe otherwise")];

    /// <summary>True when <paramref name="name"/> (with an optional <c>+dedup</c>) names an algorithm.</summary>
    public static bool IsKnown(string name)
    {
        var (baseName, _) = Split(name);
        return baseName == "auto" || Entries.Any(e => e.Name == baseName);
    }

    /// <summary>The canonical name <paramref name="name"/> stands for (resolving aliases and <c>auto</c>; see the class remarks).</summary>
    /// <param name="name">An algorithm name or alias, optionally with <c>+dedup</c>.</param>
    /// <param name="spec">The space searched (<c>auto</c> without one picks TPE for single objectives).</param>
    /// <param name="objectives">Number of objectives of the reward.</param>
    /// <param name="trials">The budget in trials, when known (no rule depends on it since bananas' cost per proposal stopped growing with the history).</param>
    public static string Resolve(string name, SpaceSpec? spec = null, int objectives = 1, int? trials = null)
    {
        var (baseName, dedup) = Split(name);
        if (baseName == "auto")
            baseName = objectives > 1 ? "nsga2"
                : spec is not null && OnlyChoices(spec) ? "bananas"
                : "tpe";
        return dedup ? baseName + "+dedup" : baseName;
    }

    // Every decision is a choice (where bananas was measured to win); not floats (where it was not
    // measured against TPE) nor custom decisions (which its predictor does not see).
    private static bool OnlyChoices(SpaceSpec spec) =>
        spec.AllDecisions.Any() && spec.AllDecisions.All(d => d is ChoicesSpec);

    /// <summary>Creates an algorithm by name with a seed.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISearchAlgorithm Create(string name, int seed = 0, SpaceSpec? spec = null, int objectives = 1, int? trials = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var (baseName, dedup) = Split(Resolve(name, spec, objectives, trials));
        foreach (var e in Entries)
            if (e.Name == baseName)
            {
                var algo = e.Create(seed);
                return dedup ? new Deduping(algo, seed: seed) : algo;
            }
        throw new ArgumentException($"Unknown algorithm '{name}'. Known: {string.Join(", ", Names)} (append '+dedup' to never repeat a DNA).", nameof(name));
    }

    private static (string Name, bool Dedup) Split(string name)
    {
        var n = name.Trim();
        bool dedup = n.EndsWith("+dedup", StringComparison.OrdinalIgnoreCase);
        if (dedup) n = n[..^"+dedup".Length].Trim();
        n = n.ToLowerInvariant();
        return (Aliases.TryGetValue(n, out var canonical) ? canonical : n, dedup);
    }
}
