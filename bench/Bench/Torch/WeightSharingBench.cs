using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Nb201;
using NasNotebooks.Runtime.Torch;
using NasNotebooks.Runtime.Torch.WeightSharing;

namespace NasNotebooks.Bench.Torch;

/// <summary>
/// Stand-alone search vs weight sharing (SPOS) on digits, NB201 cell space, at equal wall time.
/// The digits training set is split 80/20 into search-train / search-valid; the digits test set is
/// only used for the final stand-alone retraining of each approach's best cell.
/// (i) stand-alone: evolution proposes cells, each trained from scratch for <c>--epochs</c> epochs
/// (TorchTrainer), reward = search-valid accuracy, until the budget is spent;
/// (ii) SPOS: one supernet trained for <c>--spos-epochs</c>, then evolution over inherited-weight
/// search-valid accuracy until the same budget is spent.
/// Usage: <c>weight-sharing [--data PATH] [--budget SECONDS] [--epochs E] [--spos-epochs S]
/// [--final-epochs F] [--channels C] [--seed N] [--threads T]</c>.
/// </summary>
public static class WeightSharingBench
{
    public static int Run(string[] args)
    {
        string data = BenchArgs.Option(args, "--data") ?? Path.Combine(BenchArgs.FindRepoRoot(), "data", "digits.csv.gz");
        double budget = double.Parse(BenchArgs.Option(args, "--budget") ?? "120", CultureInfo.InvariantCulture);
        int epochs = Int(args, "--epochs", 1);
        int sposEpochs = Int(args, "--spos-epochs", 10);
        int finalEpochs = Int(args, "--final-epochs", 5);
        int channels = Int(args, "--channels", 8);
        int seed = Int(args, "--seed", 0);
        int threads = Int(args, "--threads", 2);

        var digits = Datasets.LoadDigits(data, seed: 0);
        var search = Datasets.SeededSplit(digits.Train, seed + 1, 0.2, "digits-search");
        var spec = Nb201Space.Spec();
        TrainingOptions Train(int e) => new()
        {
            Budget = TrainingBudget.FromEpochs(e), Optimizer = OptimizerKind.Adam, LearningRate = 3e-3, BatchSize = 64,
            Seed = seed, Threads = threads, LatencyRuns = 1, LatencyWarmup = 0,
        };
        Console.WriteLine($"weight-sharing: digits {search.Train.Count} search-train / {search.Test.Count} search-valid / {digits.Test.Count} test, " +
                          $"NB201 C={channels} N=1, budget {budget:F0} s per approach, {threads} threads");

        // (i) stand-alone search.
        var clock = Stopwatch.StartNew();
        var evo = AlgorithmCatalog.Create("evolution", seed);
        evo.Setup(spec);
        int saTrials = 0;
        var saUnique = new HashSet<string>(StringComparer.Ordinal);
        (Dna Dna, double Acc) saBest = (spec.Random(new Random(seed)), -1);
        while (clock.Elapsed.TotalSeconds < budget)
        {
            Dna dna = evo.Propose();
            var arch = new Nb201Architecture(Nb201Cell.Parse(Nb201Space.ArchString(dna)), channels, 1);
            var r = TorchTrainer.Train(arch, search, Train(epochs));
            double acc = r.Succeeded ? r.Accuracy : 0;
            evo.Feedback(dna, acc);
            saUnique.Add(Nb201Space.ArchString(dna));
            saTrials++;
            if (acc > saBest.Acc)
            {
                saBest = (dna, acc);
            }
        }
        double saTime = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"stand-alone: {saTrials} trials ({saUnique.Count} distinct cells, each trained) in {saTime:F1} s ({saTrials * 3600 / saTime:F0} trials/h), best {Nb201Space.ArchString(saBest.Dna)} valid {saBest.Acc:F3}");

        // (ii) SPOS supernet + evolution over inherited weights.
        clock.Restart();
        var options = new WeightSharingOptions { Channels = channels, CellsPerStage = 1, Epochs = sposEpochs, Seed = seed, Threads = threads };
        using var spos = new SposTrainer(search.Train, search.Test, options);
        spos.Train();
        double supernetTime = clock.Elapsed.TotalSeconds;
        var evo2 = AlgorithmCatalog.Create("evolution", seed);
        evo2.Setup(spec);
        int wsTrials = 0;
        var unique = new HashSet<string>(StringComparer.Ordinal);
        (Dna Dna, double Acc) wsBest = (saBest.Dna, -1);
        while (clock.Elapsed.TotalSeconds < budget || wsTrials == 0)
        {
            Dna dna = evo2.Propose();
            double acc = spos.EvaluateSubnet(dna);
            unique.Add(Nb201Space.ArchString(dna));
            evo2.Feedback(dna, acc);
            wsTrials++;
            if (acc > wsBest.Acc)
            {
                wsBest = (dna, acc);
            }
        }
        double wsTime = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"SPOS: supernet {sposEpochs} epochs in {supernetTime:F1} s, then {wsTrials} inherited-weight trials ({unique.Count} distinct cells, repeats served from the cache) in {wsTime - supernetTime:F1} s " +
                          $"({wsTrials * 3600 / wsTime:F0} trials/h overall), best {Nb201Space.ArchString(wsBest.Dna)} inherited valid {wsBest.Acc:F3}");

        // Final: retrain each best cell stand-alone on the full training set, test accuracy.
        foreach (var (name, dna, trials, time) in new[] { ("stand-alone", saBest.Dna, saTrials, saTime), ("spos", wsBest.Dna, wsTrials, wsTime) })
        {
            var arch = new Nb201Architecture(Nb201Cell.Parse(Nb201Space.ArchString(dna)), channels, 1);
            var r = TorchTrainer.Train(arch, digits, Train(finalEpochs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT {name} trials={trials} time_s={time:F1} trials_per_hour={trials * 3600 / time:F0} best={Nb201Space.ArchString(dna)} retrained_test_acc={(r.Succeeded ? r.Accuracy : double.NaN):F4}"));
        }
        return 0;
    }

    private static int Int(string[] args, string name, int fallback) =>
        BenchArgs.Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
