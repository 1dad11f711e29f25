using NasNotebooks.Runtime.Algorithms.Controllers;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Local;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>
/// The built-in algorithms by name (for magics and configuration files), with default options.
/// A <c>+dedup</c> suffix wraps the algorithm in <see cref="Deduping"/>.
/// </summary>
/// <example><code>var algo = SearchAlgorithms.Create("evolution+dedup", seed: 1);</code></example>
public static class SearchAlgorithms
{
    private static readonly Dictionary<string, Func<int, ISearchAlgorithm>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["random"] = s => new RandomSearch(s),
        ["grid"] = s => new GridSearch(s),
        ["evolution"] = s => new RegularizedEvolution(seed: s),
        ["local_search"] = s => new HillClimb(s),
        ["hill_climb"] = s => new HillClimb(s),
        ["nsga2"] = s => new Nsga2(seed: s),
        ["tpe"] = s => new Tpe.Tpe(s),
        ["tpe_multivariate"] = s => new Tpe.Tpe(s, multivariate: true),
        ["reinforce"] = s => new Reinforce(s),
        ["ppo"] = s => new Ppo(s),
    };

    /// <summary>The known names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Creates an algorithm by name.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ISearchAlgorithm Create(string name, int seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        bool dedup = name.EndsWith("+dedup", StringComparison.OrdinalIgnoreCase);
        var baseName = dedup ? name[..^"+dedup".Length] : name;
        if (!Factories.TryGetValue(baseName.Trim(), out var create))
            throw new ArgumentException($"Unknown search algorithm '{name}'. Known: {string.Join(", ", Factories.Keys)} (append '+dedup' to never repeat a DNA).", nameof(name));
        var algo = create(seed);
        return dedup ? new Deduping(algo, seed: seed) : algo;
    }
}
