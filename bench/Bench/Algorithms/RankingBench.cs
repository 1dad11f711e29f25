using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Evolution;
using NasNotebooks.Runtime.Algorithms.Predictor;
using NasNotebooks.Runtime.Algorithms.Tpe;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// Whether the bananas settings were fitted to the CIFAR-10 valid column: the same ranking against TPE, evolution and
/// random on three other objectives, 100 evaluations, seeds 0..SEEDS-1: (1) NB201 valid accuracy + Gaussian noise
/// (sd 0.5, a fixed function of seed and architecture), scored by the true valid accuracy of the best observed;
/// (2) NK-style landscapes (6 decisions × 5 choices, each term depending on a decision and its neighbour, random
/// tables per seed), regret (lower is better); (3) NB201 searched on its test column, best found. Prints mean ± SE
/// per algorithm, and bananas' paired per-seed difference from each other algorithm (mean ± SE, z = mean / SE).
/// </summary>
internal static class RankingBench
{
    private const string Usage = """
        usage: bananas-ranking [TABLE.csv] [SEEDS] [--first-seed K]
          TABLE.csv         an NB201-format table (default: $NASNB_DATA or ../shared/data/nb201-cifar10.csv)
          SEEDS             seeds per algorithm (default 40)
          --first-seed K    seeds K..K+SEEDS-1 (default 0)
        """;

    private static readonly (string Name, Func<int, ISearchAlgorithm> Create)[] Algos =
    [
        ("bananas (default: alternating Thompson/UCB, 2 acquisition steps)", s => new PredictorGuidedEvolution(s)),
        ("bananas (alternating, no acquisition steps)", s => new PredictorGuidedEvolution(s, acquisitionSteps: 0)),
        ("bananas (UCB kappa 2)", s => new PredictorGuidedEvolution(s, acquisition: PredictorAcquisition.UpperConfidenceBound, acquisitionSteps: 0)),
        ("bananas (Thompson)", s => new PredictorGuidedEvolution(s, acquisition: PredictorAcquisition.ThompsonSampling)),
        ("tpe", s => new Tpe(s)),
        ("tpe_multivariate", s => new Tpe(s, multivariate: true)),
        ("evolution (P=20,S=5)", s => new RegularizedEvolution(20, 5, s)),
        ("random", s => new RandomSearch(s)),
    ];

    public static int Run(string[] args)
    {
        string? path = null;
        int seeds = 40, first = 0;
        try
        {
            var positional = new List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--first-seed") first = int.Parse(i + 1 < args.Length ? args[++i] : throw new ArgumentException("--first-seed expects a value"), CultureInfo.InvariantCulture);
                else if (args[i] is "-h" or "--help") { Console.WriteLine(Usage); return 0; }
                else if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option {args[i]}");
                else positional.Add(args[i]);
            }
            if (positional.Count > 0) path = positional[0];
            if (positional.Count > 1) seeds = int.Parse(positional[1], CultureInfo.InvariantCulture);
            if (seeds < 2) throw new ArgumentException($"SEEDS {seeds}: must be at least 2");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
            return 2;
        }
        path ??= Nb201Table.FindDefault(Environment.CurrentDirectory) ?? "../shared/data/nb201-cifar10.csv";
        var table = Nb201Table.Load(path);
        var spec = Nb201Space.Spec();
        Console.WriteLine($"bananas ranking check: table {table.Path}; 100 evaluations; seeds {first}..{first + seeds - 1}; mean ± standard error over seeds");
        Console.WriteLine("| algorithm | (1) noisy valid ↑ | (2) NK regret ↓ | (3) test column ↑ | s/seed |");
        Console.WriteLine("|---|---|---|---|---|");
        var objectives = (Noisy: BenchObjectives.Noisy(table), Nk: BenchObjectives.Nk(6, 1, space: spec), Test: BenchObjectives.OnTest(table));
        double At100(BenchObjectives.Objective objective, ISearchAlgorithm algorithm, int seed) => BenchObjectives.Run(objective, algorithm, seed, [100])[0];
        var results = new List<(string Name, double[] Noisy, double[] Nk, double[] Test)>();
        foreach (var (name, create) in Algos)
        {
            var sw = Stopwatch.StartNew();
            var noisy = new double[seeds];
            var nk = new double[seeds];
            var test = new double[seeds];
            for (int k = 0; k < seeds; k++)
            {
                int seed = first + k;
                noisy[k] = At100(objectives.Noisy, create(seed), seed);
                nk[k] = At100(objectives.Nk, create(seed), seed);
                test[k] = At100(objectives.Test, create(seed), seed);
            }
            results.Add((name, noisy, nk, test));
            Console.WriteLine($"| {name} | {F(noisy, 3)} | {F(nk, 4)} | {F(test, 3)} | {sw.Elapsed.TotalSeconds / seeds:F2} |");
        }
        var bananas = results[0];
        Console.WriteLine();
        Console.WriteLine("bananas (default) minus each other algorithm, paired by seed (mean ± SE, z); NK regret sign flipped so that > 0 favours bananas:");
        Console.WriteLine("| vs | (1) noisy valid | (2) NK regret | (3) test column |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var other in results.Skip(1))
        {
            Console.WriteLine($"| {other.Name} | {Paired(bananas.Noisy, other.Noisy, 3)} | {Paired(other.Nk, bananas.Nk, 4)} | {Paired(bananas.Test, other.Test, 3)} |");
        }
        return 0;
    }

    private static (double Mean, double Se) Describe(IReadOnlyList<double> v)
    {
        double mean = v.Average();
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return (mean, sd / Math.Sqrt(v.Count));
    }

    private static string F(IReadOnlyList<double> v, int digits)
    {
        var (mean, se) = Describe(v);
        return $"{mean.ToString("F" + digits, CultureInfo.InvariantCulture)} ± {se.ToString("F" + digits, CultureInfo.InvariantCulture)}";
    }

    private static string Paired(IReadOnlyList<double> a, IReadOnlyList<double> b, int digits)
    {
        var (mean, se) = Describe(a.Zip(b, (x, y) => x - y).ToList());
        string z = se > 0 ? (mean / se).ToString("F1", CultureInfo.InvariantCulture) : "∞";
        return $"{mean.ToString("+0." + new string('0', digits) + ";-0." + new string('0', digits), CultureInfo.InvariantCulture)} ± {se.ToString("F" + digits, CultureInfo.InvariantCulture)} (z {z})";
    }
}
