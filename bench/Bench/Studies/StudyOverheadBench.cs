using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Bench.Studies;

/// <summary>
/// Per-trial overhead of the search loop (propose + materialize + feedback, free objective, trivial
/// random algorithm), in memory and with the SQLite study store, at 300 and 1,000 trials.
/// Run: <c>dotnet run -c Release --project bench/Bench -- studies</c>.
/// </summary>
public static class StudyOverheadBench
{
    private const double MemoryGoalUs = 20, SqliteGoalUs = 1000;

    public static int Run(string[] args)
    {
        var space = Space.Dict()
            .OneOf("kernel", 3, 5, 7)
            .OneOf("width", 8, 16, 32, 64)
            .Float("lr", 1e-4, 1e-1, Scale.Log)
            .Repeat("stages", 3, s => s.OneOf("depth", 1, 2, 3).OneOf("op", "conv", "pool", "skip"))
            .Build();
        var spec = Space.Spec(space);
        var dir = Path.Combine(Path.GetTempPath(), "nas-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            // Warm-up (JIT, SQLite native library).
            for (int i = 0; i < 5; i++) Memory(spec, 300);
            Sqlite(spec, 300, dir);

            Console.WriteLine($"search loop per-trial overhead (propose + materialize + Done, random algorithm, {spec.DecisionPoints.Count()} decisions)");
            Console.WriteLine("wall µs/trial: median and min over repeats; cpu µs/trial: process CPU time (all threads), median —");
            Console.WriteLine("the CPU figure is the one to trust on a loaded machine (load average " +
                File.ReadAllText("/proc/loadavg").Split(' ')[0] + " now).");
            Console.WriteLine($"{"store",-8} {"trials",7} {"wall median",12} {"wall min",9} {"cpu median",11} {"goal",9}  ok");
            bool ok = true;
            foreach (var n in new[] { 300, 1000 })
            {
                ok &= Print("memory", n, Repeat(15, () => Memory(spec, n)), MemoryGoalUs);
                ok &= Print("sqlite", n, Repeat(7, () => Sqlite(spec, n, dir)), SqliteGoalUs);
            }
            return ok ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (double[] Wall, double[] Cpu) Repeat(int times, Func<(double, double)> run)
    {
        var results = Enumerable.Range(0, times).Select(_ => run()).ToArray();
        return (results.Select(r => r.Item1).Order().ToArray(), results.Select(r => r.Item2).Order().ToArray());
    }

    private static bool Print(string store, int n, (double[] Wall, double[] Cpu) us, double goal)
    {
        double median = us.Wall[us.Wall.Length / 2], cpu = us.Cpu[us.Cpu.Length / 2];
        bool ok = Math.Min(median, cpu) < goal;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{store,-8} {n,7} {median,12:F1} {us.Wall[0],9:F1} {cpu,11:F1} {"< " + goal.ToString(CultureInfo.InvariantCulture),9}  {(ok ? "yes" : "NO")}"));
        return ok;
    }

    /// <summary>Microseconds per trial of an in-memory search of <paramref name="n"/> trials.</summary>
    private static (double, double) Memory(SpaceSpec spec, int n)
    {
        var run = Search.Sample(spec, new BenchRandom(1), new SearchOptions { MaxTrials = n });
        return Loop(run, n);
    }

    /// <summary>Microseconds per trial of a search of <paramref name="n"/> trials recorded in a fresh SQLite file (opening excluded).</summary>
    private static (double, double) Sqlite(SpaceSpec spec, int n, string dir)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db");
        using var store = StudyStore.Open(path);
        var run = Search.Sample(spec, new BenchRandom(1), new SearchOptions { MaxTrials = n, Store = store, StudyName = "bench" });
        return Loop(run, n);
    }

    private static (double Wall, double Cpu) Loop(SearchRun run, int n)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        int count = 0;
        foreach (var (_, feedback) in run)
        {
            feedback.Done(1.0);
            count++;
        }
        sw.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        if (count != n) throw new InvalidOperationException($"expected {n} trials, got {count}");
        return (sw.Elapsed.TotalMicroseconds / n, cpu.TotalMicroseconds / n);
    }

    private sealed class BenchRandom(int seed) : ISearchAlgorithm
    {
        private SpaceSpec? _spec;
        private Random _rng = new(seed);
        public string Name => "bench-random";
        public void Setup(SpaceSpec spec) { _spec = spec; _rng = new Random(seed); }
        public Dna Propose() => _spec!.Random(_rng);
        public void Feedback(Dna dna, Reward reward) { }
    }
}
