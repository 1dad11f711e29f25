using System.Runtime.InteropServices;

namespace NasNotebooks.Runtime.Algorithms.Tpe;

/// <summary>
/// The bad-set density g(x) of <see cref="Tpe"/> for a numeric decision: the same mixture of
/// truncated Gaussians as <see cref="Parzen.Univariate"/> (one kernel per observation with Optuna's
/// ramp weights in trial order and neighbour-gap bandwidths, plus the prior kernel), built in one
/// pass over the observations already in value order, and evaluated in time that does not grow with
/// the number of observations.
/// <para>In long runs nearly every kernel has the minimum bandwidth σ (its neighbours are closer than
/// σ), and they crowd where the search samples. Those "narrow" kernels are summed per cluster of width
/// σ/2 with a truncated Hermite expansion, the fast Gauss transform (Greengard &amp; Strain, "The Fast
/// Gauss Transform", SIAM J. Sci. Stat. Comput. 1991): with h = √2σ, t = (x − c)/h and s = (μ − c)/h
/// for a cluster centred at c, exp(−(t − s)²) = exp(−t²) Σₖ Hₖ(t) sᵏ/k!, so a cluster contributes
/// exp(−t²) Σₖ Hₖ(t) Mₖ/k! with moments Mₖ = Σ q sᵏ of its kernels' weights q. With |s| ≤ 0.18 and
/// <see cref="Terms"/> terms the relative error per kernel is below 1e-9 (Cramér's bound on Hermite
/// polynomials; <see cref="Parzen.Phi"/>, used for the truncation masses, is accurate to 1e-7). Clusters too far from x to pass the cut of <see cref="Parzen.LogPdf"/> (a term more than
/// 40 below the largest is dropped) are skipped. Wider kernels (sparse regions, ends of runs of equal
/// values) and the prior are evaluated one by one. Kernels with the same mean and bandwidth (repeated
/// values of an integer decision) are merged into one with their summed weight.</para>
/// </summary>
internal sealed class ClusteredParzen
{
    /// <summary>Terms of the Hermite expansion per cluster (the moment sums in <see cref="Build"/> are unrolled for 10).</summary>
    public const int Terms = 10;

