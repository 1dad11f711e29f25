using System.Runtime.InteropServices;
using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Tpe;

/// <summary>
/// Tree-structured Parzen estimator, Bergstra, Bardenet, Bengio &amp; Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011, with the estimator details of Optuna 3.x
/// (<c>TPESampler</c>: prior kernel, ramp weights, "magic clip" bandwidths, <c>gamma(n) =
/// min(ceil(gamma·n), maxGood)</c>). After <c>startupTrials</c> random proposals, completed trials
/// are split into the good (top) and bad sets; each decision draws <c>candidates</c> values from
/// the good density l(x) and keeps the one maximizing l(x)/g(x). Categorical choices use
/// categorical kernels, integer (ordinal) choices and floats use truncated Gaussians on the
/// decision's scale (log floats in log space). Conditional-aware: a decision's observations come
/// only from trials where it was active. With <c>multivariate: true</c> each trial is one joint
/// kernel over all its decisions (Falkner et al. 2018; Optuna's <c>multivariate=True</c>), a
/// decision a trial lacks using the prior for that trial. Multi-objective rewards use their first
/// objective. By default a proposal that repeats an earlier DNA is replaced by a plain sample from
/// l(x) (see <c>avoidRepeats</c>).
/// <para>Parallel trials use the constant liar (Ginsbourger, Le Riche &amp; Carraro, "Kriging is
/// well-suited to parallelize optimization", 2010; Optuna's <c>constant_liar=True</c>): while trials
/// are proposed and not yet fed back, each of them counts as an observation with the worst possible
/// reward in the bad set, so g(x) rises around them and the next proposals move away instead of
/// piling onto the same region. Sequential use (every proposal fed back before the next) is
/// unaffected. A trial that never gets feedback (failed, skipped) stays a lie until it is one of
/// more than <see cref="MaxLies"/> older pending trials.</para>
/// </summary>
public sealed class Tpe : SearchAlgorithmBase
{
    private readonly int _startup, _candidates, _maxGood;
    private readonly double _gamma, _priorWeight;
    private readonly bool _multivariate, _avoidRepeats, _constantLiar;
    private readonly HashSet<Dna> _proposed = [];
    private readonly List<Dna> _pending = [];
    private int _lies;

    /// <summary>At most this many of the latest proposals still awaiting feedback count as lies.</summary>
    public const int MaxLies = 64;
    private readonly List<double> _y = [];
    // Trials best first (larger reward; NaN counts as -inf; ties: earlier trial first): the good set is its head
    // (see ProposeOnce for equal rewards at the split).
    private readonly List<int> _ranked = [];
    private readonly Dictionary<string, DecisionHistory> _obs = new(StringComparer.Ordinal);
    private readonly List<Dictionary<string, double>> _trials = [];
    private bool[] _good = [];

    /// <summary>Creates the sampler.</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="startupTrials">Random proposals before the model is used (at least 0).</param>
    /// <param name="candidates">Candidates drawn from l(x) per decision (per proposal when multivariate), at least 1.</param>
    /// <param name="gamma">Fraction of completed trials in the good set, in (0, 1].</param>
    /// <param name="maxGood">Cap on the good set size (at least 1).</param>
    /// <param name="priorWeight">Weight of the uniform/wide prior kernel (positive).</param>
    /// <param name="multivariate">Joint kernels over all decisions of a trial instead of independent per-decision estimators.</param>
    /// <param name="avoidRepeats">When the l/g maximizer is a DNA proposed before (common with categorical decisions, where
    /// the argmax converges), propose a plain sample from l(x) instead (up to 10 tries, then a uniform one).</param>
    /// <param name="constantLiar">Count proposals still awaiting feedback as worst-reward observations (parallel trials; see the class remarks).</param>
    public Tpe(int seed = 0, int startupTrials = 10, int candidates = 24, double gamma = 0.1, int maxGood = 25, double priorWeight = 1.0, bool multivariate = false, bool avoidRepeats = true, bool constantLiar = true) : base(seed)
    {
        Require(startupTrials >= 0, nameof(startupTrials), "at least 0", startupTrials);
        Require(candidates >= 1, nameof(candidates), "at least 1", candidates);
        Require(gamma is > 0 and <= 1, nameof(gamma), "in (0, 1]", gamma);
        Require(maxGood >= 1, nameof(maxGood), "at least 1", maxGood);
        Require(priorWeight > 0 && double.IsFinite(priorWeight), nameof(priorWeight), "a positive number", priorWeight);
        _startup = startupTrials; _candidates = candidates; _gamma = gamma; _maxGood = maxGood; _priorWeight = priorWeight; _multivariate = multivariate; _avoidRepeats = avoidRepeats; _constantLiar = constantLiar;
    }

