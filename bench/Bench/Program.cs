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
    public static int Main(string[] args)
    {
        var all = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var bench = args.Length > 0 ? all.FirstOrDefault(b => b.Name == args[0]) : null;
        if (bench is null)
        {
            Console.WriteLine("usage: dotnet run -c Release --project bench/Bench -- <benchmark> [args]\n\nbenchmarks:");
            foreach (var b in all) Console.WriteLine($"  {b.Name,-18} {b.Description}");
            return args.Length == 0 ? 0 : 2;
        }
        return bench.Run(args[1..]);
    }
}
