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
/// Search quality in long runs, to decide which algorithm <c>auto</c> picks for large budgets on spaces
/// of choices: bananas against TPE (and evolution, random) at budgets past the NB201 table's 100/300,
/// on objectives where more evaluations keep paying. (1) <c>noisy</c>: NB201 valid accuracy plus
/// Gaussian noise (sd 0.5, fixed per seed and architecture), scored by the true valid accuracy of the
/// best observed; (2) <c>nk</c>: NK landscapes of 6 decisions x 5 choices, each term depending on a
/// decision and its neighbour (random tables per seed; regret, lower is better); (3) <c>nk16</c>: 16
/// decisions x 5 choices (1.5e11 points), each term depending on a decision and the next two
/// (cyclic), regret from the exact optimum (dynamic programming over the cycle); (4) <c>nk16-noisy</c>:
/// the same with Gaussian noise (sd 0.25, fixed per seed and point) on the reward, regret of the true
/// value of the best observed (noise without a finite space to exhaust); (5) <c>test</c>: NB201
/// searched on its test column, best test accuracy found. Objectives (1), (2) and (4) are the ranking
/// check of bench/algorithms/README.md at 100 evaluations. Every budget is read off one run per seed
/// (anytime); mean ± standard error over seeds.
/// </summary>
internal static class LongRunBench
{
    private const string Usage = """
        usage: long-runs [TABLE.csv] [options]
          TABLE.csv             an NB201-format table (default: $NASNB_DATA or ../shared/data/nb201-cifar10.csv)
          --seeds N             runs per algorithm and objective, seeds K..K+N-1 (default 20)
          --first-seed K        (default 0)
          --budgets A,B,...     evaluation budgets reported (default 1000,3000)
          --objectives L        comma-separated among noisy,nk,nk16,nk16-noisy,test (default all)
          --algos L             comma-separated names among those listed below (default all)
          --caps A,B            extra bananas rows with each predictor's bootstrap sample capped at A, B rows
        """;

    private static readonly (string Name, Func<int, ISearchAlgorithm> Create)[] Algorithms =
    [
        ("bananas", s => new PredictorGuidedEvolution(s)),
        ("bananas (no cap)", s => new PredictorGuidedEvolution(s, trainingRows: int.MaxValue)),
        ("tpe", s => new Tpe(s)),
        ("tpe_multivariate", s => new Tpe(s, multivariate: true)),
        ("evolution", s => new RegularizedEvolution(20, 5, s)),
        ("random", s => new RandomSearch(s)),
    ];

    public static int Run(string[] args)
    {
        string? path = null;
        int seeds = 20, firstSeed = 0;
        int[] budgets = [1000, 3000];
        string[] objectives = ["noisy", "nk", "nk16", "nk16-noisy", "test"];
        string[]? algos = null;
        int[] caps = [];
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} expects a value");
                int[] Ints() => Value().Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
                switch (args[i])
                {
                    case "--seeds": seeds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--first-seed": firstSeed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--budgets": budgets = Ints().Order().ToArray(); break;
                    case "--objectives": objectives = Value().Split(','); break;
                    case "--algos": algos = Value().Split(','); break;
                    case "--caps": caps = Ints(); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default:
                        if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option {args[i]}");
                        path = args[i];
                        break;
                }
            }
            if (seeds < 2) throw new ArgumentException($"--seeds {seeds}: at least 2");
            if (budgets.Length == 0 || budgets[0] < 1) throw new ArgumentException("--budgets: positive numbers, comma separated");
            foreach (var o in objectives)
                if (o is not ("noisy" or "nk" or "nk16" or "nk16-noisy" or "test")) throw new ArgumentException($"--objectives: unknown objective '{o}' (noisy, nk, nk16, nk16-noisy, test)");
            foreach (var a in algos ?? [])
                if (!Algorithms.Any(x => x.Name == a)) throw new ArgumentException($"--algos: unknown algorithm '{a}' ({string.Join(", ", Algorithms.Select(x => x.Name))})");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
            return 2;
        }
        var selected = Algorithms.Where(a => algos is null || algos.Contains(a.Name)).ToList();
        foreach (int cap in caps) selected.Insert(1, ($"bananas (cap {cap})", s => new PredictorGuidedEvolution(s, trainingRows: cap)));
        Nb201Table? table = null;
        if (objectives.Any(o => o is "noisy" or "test"))
        {
            path ??= Nb201Table.FindDefault(Environment.CurrentDirectory) ?? "../shared/data/nb201-cifar10.csv";
            table = Nb201Table.Load(path);
        }
        if (objectives.Any(o => o.StartsWith("nk", StringComparison.Ordinal)) && !BenchObjectives.NkOptimumAgreesWithEnumeration())
        {
            Console.Error.WriteLine("error: the NK optimum by dynamic programming disagrees with enumeration on a small instance");
            return 1;
        }
        Console.WriteLine($"Long-run search quality: {seeds} seeds ({firstSeed}..{firstSeed + seeds - 1}), budgets {string.Join("/", budgets)}; mean ± standard error over seeds; bananas' default bootstrap cap: {PredictorGuidedEvolution.DefaultTrainingRows} rows");
        foreach (var name in objectives)
        {
            var objective = name switch
            {
                "noisy" => BenchObjectives.Noisy(table!),
                "nk" => BenchObjectives.Nk(6, 1),
                "nk16" => BenchObjectives.Nk(16, 2),
                "nk16-noisy" => BenchObjectives.Nk(16, 2, noise: 0.25),
                _ => BenchObjectives.OnTest(table!),
            };
            Console.WriteLine();
            Console.WriteLine($"{objective.Name}: {objective.Measure} ({(objective.LowerIsBetter ? "lower" : "higher")} is better)");
            Console.WriteLine();
            Console.WriteLine($"| algorithm | {string.Join(" | ", budgets.Select(b => $"@{b}"))} | s/run |");
            Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", budgets.Length + 1)));
            foreach (var (algoName, create) in selected)
            {
                var scores = new double[seeds][];
                var sw = Stopwatch.StartNew();
                Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
                {
                    int seed = firstSeed + i;
                    scores[i] = BenchObjectives.Run(objective, create(seed), seed, budgets);
                });
                double perRun = sw.Elapsed.TotalSeconds / seeds * 2;
                var cells = budgets.Select((_, b) =>
                {
                    var xs = scores.Select(s => s[b]).ToArray();
                    double m = xs.Average(), sd = Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1));
                    return string.Create(CultureInfo.InvariantCulture, $"{m:F4} ± {sd / Math.Sqrt(xs.Length):F4}");
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {algoName} | {string.Join(" | ", cells)} | {perRun:F1} |"));
                if (objective.LowerIsBetter && scores.Any(s => s.Any(v => v < -1e-9)))
                    Console.WriteLine($"error: negative regret for {algoName}: the computed optimum is wrong");
            }
        }
        Console.WriteLine();
        Console.WriteLine("s/run: wall seconds per run (two seeds at a time on two threads).");
        return 0;
    }
}
