namespace NasNotebooks.Kernel;

/// <summary>Kernel diagnostics go to the process's original standard error, never to a cell's output.</summary>
internal static class Log
{
    private static readonly TextWriter Err = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
    private static readonly object Gate = new();

    public static bool Verbose { get; set; } = Environment.GetEnvironmentVariable("NASNOTEBOOKS_KERNEL_DEBUG") == "1";

    public static void Warn(string message)
    {
        lock (Gate)
        {
            Err.WriteLine($"[nasnotebooks kernel] {message}");
            Err.Flush();
        }
    }

    public static void Debug(string message)
    {
        if (Verbose)
        {
            Warn(message);
        }
    }
}