    /// <summary>Proposals made and not yet fed back (counted as lies when <c>constantLiar</c> is on).</summary>
    public int PendingCount => _pending.Count;

    /// <inheritdoc />
    public override string Name => _multivariate ? "tpe_multivariate" : "tpe";

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _y.Clear(); _ranked.Clear(); _obs.Clear(); _trials.Clear(); _proposed.Clear(); _pending.Clear(); _lies = 0;
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        _ = Spec;
        if (_avoidRepeats) _proposed.Add(dna);
        int at = _pending.IndexOf(dna);
        if (at >= 0) _pending.RemoveAt(at);
        Observe(dna, reward.Value);
    }

    /// <summary>Replays the history (see <see cref="SearchAlgorithmBase.Recover"/>); trials pending before a restart are not lies afterwards.</summary>
    public override void Recover(IEnumerable<(Dna Dna, Reward Reward)> history)
    {
        base.Recover(history);
        _pending.Clear();
    }

    private void Observe(Dna dna, double y)
    {
        var spec = Spec;
        int t = _y.Count;
        _y.Add(y);
        double key = RankKey(t);
        int lo = 0, hi = _ranked.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (RankKey(_ranked[mid]) >= key) lo = mid + 1; else hi = mid;
        }
        _ranked.Insert(lo, t);
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (dp, v) in DnaOps.Active(spec, dna))
        {
            if (!TryEncode(dp, v, out double x)) continue;
            row[dp.Id] = x;
            if (!_obs.TryGetValue(dp.Id, out var h)) _obs[dp.Id] = h = new DecisionHistory(KindOf(dp) == Kind.Numeric);
            h.Add(t, x);
        }
        _trials.Add(row);
    }

    private double RankKey(int trial) => double.IsNaN(_y[trial]) ? double.NegativeInfinity : _y[trial];

    private enum Kind { Categorical, Numeric, Other }

    private static Kind KindOf(DecisionPoint dp) => dp switch
    {
        ChoicesSpec c when c.IsOrdinal && c.CandidateCount > 2 => Kind.Numeric,
        ChoicesSpec => Kind.Categorical,
        FloatSpec f when f.Max > f.Min => Kind.Numeric,
        _ => Kind.Other,
    };

    private static (double Low, double High) Bounds(DecisionPoint dp) => dp is ChoicesSpec c ? (-0.5, c.CandidateCount - 0.5) : (0, 1);

    private static bool TryEncode(DecisionPoint dp, Dna v, out double x)
    {
        switch (dp)
        {
            case ChoicesSpec: x = v.Index; return true;
            case FloatSpec f when f.Max > f.Min: x = Math.Clamp(f.Normalize(v.FloatValue), 0, 1); return true;
            default: x = 0; return false;
        }
    }

    private static Dna Decode(DecisionPoint dp, double x) => dp switch
    {
        ChoicesSpec c => Dna.Leaf(Math.Clamp((int)Math.Round(x), 0, c.CandidateCount - 1)),
        FloatSpec f => new Dna(f.Sample(Math.Clamp(x, 0, 1))),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>Optuna's default weights: flat for the 25 most recent, a ramp from 1/n for older ones.</summary>
    internal static double[] RampWeights(int n)
    {
        var ramp = new Ramp(n);
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = ramp.Weight(i);
        return w;
    }

    /// <summary>The weights of <see cref="RampWeights"/> one at a time: <c>Weight(i)</c> is the weight of the i-th oldest of n observations.</summary>
    internal readonly struct Ramp(int n)
    {
        private readonly int _ramp = n - 25;
        private readonly double _first = 1.0 / n, _slope = 1 - 1.0 / n, _span = n - 25 - 1;

        public double Weight(int i) => i >= _ramp ? 1.0 : _ramp == 1 ? _first : _first + _slope * i / _span;
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        bool lying = _constantLiar && _pending.Count > 0 && _y.Count >= Math.Max(1, _startup);
        if (lying) AddLies();
        Dna dna;
        try
        {
            dna = ProposeOnce(_candidates);
            if (_avoidRepeats)
            {
                for (int i = 0; i < 10 && _proposed.Contains(dna); i++) dna = ProposeOnce(1);
                for (int i = 0; i < 100 && _proposed.Contains(dna); i++) dna = Spec.Random(Rng);
                _proposed.Add(dna);
            }
        }
        finally
        {
            if (lying) RemoveLies();
        }
        if (_constantLiar)
        {
            _pending.Add(dna);
            if (_pending.Count > MaxLies) _pending.RemoveAt(0);
        }
        return dna;
    }

    // The pending proposals join the observations with reward -inf for the duration of one proposal.
    private void AddLies()
    {
        foreach (var dna in _pending) Observe(dna, double.NegativeInfinity);
        _lies = _pending.Count;
    }

    private void RemoveLies()
    {
        int real = _y.Count - _lies;
        _y.RemoveRange(real, _lies);
        _trials.RemoveRange(real, _lies);
        _ranked.RemoveAll(t => t >= real);
        foreach (var h in _obs.Values) h.RemoveFrom(real);
        _lies = 0;
    }

    private Dna ProposeOnce(int candidates)
    {
        var spec = Spec;
        int n = _y.Count, real = n - _lies;
        if (real < Math.Max(1, _startup)) return spec.Random(Rng);
        // Split: the top nGood trials (larger reward is better; ties by order) form the good set;
        // its size follows the real observations only, so lies (reward -inf, ranked after every real trial) are always bad.
        int nGood = Math.Min((int)Math.Ceiling(_gamma * real), _maxGood);
        nGood = Math.Clamp(nGood, 1, real);
        if (_good.Length < n) _good = new bool[Math.Max(n, 2 * _good.Length)];
        var goodTrials = new int[nGood];
        _ranked.CopyTo(0, goodTrials, 0, nGood);
        if (nGood < n && _y[_ranked[nGood - 1]] == _y[_ranked[nGood]])
        {
            // Equal rewards straddle the split: which of them are good is decided as it always was,
            // by sorting every reward (Array.Sort is not stable), so seeded runs stay as they were.
            var keys = new double[n];
            var order = new int[n];
            for (int i = 0; i < n; i++) { keys[i] = -_y[i]; order[i] = i; }
            Array.Sort(keys, order);
            Array.Copy(order, goodTrials, nGood);
        }
        Array.Sort(goodTrials);
        foreach (int t in goodTrials) _good[t] = true;
        try
        {
            return _multivariate ? ProposeJoint(spec, _good, nGood, candidates) : ProposeIndependent(spec, goodTrials, candidates);
        }
        finally
        {
            foreach (int t in goodTrials) _good[t] = false;
        }
    }

    // ---------------- independent (univariate) ----------------

    // The good set is small (at most maxGood trials): l(x) is built from it directly. The bad set
    // holds every other trial: g(x) is built in one pass over the decision's history (categorical)
    // or over its observations in value order, evaluated only where its kernels matter (numeric).
    private Dna ProposeIndependent(SpaceSpec spec, int[] goodTrials, int candidates)
    {
        return DnaOps.Build(spec, (dp, excluded) =>
        {
            var kind = KindOf(dp);
            if (kind == Kind.Other) return DnaOps.RandomValue(dp, Rng, excluded);
            _obs.TryGetValue(dp.Id, out var history);
            var lo = new List<double>(goodTrials.Length);
            foreach (int t in goodTrials) if (_trials[t].TryGetValue(dp.Id, out double x)) lo.Add(x);
            int nBad = (history?.Obs.Count ?? 0) - lo.Count;
            if (kind == Kind.Categorical)
            {
                int k = ((ChoicesSpec)dp).CandidateCount;
                var pl = CategoricalProbs(lo, k);
                var pg = BadCategoricalProbs(history, nBad, k);
                foreach (var e in excluded) if (e >= 0 && e < k) pl[e] = 0;
                double total = pl.Sum();
                if (total <= 0) return DnaOps.RandomValue(dp, Rng, excluded);
                int best = -1; double bestScore = double.NegativeInfinity;
                for (int c = 0; c < candidates; c++)
                {
                    int j = SampleIndex(pl, total);
                    double s = Math.Log(pl[j]) - Math.Log(pg[j]);
                    if (s > bestScore) { bestScore = s; best = j; }
                }
                return Dna.Leaf(best);
            }
            var (low, high) = Bounds(dp);
            var l = Parzen.Univariate(lo, low, high, _priorWeight);
            var g = history is null ? new ClusteredParzen().Build(null, _good, 0, low, high, _priorWeight) : history.BadDensity.Build(history, _good, nBad, low, high, _priorWeight);
            double bx = 0, bs = double.NegativeInfinity;
            for (int c = 0; c < candidates; c++)
            {
                double x = l.Sample(Rng);
                double s = l.LogPdf(x) - g.LogPdf(x);
                if (s > bs) { bs = s; bx = x; }
            }
            return Decode(dp, bx);
        });
    }

    private int SampleIndex(double[] p, double total)
    {
        double u = Rng.NextDouble() * total;
        int last = -1;
        for (int j = 0; j < p.Length; j++)
        {
            if (p[j] <= 0) continue;
            last = j;
            u -= p[j];
            if (u < 0) return j;
        }
        return last;
    }

    // Optuna 3.x categorical Parzen estimator: each observation's kernel puts 1 + eps on it and eps
    // (= priorWeight / kernels) elsewhere; a uniform prior kernel; ramp mixture weights.
    private double[] CategoricalProbs(List<double> obs, int k)
    {
        int n = obs.Count;
        var w = RampWeights(n);
        double wsum = w.Sum() + _priorWeight;
        double eps = _priorWeight / (n + 1);
        var counts = new double[k];
        for (int i = 0; i < n; i++) counts[(int)obs[i]] += w[i];
        var p = new double[k];
        double obsMass = w.Sum();
        for (int c = 0; c < k; c++)
            p[c] = ((eps * obsMass + counts[c]) / (1 + k * eps) + _priorWeight / k) / wsum;
        return p;
    }

    // CategoricalProbs of the decision's observations outside the good set, in trial order, without copying them.
    private double[] BadCategoricalProbs(DecisionHistory? history, int n, int k)
    {
        var counts = new double[k];
        double obsMass = 0;
        if (history is not null)
        {
            var ramp = new Ramp(n);
            var good = _good;
            int i = 0;
            foreach (var (t, x) in CollectionsMarshal.AsSpan(history.Obs))
            {
                if (good[t]) continue;
                double w = ramp.Weight(i++);
                counts[(int)x] += w;
                obsMass += w;
            }
        }
        double wsum = obsMass + _priorWeight;
        double eps = _priorWeight / (n + 1);
        var p = new double[k];
        for (int c = 0; c < k; c++)
            p[c] = ((eps * obsMass + counts[c]) / (1 + k * eps) + _priorWeight / k) / wsum;
        return p;
    }

    // ---------------- multivariate (joint kernels) ----------------

    private Dna ProposeJoint(SpaceSpec spec, bool[] good, int nGood, int candidates)
    {
        int n = _y.Count;
        var goodIdx = new List<int>(nGood);
        var badIdx = new List<int>(n - nGood);
        for (int t = 0; t < n; t++) (good[t] ? goodIdx : badIdx).Add(t);
        _columnCache.Clear();
        _normCache.Clear();
        var lw = MixtureLogWeights(goodIdx.Count);
        var gw = MixtureLogWeights(badIdx.Count);
        int dims = Math.Max(1, DnaOps.AtomicIds(spec).Count);
        double SigmaFor(int count) => 0.2 * Math.Pow(Math.Max(count, 1), -1.0 / (dims + 4));
        double sl = SigmaFor(goodIdx.Count), sg = SigmaFor(badIdx.Count);

        Dna? best = null; double bestScore = double.NegativeInfinity;
        for (int c = 0; c < candidates; c++)
        {
            // Pick one joint kernel of l (the last index is the prior) and sample every active decision from it.
            int kernel = SampleLog(lw);
            var row = kernel < goodIdx.Count ? _trials[goodIdx[kernel]] : null;
            var chosen = new List<(DecisionPoint, double)>();
            var dna = DnaOps.Build(spec, (dp, excluded) =>
            {
                var kind = KindOf(dp);
                if (kind == Kind.Other) return DnaOps.RandomValue(dp, Rng, excluded);
                double x;
                bool has = row is not null && row.TryGetValue(dp.Id, out x);
                x = has ? row![dp.Id] : double.NaN;
                if (kind == Kind.Categorical)
                {
                    int k = ((ChoicesSpec)dp).CandidateCount;
                    double eps = _priorWeight / (goodIdx.Count + 1);
                    int j;
                    if (has && Rng.NextDouble() < 1 / (1 + k * eps)) j = (int)x;
                    else j = Rng.Next(k);
                    if (excluded.Contains(j)) return DnaOps.RandomValue(dp, Rng, excluded);
                    chosen.Add((dp, j));
                    return Dna.Leaf(j);
                }
                var (low, high) = Bounds(dp);
                double range = high - low;
                double v = has ? Parzen.SampleTruncated(Rng, x, sl * range, low, high) : Parzen.SampleTruncated(Rng, 0.5 * (low + high), range, low, high);
                var d = Decode(dp, v);
                if (dp is ChoicesSpec && excluded.Contains(d.Index)) return DnaOps.RandomValue(dp, Rng, excluded);
                TryEncode(dp, d, out double enc);
                if (dp is FloatSpec) enc = v;
                chosen.Add((dp, enc));
                return d;
            });
            double score = JointLogDensity(chosen, goodIdx, lw, sl, true) - JointLogDensity(chosen, badIdx, gw, sg, false);
            if (score > bestScore) { bestScore = score; best = dna; }
        }
        return best!;
    }

    private double[] MixtureLogWeights(int n)
    {
        var w = RampWeights(n);
        double total = w.Sum() + _priorWeight;
        var lw = new double[n + 1];
        for (int i = 0; i < n; i++) lw[i] = Math.Log(w[i] / total);
        lw[n] = Math.Log(_priorWeight / total);
        return lw;
    }

    private int SampleLog(double[] logW)
    {
        double u = Rng.NextDouble();
        for (int i = 0; i < logW.Length; i++)
        {
            u -= Math.Exp(logW[i]);
            if (u < 0) return i;
        }
        return logW.Length - 1;
    }

    // Per-proposal caches for the joint density: each decision's values over all trials (NaN when
    // inactive) and, per (decision, set), each member kernel's log normalizer.
    private readonly Dictionary<string, double[]> _columnCache = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, bool), double[]> _normCache = [];

    private double[] Column(string id)
    {
        if (_columnCache.TryGetValue(id, out var col)) return col;
        col = new double[_y.Count];
        Array.Fill(col, double.NaN);
        if (_obs.TryGetValue(id, out var h)) foreach (var (t, x) in h.Obs) col[t] = x;
        _columnCache[id] = col;
        return col;
    }

    private double[] _jointAcc = [];

    private double JointLogDensity(List<(DecisionPoint Dp, double X)> point, List<int> members, double[] logW, double sigma, bool goodSet)
    {
        int m = members.Count;
        if (_jointAcc.Length < m + 1) _jointAcc = new double[Math.Max(m + 1, 2 * _jointAcc.Length)];
        var acc = _jointAcc.AsSpan(0, m + 1);
        for (int i = 0; i <= m; i++) acc[i] = logW[i];
        double eps = _priorWeight / (m + 1);
        foreach (var (dp, x) in point)
        {
            bool cat = KindOf(dp) == Kind.Categorical;
            var (low, high) = Bounds(dp);
            double range = high - low;
            var col = Column(dp.Id);
            if (cat)
            {
                int k = ((ChoicesSpec)dp).CandidateCount;
                double priorLog = -Math.Log(k);
                double hit = Math.Log((1 + eps) / (1 + k * eps)), miss = Math.Log(eps / (1 + k * eps));
                for (int i = 0; i < m; i++)
                {
                    double o = col[members[i]];
                    acc[i] += double.IsNaN(o) ? priorLog : (int)o == (int)x ? hit : miss;
                }
                acc[m] += priorLog;
            }
            else
            {
                double sd = Math.Max(sigma * range, range / 100);
                double priorLog = Parzen.LogTruncatedPdf(x, 0.5 * (low + high), range, low, high);
                if (!_normCache.TryGetValue((dp.Id, goodSet), out var norm))
                {
                    norm = new double[m];
                    double c = Math.Log(sd) + 0.5 * Math.Log(2 * Math.PI);
                    for (int i = 0; i < m; i++)
                    {
                        double o = col[members[i]];
                        norm[i] = double.IsNaN(o) ? double.NaN : c + Math.Log(Math.Max(1e-300, Parzen.Phi((high - o) / sd) - Parzen.Phi((low - o) / sd)));
                    }
                    _normCache[(dp.Id, goodSet)] = norm;
                }
                double inv = 1 / sd;
                for (int i = 0; i < m; i++)
                {
                    double o = col[members[i]];
                    if (double.IsNaN(o)) { acc[i] += priorLog; continue; }
                    double z = (x - o) * inv;
                    acc[i] += -0.5 * z * z - norm[i];
                }
                acc[m] += priorLog;
            }
        }
        return Parzen.LogSumExp(acc);
    }
}

