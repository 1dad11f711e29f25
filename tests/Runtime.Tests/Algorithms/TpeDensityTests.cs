using NasNotebooks.Runtime.Algorithms.Tpe;

namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>
/// TPE's bad-set density for numeric decisions (<see cref="ClusteredParzen"/>: observations kept in
/// value order, narrow kernels summed per cluster with a Hermite expansion) against the plain mixture
/// (<see cref="Parzen.Univariate"/>: every kernel evaluated) on the same observations.
/// </summary>
public class TpeDensityTests
{
    // Observations like a search's: most crowd near a good region, the rest are uniform.
    private static (DecisionHistory History, bool[] Good, List<double> Bad) Observations(int n, int seed, double low, double high, bool integers)
    {
        var rng = new Random(seed);
        var history = new DecisionHistory(numeric: true);
        var good = new bool[n];
        for (int t = 0; t < n; t++)
        {
            double x;
            if (integers) x = rng.NextDouble() < 0.7 ? Math.Clamp(5 + rng.Next(3) - 1, 0, 7) : rng.Next(8);
            else if (rng.NextDouble() < 0.7)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x = Math.Clamp(low + (high - low) * (0.8 + 0.05 * g), low, high);
            }
            else x = low + (high - low) * rng.NextDouble();
            history.Add(t, x);
        }
        for (int i = 0; i < Math.Min(25, n / 10 + 1); i++) good[rng.Next(n)] = true;
        var bad = history.Obs.Where(o => !good[o.Trial]).Select(o => o.Value).ToList();
        return (history, good, bad);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    [InlineData(200)]
    [InlineData(5000)]
    public void ClusteredParzen_MatchesTheFullMixture_OnDistinctValues(int n)
    {
        var (history, good, bad) = Observations(n, n, 0, 1, integers: false);
        var full = Parzen.Univariate(bad, 0, 1, 1.0);
        var fast = new ClusteredParzen().Build(history, good, bad.Count, 0, 1, 1.0);
        var rng = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            double x = i < 100 ? rng.NextDouble() : Math.Clamp(0.8 + 0.1 * (rng.NextDouble() - 0.5), 0, 1);
            double a = full.LogPdf(x), b = fast.LogPdf(x);
            Assert.True(Math.Abs(a - b) < 1e-9, $"n={n}, x={x}: full {a:R}, clustered {b:R}");
        }
    }
}
