namespace NasNotebooks.Kernel;

/// <summary>Entry point of the NasNotebooks Jupyter kernel.</summary>
public static class Program
{
    /// <summary>Runs the kernel command line.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("nasnotebooks-kernel: not yet wired");
        return args.Length == 0 ? 0 : 1;
    }
}
