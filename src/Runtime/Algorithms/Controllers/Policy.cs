using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Controllers;

/// <summary>
/// A factorized stochastic policy over a <see cref="SpaceSpec"/>: a softmax over logits for every
/// categorical decision (conditional-aware: a decision is sampled, and learns, only where it is
/// active; the choices of a distinct ManyOf are masked against earlier ones) and a Gaussian on the
/// normalized scale for every float (mean and log standard deviation). Custom decisions are sampled
/// uniformly and do not learn. Parameters are updated with Adam (gradient ascent).
/// </summary>
public sealed class Policy
{
    private readonly Dictionary<string, double[]> _params = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (double[] M, double[] V)> _adam = new(StringComparer.Ordinal);
    private readonly double _lr;
    private int _t;
    private const double InitialLogSigma = -1.2; // sigma ~ 0.3 of the normalized range
    private const double MinLogSigma = -4.6, MaxLogSigma = 0.0;

    /// <summary>Creates a policy with all logits zero (uniform) and floats centred.</summary>
    public Policy(double learningRate)
    {
        SearchAlgorithmBase.Require(learningRate > 0 && double.IsFinite(learningRate), nameof(learningRate), "a positive number", learningRate);
        _lr = learningRate;
    }

    /// <summary>One sampled atomic decision, as the policy sees it.</summary>
    public readonly record struct Action(DecisionPoint Decision, int Index, double U, int[] Excluded);

    private double[] Params(DecisionPoint dp)
    {
        if (!_params.TryGetValue(dp.Id, out var p))
        {
            p = dp is ChoicesSpec c ? new double[c.CandidateCount] : [0.5, InitialLogSigma];
            _params[dp.Id] = p;
        }
        return p;
    }

    /// <summary>The current probabilities of a categorical decision (uniform if it never learned).</summary>
    public double[] Probabilities(ChoicesSpec decision) => Softmax(Params(decision), []);

    /// <summary>The current mean and standard deviation (normalized scale) of a float decision.</summary>
    public (double Mean, double Sigma) Gaussian(FloatSpec decision)
    {
        var p = Params(decision);
        return (p[0], Math.Exp(p[1]));
    }

