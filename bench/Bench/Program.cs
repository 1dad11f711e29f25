namespace NasNotebooks.Bench;

/// <summary>Benchmark entry: `dotnet run -c Release --project bench/Bench -- &lt;name&gt;`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "studies") return Studies.StudyOverheadBench.Run(args[1..]);
        Console.WriteLine("benchmarks: " + string.Join(", ", Benchmarks.Names));
        return 0;
    }
}

internal static class Benchmarks
{
    public static readonly string[] Names = [];
}
