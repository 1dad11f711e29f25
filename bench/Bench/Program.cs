namespace NasNotebooks.Bench;

/// <summary>Benchmark entry: `dotnet run -c Release --project bench/Bench -- &lt;name&gt; [args]`.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "torch-train": return Torch.TorchTrainingBench.Run(args[1..]);
        }
        Console.WriteLine("benchmarks: " + string.Join(", ", Benchmarks.Names));
        return args.Length == 0 ? 0 : 2;
    }
}

internal static class Benchmarks
{
    public static readonly string[] Names = ["torch-train"];
}
