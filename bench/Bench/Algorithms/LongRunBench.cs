using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
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

    // An objective per seed: the space, and per DNA the reward the algorithm sees and the true value scored.
    private sealed record Objective(string Name, string Measure, bool LowerIsBetter, Func<int, SpaceSpec> Space, Func<int, SpaceSpec, Problem> Make);

    private sealed record Problem(Func<Dna, (double Reward, double True)> Evaluate, Func<double, double> Score);

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
        if (objectives.Any(o => o.StartsWith("nk", StringComparison.Ordinal)) && !NkOptimumAgreesWithEnumeration())
        {
            Console.Error.WriteLine("error: the NK optimum by dynamic programming disagrees with enumeration on a small instance");
            return 1;
        }
        int horizon = budgets[^1];
        Console.WriteLine($"Long-run search quality: {seeds} seeds ({firstSeed}..{firstSeed + seeds - 1}), budgets {string.Join("/", budgets)}; mean ± standard error over seeds; bananas' default bootstrap cap: {PredictorGuidedEvolution.DefaultTrainingRows} rows");
        foreach (var name in objectives)
        {
            var objective = name switch
            {
                "noisy" => Noisy(table!),
                "nk" => Nk(6, 1),
                "nk16" => Nk(16, 2),
                "nk16-noisy" => Nk(16, 2, noise: 0.25),
                _ => OnTest(table!),
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
                    var spec = objective.Space(seed);
                    var problem = objective.Make(seed, spec);
                    var algo = create(seed);
                    algo.Setup(spec);
                    double bestReward = double.NegativeInfinity, trueOfBest = double.NaN;
                    var at = new double[budgets.Length];
                    for (int t = 1, b = 0; t <= horizon; t++)
                    {
                        var dna = algo.Propose();
                        var (reward, truth) = problem.Evaluate(dna);
                        if (reward > bestReward) { bestReward = reward; trueOfBest = truth; }
                        algo.Feedback(dna, reward);
                        if (t == budgets[b]) at[b++] = problem.Score(trueOfBest);
                    }
                    scores[i] = at;
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

    private static Objective Noisy(Nb201Table table) => new("noisy NB201", "true cifar10_valid_acc of the best observed under noise sd 0.5", false,
        _ => Nb201Space.Spec(),
        (seed, _) => new Problem(dna =>
        {
            var rec = table[dna];
            var rng = new Random(seed * 1_000_003 + rec.Index * 17 + 1);
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            return (rec.ValidAccuracy + 0.5 * g, rec.ValidAccuracy);
        }, v => v));

    private static Objective OnTest(Nb201Table table) => new("NB201 on the test column", "best cifar10_test_acc found", false,
        _ => Nb201Space.Spec(),
        (_, _) => new Problem(dna => { double y = table[dna].TestAccuracy; return (y, y); }, v => v));

    // NK landscape on a cycle: n decisions of 5 choices; term i depends on decisions i..i+k (mod n), random tables per seed.
    private static Objective Nk(int n, int k, double noise = 0) => new(noise > 0 ? $"NK n={n} k={k}, reward noise sd {noise}" : $"NK n={n} k={k}",
        noise > 0 ? "regret of the true value of the best observed" : "regret from the optimum", true,
        _ =>
        {
            var b = Space.Dict();
            for (int i = 0; i < n; i++) b.OneOf($"x{i}", 0, 1, 2, 3, 4);
            return Space.Spec(b.Build());
        },
        (seed, _) =>
        {
            // The 6x5 k=1 tables are drawn as in the ranking check (tests/.../RankingCheck.cs), so the @100 figures compare.
            var wr = new Random(1000 + seed + (n == 6 && k == 1 ? 0 : 7919 * n + k));
            int arity = (int)Math.Pow(5, k + 1);
            var w = new double[n, arity];
            for (int i = 0; i < n; i++) for (int a = 0; a < arity; a++) w[i, a] = wr.NextDouble();
            double F(Dna d)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + d.Children[(i + j) % n].Index;
                    s += w[i, code];
                }
                return s;
            }
            double opt = NkOptimum(w, n, k);
            return new Problem(d =>
            {
                double f = F(d);
                if (noise == 0) return (f, f);
                // A fixed function of seed and point (not HashCode, which .NET seeds per process).
                long point = 0;
                for (int i = 0; i < n; i++) point = point * 5 + d.Children[i].Index;
                var rng = new Random(unchecked((int)((point * 2_654_435_761L + seed * 1_000_003L) % int.MaxValue)));
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                return (f + noise * g, f);
            }, v => opt - v);
        });

    // Exact optimum of the cyclic NK function: fix the first k decisions, then dynamic programming over
    // the last k chosen values; the k wrap-around terms are added at the end.
    private static double NkOptimum(double[,] w, int n, int k)
    {
        int states = (int)Math.Pow(5, k);
        double best = double.NegativeInfinity;
        for (int head = 0; head < states; head++)
        {
            var headDigits = Digits(head, k);
            // value[s]: best sum of the terms fully inside decisions 0..j, with s = the last k values.
            var value = new double[states];
            Array.Fill(value, double.NegativeInfinity);
            value[head] = 0;
            for (int j = k; j < n; j++)
            {
                var next = new double[states];
                Array.Fill(next, double.NegativeInfinity);
                for (int s = 0; s < states; s++)
                {
                    if (double.IsNegativeInfinity(value[s])) continue;
                    for (int x = 0; x < 5; x++)
                    {
                        int code = s * 5 + x; // decisions j-k..j
                        int ns = code % states;
                        double v = value[s] + w[j - k, code];
                        if (v > next[ns]) next[ns] = v;
                    }
                }
                value = next;
            }
            for (int s = 0; s < states; s++)
            {
                if (double.IsNegativeInfinity(value[s])) continue;
                // Wrap-around terms i = n-k..n-1 read the last values then the head.
                var tail = Digits(s, k);
                var seq = tail.Concat(headDigits).ToArray();
                double v = value[s];
                for (int t = 0; t < k; t++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + seq[t + j];
                    v += w[n - k + t, code];
                }
                best = Math.Max(best, v);
            }
        }
        return best;
    }

    // Self-check of NkOptimum: 6 decisions, k = 1 and 2, against the maximum over all 15,625 points.
    private static bool NkOptimumAgreesWithEnumeration()
    {
        for (int k = 1; k <= 2; k++)
        {
            const int n = 6;
            int arity = (int)Math.Pow(5, k + 1);
            var w = new double[n, arity];
            var rng = new Random(17 + k);
            for (int i = 0; i < n; i++) for (int a = 0; a < arity; a++) w[i, a] = rng.NextDouble();
            double best = double.NegativeInfinity;
            var x = new int[n];
            for (int point = 0; point < 15625; point++)
            {
                for (int i = 0, c = point; i < n; i++, c /= 5) x[i] = c % 5;
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + x[(i + j) % n];
                    s += w[i, code];
                }
                best = Math.Max(best, s);
            }
            if (Math.Abs(best - NkOptimum(w, n, k)) > 1e-9) return false;
        }
        return true;
    }

    private static int[] Digits(int code, int k)
    {
        var d = new int[k];
        for (int i = k - 1; i >= 0; i--) { d[i] = code % 5; code /= 5; }
        return d;
    }
}
