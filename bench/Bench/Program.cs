namespace NasNotebooks.Bench;

/// <summary>Benchmark entry: `dotnet run -c Release --project bench/Bench -- &lt;name&gt;`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "nb201-search") return Algorithms.Nb201SearchBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "algorithm-overhead") return Algorithms.OverheadBench.Run(args[1..]);
        Console.WriteLine("benchmarks: " + string.Join(", ", Benchmarks.Names));
        return 0;
    }
}

internal static class Benchmarks
{
    public static readonly string[] Names = [];
}
