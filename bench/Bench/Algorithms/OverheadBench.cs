namespace NasNotebooks.Bench.Algorithms;

internal static class OverheadBench
{
    public static int Run(string[] args) => 0;
}