    private const double Cut = 40;
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);
    private static readonly double[] InverseFactorial = Enumerable.Range(0, Terms).Select(k => 1 / Enumerable.Range(1, k).Aggregate(1.0, (a, b) => a * b)).ToArray();

    // Narrow kernels: clusters of width sigma/2 in increasing centre, each with its moments / k!.
    private double[] _clusterCentre = [], _clusterMoments = [];
    private int _clusterCount;
    private double _narrowSigma, _narrowLogScale, _narrowLogQMax, _clusterWidth;
    // Wide kernels (and the prior): log-term = A - z^2 / 2 with z = (x - mu) / sigma.
    private double[] _wideMu = [], _wideInvSigma = [], _wideA = [];
    private int _wideCount;
    // Build buffers: per observation its chronological position among the bad ones; per kernel in value order.
    private int[] _position = [], _source = [];
    private double[] _mu = [], _weight = [], _sigma = [];
    // Per observation (by index in the history), the truncation mass of its last kernel and that kernel's mean and bandwidth.
    private double[] _massOf = [], _massMu = [], _massSigma = [];

    /// <summary>
    /// Rebuilds g(x) from the observations of <paramref name="history"/> whose trial is not in the good
    /// set (<paramref name="good"/>, indexed by trial), <paramref name="nBad"/> of them, on [low, high].
    /// </summary>
    public ClusteredParzen Build(DecisionHistory? history, bool[] good, int nBad, double low, double high, double priorWeight)
    {
        int n = history is null ? 0 : Math.Max(0, nBad), total = n + 1;
        double range = high - low, mid = 0.5 * (low + high);
        double minSigma = range / Math.Min(100.0, 1.0 + total);
        Grow(ref _mu, total); Grow(ref _weight, total); Grow(ref _sigma, total); Grow(ref _source, total);
        Grow(ref _wideMu, total); Grow(ref _wideInvSigma, total); Grow(ref _wideA, total);
        var mu = _mu; var weight = _weight; var sigma = _sigma; var source = _source;
        // Chronological position of each bad observation (for its ramp weight) and the weight sum.
        double wsum = priorWeight;
        int k = 0, priorAt = -1;
        if (n > 0)
        {
            var obs = CollectionsMarshal.AsSpan(history!.Obs);
            Grow(ref _position, obs.Length);
            if (_massOf.Length < obs.Length)
            {
                int size = Math.Max(obs.Length, 2 * _massOf.Length);
                Array.Resize(ref _massOf, size); Array.Resize(ref _massMu, size); Array.Resize(ref _massSigma, size);
            }
            var position = _position;
            var ramp = new Tpe.Ramp(n);
            for (int j = 0, i = 0; j < obs.Length; j++)
            {
                if (good[obs[j].Trial]) { position[j] = -1; continue; }
                wsum += ramp.Weight(i);
                position[j] = i++;
            }
            // Means in increasing order, the prior (at the middle) after the observations equal to it.
            foreach (int j in CollectionsMarshal.AsSpan(history.ByValue))
            {
                int p = position[j];
                if (p < 0) continue;
                double x = obs[j].Value;
                if (priorAt < 0 && x > mid) { priorAt = k; mu[k] = mid; weight[k] = priorWeight; source[k++] = -1; }
                mu[k] = x; weight[k] = ramp.Weight(p); source[k++] = j;
            }
        }
        if (priorAt < 0) { priorAt = k; mu[k] = mid; weight[k] = priorWeight; source[k++] = -1; }

        // Bandwidths: the larger gap to a neighbour (the bounds count as neighbours), the first and
        // last kernel using their inner gap only; clamped to [minSigma, range]; the prior's is the range.
        for (int i = 0; i < total; i++)
        {
            double left = i > 0 ? mu[i] - mu[i - 1] : mu[i] - low, right = i + 1 < total ? mu[i + 1] - mu[i] : high - mu[i];
            double s = total >= 2 && i == 0 ? right : total >= 2 && i == total - 1 ? left : Math.Max(left, right);
            sigma[i] = Math.Clamp(s, minSigma, range);
        }
        sigma[priorAt] = range;

        // Merge equal (mean, bandwidth) runs; narrow ones (bandwidth at the minimum) go to clusters.
        double logWsum = Math.Log(wsum);
        double width = 0.5 * minSigma, invWidth = 1 / width, invH = 1 / (Math.Sqrt(2) * minSigma);
        int clusters = 0, nw = 0;
        long currentCell = long.MinValue;
        double qMax = 0, centre = 0;
        // Moments of the current cluster (Terms = 10, unrolled).
        double m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, m9 = 0;
        for (int i = 0; i < total;)
        {
            double m = mu[i], s = sigma[i], w = weight[i];
            int j = i + 1;
            if (i != priorAt)
                while (j < total && j != priorAt && mu[j] == m && sigma[j] == s) w += weight[j++];
            double mass = Mass(source[i], m, s, low, high);
            if (s == minSigma && i != priorAt)
            {
                // Weight relative to the common factor 1 / (wsum * sigma * sqrt(2 pi)).
                double q = w / mass;
                if (q > qMax) qMax = q;
                long cell = (long)((m - low) * invWidth);
                if (cell != currentCell)
                {
                    if (clusters > 0) FlushCluster(clusters - 1, centre, m0, m1, m2, m3, m4, m5, m6, m7, m8, m9);
                    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = m8 = m9 = 0;
                    currentCell = cell;
                    centre = low + (cell + 0.5) * width;
                    clusters++;
                }
                double s1 = (m - centre) * invH, s2 = s1 * s1, s4 = s2 * s2, s8 = s4 * s4;
                m0 += q; m1 += q * s1; m2 += q * s2; m3 += q * (s2 * s1); m4 += q * s4;
                m5 += q * (s4 * s1); m6 += q * (s4 * s2); m7 += q * (s4 * s2 * s1); m8 += q * s8; m9 += q * (s8 * s1);
            }
            else
            {
                _wideMu[nw] = m; _wideInvSigma[nw] = 1 / s;
                _wideA[nw++] = Math.Log(w) - logWsum - (mass == 1 ? 0 : Math.Log(mass)) - Math.Log(s) - HalfLog2Pi;
            }
            i = j;
        }
        if (clusters > 0) FlushCluster(clusters - 1, centre, m0, m1, m2, m3, m4, m5, m6, m7, m8, m9);
        _clusterCount = clusters; _wideCount = nw;
        _narrowSigma = minSigma; _clusterWidth = width;
        _narrowLogScale = -logWsum - Math.Log(minSigma) - HalfLog2Pi;
        _narrowLogQMax = clusters > 0 ? Math.Log(qMax) : double.NegativeInfinity;
        return this;
    }

    // Stores cluster c's centre and its moments divided by k!.
    private void FlushCluster(int c, double centre, double m0, double m1, double m2, double m3, double m4, double m5, double m6, double m7, double m8, double m9)
    {
        if (_clusterCentre.Length <= c)
        {
            Array.Resize(ref _clusterCentre, Math.Max(16, 2 * _clusterCentre.Length));
            Array.Resize(ref _clusterMoments, _clusterCentre.Length * Terms);
        }
        _clusterCentre[c] = centre;
        var f = InverseFactorial;
        var d = _clusterMoments.AsSpan(c * Terms, Terms);
        d[0] = m0 * f[0]; d[1] = m1 * f[1]; d[2] = m2 * f[2]; d[3] = m3 * f[3]; d[4] = m4 * f[4];
        d[5] = m5 * f[5]; d[6] = m6 * f[6]; d[7] = m7 * f[7]; d[8] = m8 * f[8]; d[9] = m9 * f[9];
    }

    // The probability mass of N(m, s) inside [low, high], remembered per observation while its kernel stays the same.
    private double Mass(int obs, double m, double s, double low, double high)
    {
        if (m - low > 8 * s && high - m > 8 * s) return 1;
        double a = (low - m) / s, b = (high - m) / s;
        if (obs >= 0 && _massMu[obs] == m && _massSigma[obs] == s) return _massOf[obs];
        double mass = Math.Max(1e-300, Parzen.Phi(b) - Parzen.Phi(a));
        if (obs >= 0) { _massOf[obs] = mass; _massMu[obs] = m; _massSigma[obs] = s; }
        return mass;
    }

    // Makes room for `size` items, dropping the contents.
    private static void Grow<T>(ref T[] buffer, int size)
    {
        if (buffer.Length < size) buffer = new T[Math.Max(size, 2 * buffer.Length)];
    }

    /// <summary>log g(x) (kernels whose log-term is more than 40 below the largest may be left out, as in <see cref="Parzen.LogPdf"/>).</summary>
    public double LogPdf(double x)
    {
        double max = double.NegativeInfinity;
        for (int i = 0; i < _wideCount; i++)
        {
            double z = (x - _wideMu[i]) * _wideInvSigma[i];
            double t = _wideA[i] - 0.5 * z * z;
            if (t > max) max = t;
        }
        double narrow = 0;
        if (_clusterCount > 0)
        {
            // A narrow kernel farther than reach from x has a term below the prior's (a wide kernel) minus the cut.
            double slack = _narrowLogScale + _narrowLogQMax - max + Cut;
            double reach = (slack > 0 ? _narrowSigma * Math.Sqrt(2 * slack) : 0) + _clusterWidth;
            int c = Array.BinarySearch(_clusterCentre, 0, _clusterCount, x - reach);
            if (c < 0) c = ~c;
            double invH = 1 / (Math.Sqrt(2) * _narrowSigma);
            for (; c < _clusterCount && _clusterCentre[c] <= x + reach; c++)
            {
                double t = (x - _clusterCentre[c]) * invH;
                int at = c * Terms;
                // Sum of H_k(t) M_k / k! with the Hermite recurrence H_{k+1} = 2t H_k - 2k H_{k-1}.
                double hPrev = 1, hCur = 2 * t;
                double sum = _clusterMoments[at] + hCur * _clusterMoments[at + 1];
                for (int k = 1; k + 1 < Terms; k++)
                {
                    double hNext = 2 * t * hCur - 2 * k * hPrev;
                    hPrev = hCur; hCur = hNext;
                    sum += hCur * _clusterMoments[at + k + 1];
                }
                if (sum > 0) narrow += Math.Exp(-t * t) * sum;
            }
        }
        double logNarrow = narrow > 0 ? _narrowLogScale + Math.Log(narrow) : double.NegativeInfinity;
        if (logNarrow > max) max = logNarrow;
        double s = 0, cut = max - Cut;
        for (int i = 0; i < _wideCount; i++)
        {
            double z = (x - _wideMu[i]) * _wideInvSigma[i];
            double t = _wideA[i] - 0.5 * z * z;
            if (t > cut) s += Math.Exp(t - max);
        }
        if (logNarrow > cut) s += Math.Exp(logNarrow - max);
        return max + Math.Log(s);
    }
}
