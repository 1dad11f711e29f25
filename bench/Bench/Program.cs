using System.Reflection;

namespace NasNotebooks.Bench;

/// <summary>A benchmark program: prints figures (and ratios to peers where it can run them).</summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark; returns the process exit code.</summary>
    int Run(string[] args);
}

/// <summary>Benchmark entry: <c>dotnet run -c Release --project bench/Bench -- &lt;name&gt; [args]</c>.</summary>
public static class Program
{
    /// <summary>Benchmarks written as static entry points.</summary>
    private static readonly IBenchmark[] Commands =
    [
        new Command("nb201-search", "NB201 search quality per algorithm (mean test acc of best-valid) vs Optuna", Algorithms.Nb201SearchBench.Run),
        new Command("algorithm-overhead", "per-trial propose+feedback overhead per algorithm", Algorithms.OverheadBench.Run),
        new Command("bananas-ranking", "bananas vs TPE, evolution and random on three objectives other than NB201 valid accuracy", Algorithms.RankingBench.Run),
        new Command("long-runs", "search quality at large budgets (bananas vs TPE, ...) on noisy NB201, NK landscapes and NB201's test column", Algorithms.LongRunBench.Run),
        new Command("generators", "generated Materialize/Encode vs the DSL's generic path (ops/s, bytes/op)", Generators.GeneratorBench.Run),
        new Command("studies", "per-trial loop overhead in memory and with the SQLite store", Studies.StudyOverheadBench.Run),
        new Command("torch-train", "digits training throughput: TorchSharp trainer vs PyTorch 1.13 side by side", Torch.TorchTrainingBench.Run),
        new Command("proxies", "zero-cost proxies (SynFlow, NASWOT, GradNorm, GradSign): Spearman rho with NB201 test accuracy", Torch.ProxyCorrelationBench.Run),
        new Command("spos-ranking", "SPOS inherited-weight accuracy vs stand-alone training of random NB201 cells: Kendall tau and permutation p", Torch.SposRankingBench.Run),
        new Command("weight-sharing", "NB201 on digits: stand-alone search vs SPOS supernet + evolution at equal wall time", Torch.WeightSharingBench.Run),
    ];

    private sealed record Command(string Name, string Description, Func<string[], int> Entry) : IBenchmark
    {
        public int Run(string[] args) => Entry(args);
    }

    public static int Main(string[] args)
    {
        var all = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .Concat(Commands)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var bench = args.Length > 0 ? all.FirstOrDefault(b => b.Name == args[0]) : null;
        if (bench is null)
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/Bench -- <benchmark> [args]\n\nbenchmarks:");
            foreach (var b in all) Console.WriteLine($"  {b.Name,-20} {b.Description}");
            return args.Length == 0 ? 0 : 2;
        }
        return bench.Run(args[1..]);
    }
}
