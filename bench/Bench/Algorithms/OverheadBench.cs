using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// Per-trial overhead (propose + feedback, free objective, in memory) of each algorithm on a mixed
/// space (6 OneOf of 5, a log float, a linear float, an int 1..8): mean and median wall-clock µs per
/// trial over trials 201..300, 901..1,000 and 9,901..10,000 of one run (the median resists preemption on
/// a shared machine). Runs Optuna 3.1 (random, TPE, multivariate TPE) on the same space side by side
/// through bench/algorithms/optuna_overhead.py and prints the ratios: its 201..300 and 901..1,000
/// figures come from a full 1,000-trial run; its 9,901..10,000 figure from a study prefilled with 9,900
/// uniformly random completed trials (a full 10,000-trial TPE run would take Optuna hours here), and
/// the same prefilled measurement at 901..1,000 is printed beside the full run's to show how well
/// the two agree.
/// Usage: algorithm-overhead [--no-optuna] [--trials N] [name filter]
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
        int trials = int.Parse(BenchArgs.Option(args, "--trials") ?? "10000", CultureInfo.InvariantCulture);
        if (trials < 1000) { Console.Error.WriteLine($"error: --trials {trials}: at least 1000"); return 2; }
        string? filter = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--trials")).FirstOrDefault();
        var spec = MixedSpace();
        var windows = new List<(int From, int To)> { (200, 300), (900, 1000) };
        if (trials >= 2000) windows.Add((trials - 100, trials));
        string W((int From, int To) w) => string.Create(CultureInfo.InvariantCulture, $"{w.From + 1:N0}..{w.To:N0}");
        var last = windows[^1];
        Console.WriteLine($"Per-trial overhead, propose + feedback, free objective, in memory; space: 6 OneOf(5) + log float + float + int(1..8); one run of {trials:N0} trials per algorithm");
        Console.WriteLine();
        Console.WriteLine($"| algorithm | {string.Join(" | ", windows.Select(w => $"mean µs @{W(w)}"))} | {string.Join(" | ", windows.Skip(1).Select(w => $"median µs @{W(w)}"))} |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", 2 * windows.Count - 1)));
        var ours = new Dictionary<string, (double[] Mean, double[] Median)>();
        foreach (var (name, create) in BenchmarkedAlgorithms.All)
        {
            if (name.StartsWith("grid", StringComparison.Ordinal)) continue; // the mixed space has floats
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            Measure(spec, create, 1000, windows.Take(2).ToList()); // warm-up (JIT)
            var (mean, median) = Measure(spec, create, trials, windows);
            ours[name] = (mean, median);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {string.Join(" | ", mean.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} | {string.Join(" | ", median.Skip(1).Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} |"));
        }
        if (!optuna) return 0;
        var script = FindScript();
        if (script is null) { Console.WriteLine("\n(optuna_overhead.py not found; run from the repository root)"); return 0; }
        var full = Python(script, "1000");
        if (full is null) return 0;
        var prefilled1000 = Python(script, "1000", "--prefill", "900");
        var prefilledLast = trials >= 2000 ? Python(script, "1000", "--prefill", (trials - 100).ToString(CultureInfo.InvariantCulture)) : null;
        Console.WriteLine();
        Console.WriteLine($"Optuna 3.1 side by side (mean µs per trial; @901..1,000 from a full run and from a study prefilled with 900 random trials; @{W(last)} prefilled with {last.From:N0}):");
        Console.WriteLine();
        Console.WriteLine($"| Optuna 3.1 sampler | @201..300 | @901..1,000 | @901..1,000 prefilled | @{W(last)} prefilled | ours @901..1,000 / @{W(last)} | Optuna / ours @901..1,000 | Optuna / ours @{W(last)} |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (sampler, f) in full)
        {
            string mine = sampler switch { "random" => "random", "tpe" => "tpe", _ => "tpe_multivariate" };
            if (!ours.TryGetValue(mine, out var m)) continue;
            double at300 = f[0], at1000 = f[1];
            double pre1000 = prefilled1000?.GetValueOrDefault(sampler)?[0] ?? double.NaN;
            double preLast = prefilledLast?.GetValueOrDefault(sampler)?[0] ?? double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {sampler} | {at300:F1} | {at1000:F1} | {pre1000:F1} | {preLast:F1} | {mine}: {m.Mean[1]:F1} / {m.Mean[^1]:F1} | {at1000 / m.Mean[1]:F1}x | {preLast / m.Mean[^1]:F1}x |"));
        }
        return 0;
    }

    // Runs the Optuna script; per sampler the numbers it prints (null when it failed).
    private static Dictionary<string, double[]>? Python(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.WriteLine($"\nOptuna run ({string.Join(' ', args)}) failed: {stderr.Result}"); return null; }
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => f.Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
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

    // Mean and median µs per trial over each window [From, To) of trial indices.
    private static (double[] Mean, double[] Median) Measure(SpaceSpec spec, Func<int, ISearchAlgorithm> create, int trials, List<(int From, int To)> windows)
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
        double Us(double v) => v * 1e6 / Stopwatch.Frequency;
        return (windows.Select(w => Us(ticks[w.From..w.To].Average())).ToArray(),
                windows.Select(w => Us(ticks[w.From..w.To].Order().ElementAt((w.To - w.From) / 2))).ToArray());
    }
}