    private static double[] Softmax(double[] logits, int[] excluded)
    {
        var p = new double[logits.Length];
        double max = double.NegativeInfinity;
        for (int j = 0; j < p.Length; j++) if (Array.IndexOf(excluded, j) < 0 && logits[j] > max) max = logits[j];
        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            p[j] = Array.IndexOf(excluded, j) >= 0 ? 0 : Math.Exp(logits[j] - max);
            s += p[j];
        }
        for (int j = 0; j < p.Length; j++) p[j] /= s;
        return p;
    }

    /// <summary>Samples a DNA.</summary>
    public Dna Sample(SpaceSpec spec, Random rng) => DnaOps.Build(spec, (dp, excluded) =>
    {
        switch (dp)
        {
            case ChoicesSpec c:
            {
                var p = Softmax(Params(c), excluded.ToArray());
                double u = rng.NextDouble();
                int last = 0;
                for (int j = 0; j < p.Length; j++)
                {
                    if (p[j] <= 0) continue;
                    last = j;
                    u -= p[j];
                    if (u < 0) return Dna.Leaf(j);
                }
                return Dna.Leaf(last);
            }
            case FloatSpec f when f.Max > f.Min:
            {
                var p = Params(f);
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                return new Dna(f.Sample(Math.Clamp(p[0] + Math.Exp(p[1]) * z, 0, 1)));
            }
            default:
                return DnaOps.RandomValue(dp, rng, excluded);
        }
    });

    /// <summary>The learnable actions that produce <paramref name="dna"/>.</summary>
    public List<Action> Actions(SpaceSpec spec, Dna dna)
    {
        var result = new List<Action>();
        var taken = new Dictionary<DnaSpec, List<int>>();
        foreach (var (dp, v) in DnaOps.Active(spec, dna))
        {
            switch (dp)
            {
                case ChoicesSpec c:
                {
                    int[] ex = [];
                    if (c is { SubchoiceIndex: >= 0, Parent: ChoicesSpec { Distinct: true } parent })
                    {
                        if (!taken.TryGetValue(parent, out var list)) taken[parent] = list = [];
                        ex = list.ToArray();
                        list.Add(v.Index);
                    }
                    result.Add(new Action(c, v.Index, 0, ex));
                    break;
                }
                case FloatSpec f when f.Max > f.Min:
                    result.Add(new Action(f, 0, Math.Clamp(f.Normalize(v.FloatValue), 0, 1), []));
                    break;
            }
        }
        return result;
    }

    /// <summary>Log-probability of the actions under the current parameters.</summary>
    public double LogProb(List<Action> actions)
    {
        double lp = 0;
        foreach (var a in actions)
        {
            var p = Params(a.Decision);
            if (a.Decision is ChoicesSpec)
                lp += Math.Log(Math.Max(1e-300, Softmax(p, a.Excluded)[a.Index]));
            else
            {
                double s = Math.Exp(p[1]), z = (a.U - p[0]) / s;
                lp += -0.5 * z * z - p[1] - 0.5 * Math.Log(2 * Math.PI);
            }
        }
        return lp;
    }

    /// <summary>Adds <paramref name="coefficient"/> times the gradient of the log-probability to <paramref name="grads"/>.</summary>
    public void AddLogProbGradient(List<Action> actions, double coefficient, Dictionary<string, double[]> grads, double entropyBonus = 0)
    {
        foreach (var a in actions)
        {
            var p = Params(a.Decision);
            if (!grads.TryGetValue(a.Decision.Id, out var g)) grads[a.Decision.Id] = g = new double[p.Length];
            if (a.Decision is ChoicesSpec)
            {
                var pr = Softmax(p, a.Excluded);
                double h = 0;
                for (int j = 0; j < pr.Length; j++) if (pr[j] > 0) h -= pr[j] * Math.Log(pr[j]);
                for (int j = 0; j < pr.Length; j++)
                {
                    g[j] += coefficient * ((j == a.Index ? 1 : 0) - pr[j]);
                    // d(entropy)/d(logit_j) = -p_j (log p_j + H)
                    if (entropyBonus != 0 && pr[j] > 0) g[j] += entropyBonus * -pr[j] * (Math.Log(pr[j]) + h);
                }
            }
            else
            {
                double s2 = Math.Exp(2 * p[1]), d = a.U - p[0];
                g[0] += coefficient * d / s2;
                g[1] += coefficient * (d * d / s2 - 1) + entropyBonus;
            }
        }
    }

    /// <summary>One Adam ascent step along <paramref name="grads"/>.</summary>
    public void Step(Dictionary<string, double[]> grads)
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        _t++;
        foreach (var (id, g) in grads)
        {
            var p = _params[id];
            if (!_adam.TryGetValue(id, out var st)) _adam[id] = st = (new double[p.Length], new double[p.Length]);
            for (int j = 0; j < p.Length; j++)
            {
                st.M[j] = b1 * st.M[j] + (1 - b1) * g[j];
                st.V[j] = b2 * st.V[j] + (1 - b2) * g[j] * g[j];
                double mh = st.M[j] / (1 - Math.Pow(b1, _t)), vh = st.V[j] / (1 - Math.Pow(b2, _t));
                p[j] += _lr * mh / (Math.Sqrt(vh) + eps);
            }
            if (IsFloat(id))
            {
                p[0] = Math.Clamp(p[0], -0.5, 1.5);
                p[1] = Math.Clamp(p[1], MinLogSigma, MaxLogSigma);
            }
        }
    }

    private readonly HashSet<string> _floats = new(StringComparer.Ordinal);

    private bool IsFloat(string id) => _floats.Contains(id);

    internal void RegisterKinds(List<Action> actions)
    {
        foreach (var a in actions) if (a.Decision is FloatSpec) _floats.Add(a.Decision.Id);
    }
}

/// <summary>
/// REINFORCE (Williams 1992) policy-gradient controller over the DNA spec, as used for NAS by
/// Zoph &amp; Le 2017 (with a factorized policy instead of an RNN): after each reward, ascend
/// (reward − baseline)·∇log π(dna), where the baseline is an exponential moving average of rewards.
/// </summary>
public sealed class Reinforce : SearchAlgorithmBase
{
    private readonly double _lr, _decay, _entropy;
    private Policy _policy;
    private double? _baseline;

    /// <summary>Creates the controller.</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="learningRate">Adam step size (positive).</param>
    /// <param name="baselineDecay">Moving-average decay of the baseline, in [0, 1).</param>
    /// <param name="entropyBonus">Weight of an entropy bonus (0 = none, non-negative).</param>
    public Reinforce(int seed = 0, double learningRate = 0.05, double baselineDecay = 0.9, double entropyBonus = 0) : base(seed)
    {
        Require(learningRate > 0 && double.IsFinite(learningRate), nameof(learningRate), "a positive number", learningRate);
        Require(baselineDecay is >= 0 and < 1, nameof(baselineDecay), "in [0, 1)", baselineDecay);
        Require(entropyBonus >= 0 && double.IsFinite(entropyBonus), nameof(entropyBonus), "non-negative", entropyBonus);
        _lr = learningRate; _decay = baselineDecay; _entropy = entropyBonus;
        _policy = new Policy(learningRate);
    }

    /// <inheritdoc />
    public override string Name => "reinforce";

