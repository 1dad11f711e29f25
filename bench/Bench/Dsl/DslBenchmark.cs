using System.Diagnostics;
using NasNotebooks.Dsl;

namespace NasNotebooks.Bench.Dsl;

/// <summary>
/// DSL throughput: random DNA + materialize, encode, and DNA JSON round trips per second, with
/// allocated bytes per operation, on the NB201 space and a wide mixed space. PyGlove is not
/// installable here (no PyPI), so its figures are quoted from shared/PEERS.md (same machine kind).
/// </summary>
public sealed class DslBenchmark : IBenchmark
{
    public string Name => "dsl";

    public string Description => "DSL: random+materialize, encode, JSON round trip per second (NB201 and wide spaces)";

    private const double PyGloveNb201PerSecond = 110;
    private const double PyGloveWidePerSecond = 8;

    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2.0;
        string[] ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];
        var nb201 = Space.Repeat(6, i => Hyper.OneOf(ops));
        var wide = new SymDict();
        for (int i = 0; i < 50; i++) wide["c" + i] = Hyper.OneOf(Enumerable.Range(0, 10));
        for (int i = 0; i < 50; i++) wide["f" + i] = Hyper.Float(1e-5, 1, Scale.Log);

        Console.WriteLine($"DSL benchmark, single thread, {seconds:0.#} s per figure ({Environment.ProcessorCount} cores)\n");
        Console.WriteLine("| space | operation | per second | bytes/op | PyGlove (PEERS.md) | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Report("NB201 (6 x OneOf(5))", nb201, seconds, PyGloveNb201PerSecond);
        Report("wide (50 OneOf(10) + 50 log Float)", wide, seconds, PyGloveWidePerSecond);
        return 0;
    }

    private static void Report(string label, object space, double seconds, double peer)
    {
        var spec = Space.Spec(space);
        var rng = new Random(1);
        var (rate, bytes) = Measure(seconds, () => spec.Materialize(spec.Random(rng)));
        Console.WriteLine($"| {label} | random DNA + materialize | {rate:N0} | {bytes:N0} | {peer:N0}/s | {rate / peer:N0}x |");
        var values = Enumerable.Range(0, 1024).Select(_ => spec.Materialize(spec.Random(rng))).ToArray();
        int i = 0;
        (rate, bytes) = Measure(seconds, () => spec.Encode(values[i++ & 1023]));
        Console.WriteLine($"| {label} | encode | {rate:N0} | {bytes:N0} | | |");
        var dnas = Enumerable.Range(0, 1024).Select(_ => spec.Random(rng)).ToArray();
        (rate, bytes) = Measure(seconds, () => Dna.FromJson(dnas[i++ & 1023].ToJson()));
        Console.WriteLine($"| {label} | DNA -> JSON -> DNA | {rate:N0} | {bytes:N0} | | |");
    }

    private static (double PerSecond, double BytesPerOp) Measure(double seconds, Func<object?> op)
    {
        for (int w = 0; w < 20_000; w++) op();
        long count = 0;
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        object? sink = null;
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (int k = 0; k < 256; k++) sink = op();
            count += 256;
        }
        sw.Stop();
        GC.KeepAlive(sink);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - bytes0;
        return (count / sw.Elapsed.TotalSeconds, (double)bytes / count);
    }
}
