namespace NasNotebooks.Bench;

/// <summary>Benchmark entry: `dotnet run -c Release --project bench/Bench -- &lt;name&gt;`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "torch-train": return Torch.TorchTrainingBench.Run(args[1..]);
        }
        Console.WriteLine("benchmarks: " + string.Join(", ", Benchmarks.Names));
        return 0;
    }
}

internal static class Benchmarks
{
    public static readonly string[] Names = ["torch-train"];
}
