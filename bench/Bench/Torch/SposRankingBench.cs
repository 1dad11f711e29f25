using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch;
using NasNotebooks.Runtime.Torch.WeightSharing;

namespace NasNotebooks.Bench.Torch;

/// <summary>
/// Does SPOS inherited-weight accuracy rank NB201 cells like stand-alone training? One supernet is trained on a digits
/// subset, then N random cells are scored with inherited weights and trained stand-alone; prints each cell, Kendall τ-b
/// and its one-sided permutation p-value (exact for N ≤ 9, else 200,000 random permutations), the probability that a
/// scorer unrelated to the cells reaches that τ. The same setting as the weight-sharing unit tests by default.
/// Usage: <c>spos-ranking [--cells N] [--epochs E] [--spos-epochs S] [--train N] [--test N] [--channels C]
/// [--seed S] [--cell-seed K] [--threads T]</c>.
/// </summary>
public static class SposRankingBench
{
    public static int Run(string[] args)
    {
        int cells = Int(args, "--cells", 12), epochs = Int(args, "--epochs", 2), sposEpochs = Int(args, "--spos-epochs", 12);
        int trainCount = Int(args, "--train", 600), testCount = Int(args, "--test", 300), channels = Int(args, "--channels", 8);
        int seed = Int(args, "--seed", 3), cellSeed = Int(args, "--cell-seed", 11), threads = Int(args, "--threads", 2);
        var digits = Datasets.LoadDigits(Path.Combine(BenchArgs.FindRepoRoot(), "data", "digits.csv.gz"), seed: 0);
        var data = new DataSplit(digits.Train.Subset(Enumerable.Range(0, trainCount).ToArray()), digits.Test.Subset(Enumerable.Range(0, testCount).ToArray()), "digits-subset");
        Console.WriteLine($"spos-ranking: digits {trainCount} train / {testCount} test; NB201 C={channels} N=1; supernet {sposEpochs} epochs (seed {seed}); " +
                          $"{cells} random cells (rng {cellSeed}) trained stand-alone {epochs} epochs; {threads} threads");
        var clock = Stopwatch.StartNew();
        using var spos = new SposTrainer(data.Train, data.Test, new WeightSharingOptions
        {
            Channels = channels, CellsPerStage = 1, Epochs = sposEpochs, BatchSize = 64, LearningRate = 3e-3, Seed = seed, Threads = threads,
        });
        spos.Train();
        Console.WriteLine($"supernet trained in {clock.Elapsed.TotalSeconds:F1} s; losses {string.Join(", ", spos.EpochLosses.Select(l => l.ToString("F3", CultureInfo.InvariantCulture)))}");
        var spec = Nb201Space.Spec();
        var rng = new Random(cellSeed);
        var inherited = new List<double>();
        var standAlone = new List<double>();
        Console.WriteLine("| cell | inherited | stand-alone | s |");
        Console.WriteLine("|---|---|---|---|");
        for (int i = 0; i < cells; i++)
        {
            int[] ops = Nb201Space.OpIndices(spec.Random(rng));
            var sw = Stopwatch.StartNew();
            inherited.Add(spos.EvaluateSubnet(ops));
            var options = new TrainingOptions
            {
                Budget = TrainingBudget.FromEpochs(epochs), Optimizer = OptimizerKind.Adam, LearningRate = 3e-3, BatchSize = 64,
                Seed = 1, Threads = threads, LatencyRuns = 1, LatencyWarmup = 0,
            };
            var r = TorchTrainer.Train(spos.Supernet.Architecture(ops), data, options);
            standAlone.Add(r.Succeeded ? r.Accuracy : 0);
            Console.WriteLine($"| {Nb201Space.ArchString(ops)} | {inherited[^1]:F3} | {standAlone[^1]:F3} | {sw.Elapsed.TotalSeconds:F1} |");
        }
        foreach (int n in new[] { Math.Min(8, cells), cells }.Distinct())
        {
            var x = inherited.Take(n).ToList();
            var y = standAlone.Take(n).ToList();
            double tau = RankCorrelation.KendallTau(x, y);
            Console.WriteLine($"first {n} cells: Kendall tau {tau:F3}, one-sided permutation p = {PermutationP(x, y, tau):F4}");
        }
        Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>P(τ(x, permuted y) ≥ τ): exact over all permutations for n ≤ 9, else from 200,000 seeded random permutations.</summary>
    private static double PermutationP(List<double> x, List<double> y, double tau)
    {
        int n = y.Count;
        var perm = Enumerable.Range(0, n).ToArray();
        long hits = 0, total = 0;
        void Count()
        {
            total++;
            if (RankCorrelation.KendallTau(x, perm.Select(i => y[i]).ToList()) >= tau - 1e-12) hits++;
        }
        if (n <= 9)
        {
            // Heap's algorithm over all n! orders.
            var c = new int[n];
            Count();
            for (int i = 0; i < n;)
            {
                if (c[i] < i)
                {
                    int j = i % 2 == 0 ? 0 : c[i];
                    (perm[j], perm[i]) = (perm[i], perm[j]);
                    Count();
                    c[i]++;
                    i = 0;
                }
                else c[i++] = 0;
            }
        }
        else
        {
            var rng = new Random(12345);
            for (int k = 0; k < 200_000; k++)
            {
                rng.Shuffle(perm);
                Count();
            }
        }
        return (double)hits / total;
    }

    private static int Int(string[] args, string name, int fallback) =>
        BenchArgs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
