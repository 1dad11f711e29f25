using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// Per-trial overhead (mean and median wall-clock per trial; the median resists preemption on a
/// shared machine) (propose + feedback, free objective, in memory) of each algorithm on a mixed
/// space (6 OneOf of 5, a log float, a linear float, an int 1..8): mean µs over trials 201..300
/// and 901..1000. Runs Optuna 3.1 (random, TPE, multivariate TPE) on the same space side by side
/// through bench/algorithms/optuna_overhead.py and prints the ratios.
/// Usage: algorithm-overhead [--no-optuna] [name filter]
/// </summary>
internal static class OverheadBench
{
    private static SpaceSpec MixedSpace()
    {
        var ops = new object?[] { "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3" };
        var b = Space.Dict();
        for (int i = 0; i < 6; i++) b.OneOf($"e{i}", ops);
        b.Float("lr", 1e-4, 1e-1, Scale.Log).Float("drop", 0, 0.5).Int("depth", 1, 8);
        return Space.Spec(b.Build());
    }

    private static double Objective(Dna dna)
    {
        double s = 0;
        foreach (var x in dna.ToNumbers()) s += x;
        return s;
    }

    public static int Run(string[] args)
    {
        bool optuna = !args.Contains("--no-optuna");
        string? filter = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
        var spec = MixedSpace();
        Console.WriteLine("Per-trial overhead, propose + feedback, free objective, in memory; space: 6 OneOf(5) + log float + float + int(1..8)");
        Console.WriteLine();
        Console.WriteLine("| algorithm | mean µs/trial @201..300 | mean µs/trial @901..1000 | median µs @201..300 | median µs @901..1000 |");
        Console.WriteLine("|---|---|---|---|---|");
        var ours = new Dictionary<string, double>();
        var oursMedian = new Dictionary<string, double>();
        foreach (var (name, create) in BenchmarkedAlgorithms.All)
        {
            if (name.StartsWith("grid", StringComparison.Ordinal)) continue; // the mixed space has floats
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            Measure(spec, create, 1000); // warm-up (JIT)
            var (a, b, ca, cb) = Measure(spec, create, 1000);
            ours[name] = b;
            oursMedian[name] = cb;
            Console.WriteLine($"| {name} | {a:F1} | {b:F1} | {ca:F1} | {cb:F1} |");
        }
        if (!optuna) return 0;
        var script = FindScript();
        if (script is null) { Console.WriteLine("\n(optuna_overhead.py not found; run from the repository root)"); return 0; }
        var psi = new ProcessStartInfo("/usr/bin/python3", [script, "1000"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.WriteLine($"\nOptuna run failed: {p.StandardError.ReadToEnd()}"); return 0; }
        Console.WriteLine();
        Console.WriteLine("| Optuna 3.1 sampler | mean µs @201..300 | mean µs @901..1000 | median µs @901..1000 | ours @901..1000 mean / median | ratio of means (Optuna / ours) | ratio of medians |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            double a = double.Parse(f[1], CultureInfo.InvariantCulture), b = double.Parse(f[2], CultureInfo.InvariantCulture);
            double medB = f.Length > 3 ? double.Parse(f[3], CultureInfo.InvariantCulture) : double.NaN;
            string mine = f[0] switch { "random" => "random", "tpe" => "tpe", _ => "tpe_multivariate" };
            if (!ours.TryGetValue(mine, out var m)) continue;
            double mc = oursMedian[mine];
            Console.WriteLine($"| {f[0]} | {a:F1} | {b:F1} | {medB:F1} | {mine}: {m:F1} / {mc:F1} | {b / m:F1}x | {medB / mc:F1}x |");
        }
        return 0;
    }

    private static string? FindScript()
    {
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "bench", "algorithms", "optuna_overhead.py");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static (double At300, double At1000, double Median300, double Median1000) Measure(SpaceSpec spec, Func<int, ISearchAlgorithm> create, int trials)
    {
        var algo = create(0);
        algo.Setup(spec);
        var ticks = new long[trials];
        for (int t = 0; t < trials; t++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var dna = algo.Propose();
            algo.Feedback(dna, Objective(dna));
            ticks[t] = Stopwatch.GetTimestamp() - t0;
        }
        double Us(int from, int to) => ticks.Skip(from).Take(to - from).Average() * 1e6 / Stopwatch.Frequency;
        double Median(int from, int to) => ticks.Skip(from).Take(to - from).Order().ElementAt((to - from) / 2) * 1e6 / Stopwatch.Frequency;
        return (Us(200, 300), Us(900, 1000), Median(200, 300), Median(900, 1000));
    }
}