    /// <summary>The learned policy.</summary>
    public Policy Policy => _policy;

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _policy = new Policy(_lr);
        _baseline = null;
    }

    /// <inheritdoc />
    public override Dna Propose() => _policy.Sample(Spec, Rng);

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        var actions = _policy.Actions(Spec, dna);
        _policy.RegisterKinds(actions);
        double r = reward.Value;
        double b = _baseline ?? r;
        var grads = new Dictionary<string, double[]>(StringComparer.Ordinal);
        _policy.AddLogProbGradient(actions, r - b, grads, _entropy);
        if (_baseline is not null) _policy.Step(grads);
        _baseline = _baseline is null ? r : _decay * b + (1 - _decay) * r;
    }
}

/// <summary>
/// Proximal policy optimization (Schulman et al. 2017) controller over the DNA spec, as in
/// Zoph et al. 2018 (NASNet): rewards are collected in batches of <c>batchSize</c>; each batch
/// takes <c>epochs</c> Adam steps on the clipped surrogate
/// min(ρ·A, clip(ρ, 1−ε, 1+ε)·A) with ρ = π(dna)/π_old(dna) and A = reward − moving-average baseline
/// (normalized within the batch).
/// </summary>
public sealed class Ppo : SearchAlgorithmBase
{
    private readonly double _lr, _decay, _clip, _entropy;
    private readonly int _batch, _epochs;
    private readonly List<(List<Policy.Action> Actions, double Reward, double OldLogProb)> _buffer = [];
    private Policy _policy;
    private double? _baseline;

    /// <summary>Creates the controller.</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="batchSize">Rewards per policy update (at least 1).</param>
    /// <param name="epochs">Optimization passes per batch (at least 1).</param>
    /// <param name="clip">PPO clipping ε, in (0, 1).</param>
    /// <param name="learningRate">Adam step size (positive).</param>
    /// <param name="baselineDecay">Moving-average decay of the baseline, in [0, 1).</param>
    /// <param name="entropyBonus">Weight of an entropy bonus (non-negative).</param>
    public Ppo(int seed = 0, int batchSize = 10, int epochs = 4, double clip = 0.2, double learningRate = 0.05, double baselineDecay = 0.9, double entropyBonus = 0) : base(seed)
    {
        Require(batchSize >= 1, nameof(batchSize), "at least 1", batchSize);
        Require(epochs >= 1, nameof(epochs), "at least 1", epochs);
        Require(clip is > 0 and < 1, nameof(clip), "in (0, 1)", clip);
        Require(learningRate > 0 && double.IsFinite(learningRate), nameof(learningRate), "a positive number", learningRate);
        Require(baselineDecay is >= 0 and < 1, nameof(baselineDecay), "in [0, 1)", baselineDecay);
        Require(entropyBonus >= 0 && double.IsFinite(entropyBonus), nameof(entropyBonus), "non-negative", entropyBonus);
        _batch = batchSize; _epochs = epochs; _clip = clip; _lr = learningRate; _decay = baselineDecay; _entropy = entropyBonus;
        _policy = new Policy(learningRate);
    }

    /// <inheritdoc />
    public override string Name => "ppo";

    /// <summary>The learned policy.</summary>
    public Policy Policy => _policy;

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _policy = new Policy(_lr);
        _baseline = null;
        _buffer.Clear();
    }

    /// <inheritdoc />
    public override Dna Propose() => _policy.Sample(Spec, Rng);

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        var actions = _policy.Actions(Spec, dna);
        _policy.RegisterKinds(actions);
        _buffer.Add((actions, reward.Value, _policy.LogProb(actions)));
        if (_buffer.Count < _batch) return;
        double b = _baseline ?? _buffer.Average(x => x.Reward);
        var adv = _buffer.Select(x => x.Reward - b).ToArray();
        double mean = adv.Average();
        double std = Math.Sqrt(adv.Select(a => (a - mean) * (a - mean)).Average());
        if (_buffer.Count > 1 && std > 1e-12) for (int i = 0; i < adv.Length; i++) adv[i] = (adv[i] - mean) / std;
        for (int e = 0; e < _epochs; e++)
        {
            var grads = new Dictionary<string, double[]>(StringComparer.Ordinal);
            for (int i = 0; i < _buffer.Count; i++)
            {
                var (acts, _, old) = _buffer[i];
                double ratio = Math.Exp(_policy.LogProb(acts) - old);
                double a = adv[i];
                bool clipped = a > 0 ? ratio > 1 + _clip : ratio < 1 - _clip;
                if (clipped) continue;
                _policy.AddLogProbGradient(acts, a * ratio / _buffer.Count, grads, _entropy / _buffer.Count);
            }
            if (grads.Count > 0) _policy.Step(grads);
        }
        foreach (var x in _buffer) b = _decay * b + (1 - _decay) * x.Reward;
        _baseline = b;
        _buffer.Clear();
    }
}
