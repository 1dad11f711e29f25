namespace NasNotebooks.Runtime.Algorithms.Tpe;

/// <summary>
/// The observations of one decision for <see cref="Tpe"/>: (trial, encoded value) in trial order
/// and, for numeric decisions, the same observations in value order (kept sorted as they arrive, so
/// building a bandwidth-by-neighbours density does not sort the history again).
/// </summary>
internal sealed class DecisionHistory(bool numeric)
{
    /// <summary>(trial, encoded value) in trial order.</summary>
    public List<(int Trial, double Value)> Obs { get; } = [];

    /// <summary>Indices into <see cref="Obs"/> ordered by (value, index); null for categorical decisions.</summary>
    public List<int>? ByValue { get; } = numeric ? [] : null;

    /// <summary>The bad-set density of this decision, rebuilt for each proposal (its buffers are reused).</summary>
    public ClusteredParzen BadDensity { get; } = new();

    /// <summary>Appends an observation of trial <paramref name="trial"/> (the newest).</summary>
    public void Add(int trial, double x)
    {
        Obs.Add((trial, x));
        if (ByValue is null) return;
        int lo = 0, hi = ByValue.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Obs[ByValue[mid]].Value <= x) lo = mid + 1; else hi = mid;
        }
        ByValue.Insert(lo, Obs.Count - 1);
    }

    /// <summary>Drops the observations of trials <paramref name="trial"/> and later (they are the newest).</summary>
    public void RemoveFrom(int trial)
    {
        int keep = Obs.Count;
        while (keep > 0 && Obs[keep - 1].Trial >= trial) keep--;
        if (keep == Obs.Count) return;
        Obs.RemoveRange(keep, Obs.Count - keep);
        ByValue?.RemoveAll(i => i >= keep);
    }
}