/// <summary>A one-dimensional mixture of truncated Gaussians (Optuna 3.x numerical Parzen estimator).</summary>
internal sealed class Parzen
{
    private readonly double[] _mu, _sigma, _invSigma, _logW, _logNorm;
    private readonly double[] _w;
    private readonly double _low, _high;

    private Parzen(double[] mu, double[] sigma, double[] w, double low, double high)
    {
        _mu = mu; _sigma = sigma; _low = low; _high = high; _w = w;
        _invSigma = sigma.Select(x => 1 / x).ToArray();
        _logW = w.Select(x => Math.Log(x)).ToArray();
        _logNorm = new double[mu.Length];
        double c = 0.5 * Math.Log(2 * Math.PI);
        for (int i = 0; i < mu.Length; i++)
        {
            double a = (low - mu[i]) / sigma[i], b = (high - mu[i]) / sigma[i];
            // Kernels far from both bounds keep (almost) all their mass: skip the two CDF evaluations.
            double mass = a < -8 && b > 8 ? 1 : Math.Max(1e-300, Phi(b) - Phi(a));
            _logNorm[i] = Math.Log(mass) + Math.Log(sigma[i]) + c;
        }
    }

    public static Parzen Univariate(List<double> obs, double low, double high, double priorWeight)
    {
        int n = obs.Count;
        var mus = new double[n + 1];
        for (int i = 0; i < n; i++) mus[i] = obs[i];
        mus[n] = 0.5 * (low + high);
        var w = Tpe.RampWeights(n);
        var weights = new double[n + 1];
        double total = w.Sum() + priorWeight;
        for (int i = 0; i < n; i++) weights[i] = w[i] / total;
        weights[n] = priorWeight / total;
        // Bandwidth: distance to the farther neighbour among the sorted means (endpoints excluded).
        var idx = Enumerable.Range(0, n + 1).ToArray();
        var sorted = (double[])mus.Clone();
        Array.Sort(sorted, idx);
        var withEnds = new double[n + 3];
        withEnds[0] = low; withEnds[^1] = high;
        Array.Copy(sorted, 0, withEnds, 1, n + 1);
        var sortedSigma = new double[n + 1];
        for (int i = 0; i <= n; i++) sortedSigma[i] = Math.Max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
        if (withEnds.Length >= 4)
        {
            sortedSigma[0] = withEnds[2] - withEnds[1];
            sortedSigma[^1] = withEnds[^2] - withEnds[^3];
        }
        var sigma = new double[n + 1];
        for (int i = 0; i <= n; i++) sigma[idx[i]] = sortedSigma[i];
        double range = high - low;
        double minSigma = range / Math.Min(100.0, 1.0 + (n + 1));
        for (int i = 0; i <= n; i++) sigma[i] = Math.Clamp(sigma[i], minSigma, range);
        sigma[n] = range;
        return new Parzen(mus, sigma, weights, low, high);
    }

