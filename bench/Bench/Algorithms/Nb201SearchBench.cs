using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// NB201 search quality: each algorithm searches on cifar10_valid_acc; we report mean ± std over
/// seeds of the cifar10_test_acc of the best-valid architecture after 100 and 300 evaluations
/// (every proposal counts), and the % of runs whose pick has the table's best test accuracy.
/// Usage: nb201-search &lt;table.csv&gt; [seeds=100] [filter]
/// </summary>
internal static class Nb201SearchBench
{
    public static int Run(string[] args)
    {
        var path = args.Length > 0 ? args[0] : Nb201Table.FindDefault(Environment.CurrentDirectory) ?? "../shared/data/nb201-cifar10.csv";
        int seeds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
        string? filter = args.Length > 2 ? args[2] : null;
        var table = Nb201Table.Load(path);
        double bestTest = table.Records.Max(r => r.TestAccuracy);
        int[] budgets = [100, 300];
        Console.WriteLine($"NB201 search quality: table {table.Path}, {seeds} seeds, budgets {string.Join("/", budgets)}; best test acc in table {bestTest:F4}");
        Console.WriteLine();
        Console.WriteLine("| algorithm | test acc @100 | test acc @300 | % runs hitting best test @300 | s/run |");
        Console.WriteLine("|---|---|---|---|---|");
        // Exact expectation for uniform sampling with replacement, as a sanity check of the random rows.
        var byValid = table.Records.OrderByDescending(r => r.ValidAccuracy).ToArray();
        string Exact(int budget)
        {
            double n = byValid.Length, e = 0;
            for (int k = 0; k < byValid.Length; k++) e += (Math.Pow((n - k) / n, budget) - Math.Pow((n - k - 1) / n, budget)) * byValid[k].TestAccuracy;
            return e.ToString("F2", CultureInfo.InvariantCulture);
        }
        Console.WriteLine($"| random, exact expectation | {Exact(budgets[0])} | {Exact(budgets[1])} | | |");
        foreach (var (name, create) in BenchmarkedAlgorithms.All)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var results = new double[seeds, budgets.Length];
            var sw = Stopwatch.StartNew();
            Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
            {
                var spec = Nb201Space.Spec();
                var algo = create(seed);
                algo.Setup(spec);
                double bestValid = double.NegativeInfinity, testOfBest = 0;
                int b = 0;
                for (int t = 1; t <= budgets[^1]; t++)
                {
                    Dna dna;
                    try { dna = algo.Propose(); }
                    catch (SearchSpaceExhaustedException) { break; }
                    var rec = table[dna];
                    if (rec.ValidAccuracy > bestValid) { bestValid = rec.ValidAccuracy; testOfBest = rec.TestAccuracy; }
                    algo.Feedback(dna, rec.ValidAccuracy);
                    if (t == budgets[b]) results[seed, b++] = testOfBest;
                }
                for (; b < budgets.Length; b++) results[seed, b] = testOfBest;
            });
            double secs = sw.Elapsed.TotalSeconds / seeds;
            string Cell(int b)
            {
                var xs = Enumerable.Range(0, seeds).Select(s => results[s, b]).ToArray();
                double m = xs.Average(), sd = Math.Sqrt(xs.Select(x => (x - m) * (x - m)).Sum() / Math.Max(1, xs.Length - 1));
                return $"{m:F2} ± {sd:F2}";
            }
            double hit = 100.0 * Enumerable.Range(0, seeds).Count(s => Math.Abs(results[s, 1] - bestTest) < 1e-6) / seeds;
            Console.WriteLine($"| {name} | {Cell(0)} | {Cell(1)} | {hit:F0}% | {secs:F3} |");
        }
        return 0;
    }
}
