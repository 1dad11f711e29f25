using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Evolution;

/// <summary>
/// NSGA-II, Deb, Pratap, Agarwal &amp; Meyarivan, "A Fast and Elitist Multiobjective Genetic
/// Algorithm: NSGA-II", IEEE TEC 2002, over multi-objective rewards (every objective maximized).
/// The first <c>populationSize</c> proposals are random; then offspring come from binary tournaments
/// on (non-domination rank, crowding distance), uniform crossover with probability
/// <c>crossoverProbability</c> and uniform mutation. When a generation's offspring are all
/// evaluated, parents and offspring are merged and the best <c>populationSize</c> by rank and
/// crowding survive.
/// </summary>
public sealed class Nsga2 : SearchAlgorithmBase
{
    private readonly List<Individual> _population = [];
    private readonly List<Individual> _offspring = [];
    private readonly List<Individual> _all = [];
    private readonly double _crossover;
    private int[] _rank = [];
    private double[] _crowding = [];
    private int _proposed;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="populationSize">Parents kept per generation (at least 2).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="crossoverProbability">Probability of uniform crossover before mutation, in [0, 1].</param>
    public Nsga2(int populationSize = 50, int seed = 0, double crossoverProbability = 0.9) : base(seed)
    {
        Require(populationSize >= 2, nameof(populationSize), "at least 2", populationSize);
        Require(crossoverProbability is >= 0 and <= 1, nameof(crossoverProbability), "in [0, 1]", crossoverProbability);
        PopulationSize = populationSize;
        _crossover = crossoverProbability;
    }

    /// <inheritdoc />
    public override string Name => "nsga2";

    /// <summary>Population size.</summary>
    public int PopulationSize { get; }

    /// <summary>The current parent population (after the last environmental selection).</summary>
    public IReadOnlyList<Individual> Population => _population;

    /// <summary>The non-dominated individuals among everything evaluated so far.</summary>
    public IReadOnlyList<Individual> ParetoFront() => ParetoFront(_all);

    /// <summary>The non-dominated members of <paramref name="individuals"/> (duplicates by DNA removed).</summary>
    public static IReadOnlyList<Individual> ParetoFront(IReadOnlyList<Individual> individuals)
    {
        var fronts = NonDominatedSort(individuals.Select(i => Objectives(i)).ToList());
        var seen = new HashSet<Dna>();
        return fronts.Count == 0 ? [] : fronts[0].Select(i => individuals[i]).Where(i => seen.Add(i.Dna)).ToList();
    }

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _population.Clear(); _offspring.Clear(); _all.Clear();
        _rank = []; _crowding = [];
        _proposed = 0;
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        var spec = Spec;
        _proposed++;
        if (_population.Count == 0) return spec.Random(Rng);
        var a = Tournament();
        var b = Tournament();
        var child = Rng.NextDouble() < _crossover ? DnaOps.Crossover(spec, a.Dna, b.Dna, Rng) : a.Dna;
        return DnaOps.Mutate(spec, child, Rng);
    }

    private Individual Tournament()
    {
        int i = Rng.Next(_population.Count), j = Rng.Next(_population.Count);
        if (_rank[i] != _rank[j]) return _rank[i] < _rank[j] ? _population[i] : _population[j];
        return _crowding[i] >= _crowding[j] ? _population[i] : _population[j];
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        _ = Spec;
        var ind = new Individual(dna, reward);
        _all.Add(ind);
        _offspring.Add(ind);
        if (_offspring.Count < PopulationSize) return;
        var merged = new List<Individual>(_population.Count + _offspring.Count);
        merged.AddRange(_population);
        merged.AddRange(_offspring);
        _offspring.Clear();
        var objs = merged.Select(Objectives).ToList();
        var fronts = NonDominatedSort(objs);
        _population.Clear();
        var ranks = new List<int>();
        var crowd = new List<double>();
        for (int f = 0; f < fronts.Count && _population.Count < PopulationSize; f++)
        {
            var front = fronts[f];
            var dist = CrowdingDistance(front.Select(i => objs[i]).ToList());
            var order = Enumerable.Range(0, front.Count).OrderByDescending(k => dist[k]).ThenBy(k => front[k]).ToList();
            foreach (var k in order)
            {
                if (_population.Count >= PopulationSize) break;
                _population.Add(merged[front[k]]);
                ranks.Add(f);
                crowd.Add(dist[k]);
            }
        }
        _rank = ranks.ToArray();
        _crowding = crowd.ToArray();
    }

    private static double[] Objectives(Individual i) => i.Reward is { } r ? r.Values.ToArray() : [double.NegativeInfinity];

    /// <summary>True when <paramref name="a"/> dominates <paramref name="b"/> (all objectives maximized).</summary>
    public static bool Dominates(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"Rewards have different numbers of objectives ({a.Count} vs {b.Count}).");
        bool better = false;
        for (int k = 0; k < a.Count; k++)
        {
            if (a[k] < b[k]) return false;
            if (a[k] > b[k]) better = true;
        }
        return better;
    }

    /// <summary>Fast non-dominated sort: the indices of each front, best front first.</summary>
    public static List<List<int>> NonDominatedSort(IReadOnlyList<double[]> objectives)
    {
        int n = objectives.Count;
        var dominated = new List<int>[n];
        var count = new int[n];
        var fronts = new List<List<int>> { new() };
        for (int p = 0; p < n; p++)
        {
            dominated[p] = [];
            for (int q = 0; q < n; q++)
            {
                if (p == q) continue;
                if (Dominates(objectives[p], objectives[q])) dominated[p].Add(q);
                else if (Dominates(objectives[q], objectives[p])) count[p]++;
            }
            if (count[p] == 0) fronts[0].Add(p);
        }
        int i = 0;
        while (fronts[i].Count > 0)
        {
            var next = new List<int>();
            foreach (var p in fronts[i])
                foreach (var q in dominated[p])
                    if (--count[q] == 0) next.Add(q);
            i++;
            fronts.Add(next);
        }
        fronts.RemoveAt(fronts.Count - 1);
        return fronts;
    }

    /// <summary>Crowding distance of each member of one front (boundary points get +infinity).</summary>
    public static double[] CrowdingDistance(IReadOnlyList<double[]> front)
    {
        int n = front.Count;
        var d = new double[n];
        if (n == 0) return d;
        int m = front[0].Length;
        for (int k = 0; k < m; k++)
        {
            var order = Enumerable.Range(0, n).OrderBy(i => front[i][k]).ToArray();
            double lo = front[order[0]][k], hi = front[order[^1]][k];
            d[order[0]] = d[order[^1]] = double.PositiveInfinity;
            if (hi <= lo) continue;
            for (int t = 1; t < n - 1; t++) d[order[t]] += (front[order[t + 1]][k] - front[order[t - 1]][k]) / (hi - lo);
        }
        return d;
    }

    /// <summary>Hypervolume of two-objective points (maximized) dominated over <paramref name="reference"/>.</summary>
    public static double Hypervolume2D(IEnumerable<IReadOnlyList<double>> points, (double X, double Y) reference)
    {
        var pts = points.Where(p => p.Count == 2 && p[0] > reference.X && p[1] > reference.Y)
            .Select(p => (X: p[0], Y: p[1])).OrderByDescending(p => p.X).ThenByDescending(p => p.Y).ToList();
        double hv = 0, bestY = reference.Y;
        foreach (var (x, y) in pts)
        {
            if (y <= bestY) continue;
            hv += (x - reference.X) * (y - bestY);
            bestY = y;
        }
        return hv;
    }
}