    public double Sample(Random rng)
    {
        double u = rng.NextDouble();
        int k = _w.Length - 1;
        for (int i = 0; i < _w.Length; i++) { u -= _w[i]; if (u < 0) { k = i; break; } }
        return SampleTruncated(rng, _mu[k], _sigma[k], _low, _high);
    }

    public double LogPdf(double x)
    {
        int n = _mu.Length;
        if (_scratch is null || _scratch.Length < n) _scratch = new double[Math.Max(4096, 2 * n)];
        double[] terms = _scratch;
        double max = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double z = (x - _mu[i]) * _invSigma[i];
            double t = _logW[i] - 0.5 * z * z - _logNorm[i];
            terms[i] = t;
            if (t > max) max = t;
        }
        double s = 0, cut = max - 40;
        for (int i = 0; i < n; i++) if (terms[i] > cut) s += Math.Exp(terms[i] - max);
        return max + Math.Log(s);
    }

    [ThreadStatic] private static double[]? _scratch;

    public static double SampleTruncated(Random rng, double mu, double sigma, double low, double high)
    {
        for (int t = 0; t < 100; t++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            double x = mu + sigma * z;
            if (x >= low && x <= high) return x;
        }
        return Math.Clamp(mu, low, high);
    }

    public static double LogTruncatedPdf(double x, double mu, double sigma, double low, double high)
    {
        double z = (x - mu) / sigma;
        double mass = Math.Max(1e-300, Phi((high - mu) / sigma) - Phi((low - mu) / sigma));
        return -0.5 * z * z - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI) - Math.Log(mass);
    }

    public static double LogSumExp(ReadOnlySpan<double> v)
    {
        double max = double.NegativeInfinity;
        foreach (var x in v) if (x > max) max = x;
        if (double.IsNegativeInfinity(max)) return max;
        double s = 0, cut = max - 40; // terms below e^-40 of the largest do not change the sum
        foreach (var x in v) if (x > cut) s += Math.Exp(x - max);
        return max + Math.Log(s);
    }

    /// <summary>Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    public static double Phi(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        // Beyond 26 the result is below 1e-294 (and exp would underflow, which is slow): 0 or 2.
        if (z > 26) return x >= 0 ? 0 : 2;
        double t = 1 / (1 + 0.5 * z);
        double ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }
}
