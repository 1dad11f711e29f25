namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>
/// "Better than random search", with a margin that has teeth. An algorithm's mean of a per-seed statistic must exceed
/// random search's mean on the same seeds by <c>k</c> standard errors of random search's mean (its per-seed standard
/// deviation over √seeds, computed from the run itself). Random search, or anything no better, lands about 0 ± 1.4
/// such errors from it, so it fails by several standard errors; each test states why its <c>k</c> leaves room for
/// today's algorithm and excludes a partly broken one (measured with half of its proposals replaced by random ones).
/// As a built-in control, random search on other seeds is checked to fail the same bar.
/// </summary>
internal static class BeatsRandom
{
    /// <summary>Mean, sample standard deviation and standard error of the mean.</summary>
    public static (double Mean, double Sd, double Se) Describe(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, sd, sd / Math.Sqrt(values.Count));
    }

    /// <summary>
    /// Asserts mean(<paramref name="algorithm"/>) − mean(<paramref name="random"/>) ≥ <paramref name="k"/> × SE(random),
    /// and that <paramref name="randomOnOtherSeeds"/> (random search on as many other seeds) does not clear that bar.
    /// </summary>
    public static void AssertMargin(string what, IReadOnlyList<double> algorithm, IReadOnlyList<double> random, IReadOnlyList<double> randomOnOtherSeeds, double k)
    {
        Assert.Equal(random.Count, algorithm.Count);
        var (rm, sd, se) = Describe(random);
        double am = algorithm.Average(), bar = rm + k * se;
        string facts = $"{what}: algorithm {am:F4} vs random search {rm:F4} (per-seed sd {sd:F4} over {random.Count} seeds, SE {se:F4}); " +
                       $"difference {am - rm:F4} = {(am - rm) / se:F1} SE; the bar is {k} SE = {k * se:F4} above random search";
        Assert.True(am >= bar, facts);
        double other = randomOnOtherSeeds.Average();
        Assert.True(other < bar, $"{facts}; random search on other seeds reached {other:F4} ({(other - rm) / se:F1} SE): the bar does not exclude random search");
    }
}
