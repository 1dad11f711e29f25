using System.Diagnostics;
using NasNotebooks.Dsl;

namespace NasNotebooks.Bench.Generators;

public interface IBenchOp { }

[Searchable]
public partial class BenchConv : IBenchOp
{
    [OneOf(16, 32, 64)] public int Channels { get; set; } = 16;
    [OneOf(3, 5, 7)] public int Kernel { get; set; } = 3;
}

[Searchable]
public partial class BenchPool : IBenchOp
{
    [OneOf("max", "avg")] public string Kind { get; set; } = "max";
}

[Searchable]
public partial record BenchSkip : IBenchOp;

[Searchable]
public partial class BenchStage
{
    [OneOf(typeof(BenchConv), typeof(BenchPool), typeof(BenchSkip))] public IBenchOp Op { get; set; } = new BenchSkip();
    [IntRange(1, 4)] public int Depth { get; set; } = 1;
}

[Searchable]
public partial class BenchHead
{
    [OneOf(10, 100)] public int Classes { get; set; } = 10;
    [ManyOf(2, 0.1, 0.2, 0.3, Sorted = true)] public double[] Drops { get; set; } = [];
}

/// <summary>Nested, conditional (interface choice), repeated (searchable length), float and ManyOf decisions.</summary>
[Searchable]
public partial class BenchNet
{
    public BenchStage Stem { get; set; } = new();
    [Repeat(1, 3)] public List<BenchStage> Stages { get; set; } = [];
    public BenchHead Head { get; set; } = new();
    [FloatRange(1e-4, 1e-1, Scale.Log)] public double LearningRate { get; set; } = 1e-3;
    [OneOf(16, 32, 64)] public int Width { get; set; } = 16;
}

/// <summary>
/// Generated <c>Materialize</c>/<c>Encode</c> vs the DSL's generic (reflection) path on the same model:
/// <c>dotnet run -c Release --project bench/Bench -- generators [seconds-per-case]</c>.
/// </summary>
public static class GeneratorBench
{
    private sealed record Figure(string Name, double OpsPerSecond, double BytesPerOp);

    private static Figure Measure(string name, int n, Action<int> op, double seconds)
    {
        for (int i = 0; i < Math.Min(n, 2000); i++) op(i); // warm-up (tiering)
        var sw = Stopwatch.StartNew();
        long ops = 0;
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < n; i++) op(i);
            ops += n;
        }
        sw.Stop();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - bytes0;
        return new Figure(name, ops / sw.Elapsed.TotalSeconds, (double)bytes / ops);
    }

    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 && double.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 2.0;
        var spec = BenchNet.Spec;
        var rng = new Random(42);
        const int N = 1000;
        var dnas = Enumerable.Range(0, N).Select(_ => spec.Random(rng)).ToArray();
        var values = dnas.Select(BenchNet.Materialize).ToArray();

        // Same results first.
        for (int i = 0; i < N; i++)
        {
            var generic = (BenchNet)spec.Materialize(dnas[i])!;
            if (!spec.Encode(generic).Equals(values[i].Encode()) || !values[i].Encode().Equals(dnas[i]))
                throw new InvalidOperationException($"Generated and generic paths disagree on {dnas[i]}.");
        }

        object? sink = null;
        var figures = new[]
        {
            Measure("Materialize generic (Spec.Materialize)", N, i => sink = spec.Materialize(dnas[i]), seconds),
            Measure("Materialize generated", N, i => sink = BenchNet.Materialize(dnas[i]), seconds),
            Measure("Encode generic (Spec.Encode)", N, i => sink = spec.Encode(values[i]), seconds),
            Measure("Encode generated", N, i => sink = values[i].Encode(), seconds),
        };
        GC.KeepAlive(sink);
        Console.WriteLine($"Generators benchmark: BenchNet ({spec.DecisionPoints.Count()} decision points), {N} random DNAs, {seconds:0.#} s per case, .NET {Environment.Version}");
        Console.WriteLine($"{"case",-42} {"ops/s",14} {"bytes/op",10}");
        foreach (var f in figures) Console.WriteLine($"{f.Name,-42} {f.OpsPerSecond,14:N0} {f.BytesPerOp,10:N0}");
        Console.WriteLine($"Materialize: generated is {figures[1].OpsPerSecond / figures[0].OpsPerSecond:0.0}x faster, allocates {figures[0].BytesPerOp / figures[1].BytesPerOp:0.0}x less");
        Console.WriteLine($"Encode:      generated is {figures[3].OpsPerSecond / figures[2].OpsPerSecond:0.0}x faster, allocates {figures[2].BytesPerOp / figures[3].BytesPerOp:0.0}x less");
        return 0;
    }
}
