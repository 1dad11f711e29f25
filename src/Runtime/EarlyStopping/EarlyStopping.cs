namespace NasNotebooks.Runtime.EarlyStopping;

/// <summary>
/// Base of the early-stopping policies: decides whether a running trial should stop, from its latest
/// intermediate measurement and the measurements of the other trials at the same step. It is the search
/// loop's <see cref="NasNotebooks.Runtime.IEarlyStoppingPolicy"/>, with a trial-id overload that is
/// easy to call without a store; the loop ends the trial (status <see cref="TrialStatus.Skipped"/>)
/// when it answers true. Rewards are larger-is-better; the first objective is used.
/// </summary>
public abstract class EarlyStoppingPolicy : NasNotebooks.Runtime.IEarlyStoppingPolicy
{
    /// <summary>True when trial <paramref name="trialId"/> should stop after <paramref name="latest"/>.</summary>
    /// <param name="trialId">The running trial.</param>
    /// <param name="latest">Its latest measurement.</param>
    /// <param name="history">Trials of the study (any status; the running trial may be among them and is ignored).</param>
    public abstract bool ShouldStop(int trialId, Measurement latest, IReadOnlyList<Trial> history);

    /// <inheritdoc />
    public bool ShouldStop(Trial trial, Measurement latest, IReadOnlyList<Trial> history) => ShouldStop(trial.Id, latest, history);
}

/// <summary>Helpers shared by the policies.</summary>
public static class EarlyStoppingMath
{
    /// <summary>
    /// A trial's value at <paramref name="step"/>: the measurement at that step, or the latest one
    /// before it when the trial has reported a later step (it skipped that step); null when the trial
    /// has not reached the step.
    /// </summary>
    public static double? ValueAt(Trial trial, int step)
    {
        ArgumentNullException.ThrowIfNull(trial);
        Measurement? before = null;
        bool reached = false;
        foreach (var m in trial.Measurements)
        {
            if (m.Step == step) return m.Reward.Value;
            if (m.Step < step && (before is null || m.Step > before.Step)) before = m;
            if (m.Step > step) reached = true;
        }
        return reached && before is not null ? before.Reward.Value : null;
    }

    /// <summary>Values of the other trials at a step.</summary>
    public static List<double> OthersAt(int trialId, int step, IReadOnlyList<Trial> history, Func<Trial, bool>? filter = null)
    {
        var values = new List<double>();
        foreach (var t in history)
        {
            if (t.Id == trialId || (filter is not null && !filter(t))) continue;
            if (ValueAt(t, step) is { } v) values.Add(v);
        }
        return values;
    }

    /// <summary>Linear-interpolated percentile (0..100) of values, as NumPy's default.</summary>
    public static double Percentile(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var s = values.OrderBy(v => v).ToArray();
        double pos = percentile / 100 * (s.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    internal static void Require(bool ok, string option, string expected, object? actual)
    {
        if (!ok) throw new ArgumentException($"Option '{option}' must be {expected}; got {actual}.", option);
    }
}

/// <summary>
/// Asynchronous successive halving (ASHA), Li et al., "A System for Massively Parallel
/// Hyperparameter Tuning", MLSys 2020. Rungs sit at steps <c>minResource·η^(s+k)</c>
/// (s = <c>minEarlyStoppingRate</c>, k = 0, 1, ...). When a trial first reaches a rung it continues
/// only if its value is among the top ⌊n/η⌋ of the n trials (itself included) that reached the rung;
/// with fewer than η trials there it continues.
/// </summary>
public class SuccessiveHalving : EarlyStoppingPolicy
{
    private readonly Dictionary<int, int> _judged = [];
    private readonly object _lock = new();

    /// <summary>Creates the policy.</summary>
    /// <param name="minResource">Step of the first rung (at least 1).</param>
    /// <param name="reductionFactor">η: keep the top 1/η at each rung (at least 2).</param>
    /// <param name="minEarlyStoppingRate">s: skips the first s rungs (at least 0).</param>
    /// <param name="maxResource">Steps at or beyond this have no rung (null: unbounded).</param>
    public SuccessiveHalving(int minResource = 1, int reductionFactor = 3, int minEarlyStoppingRate = 0, int? maxResource = null)
    {
        EarlyStoppingMath.Require(minResource >= 1, nameof(minResource), "at least 1", minResource);
        EarlyStoppingMath.Require(reductionFactor >= 2, nameof(reductionFactor), "at least 2", reductionFactor);
        EarlyStoppingMath.Require(minEarlyStoppingRate >= 0, nameof(minEarlyStoppingRate), "at least 0", minEarlyStoppingRate);
        EarlyStoppingMath.Require(maxResource is null || maxResource >= minResource, nameof(maxResource), $"null or at least minResource={minResource}", maxResource);
        MinResource = minResource; ReductionFactor = reductionFactor; MinEarlyStoppingRate = minEarlyStoppingRate; MaxResource = maxResource;
    }

    /// <summary>Step of the first rung before <see cref="MinEarlyStoppingRate"/> is applied.</summary>
    public int MinResource { get; }

    /// <summary>η.</summary>
    public int ReductionFactor { get; }

    /// <summary>s.</summary>
    public int MinEarlyStoppingRate { get; }

    /// <summary>Last step (no rung at or beyond it), if any.</summary>
    public int? MaxResource { get; }

    /// <summary>The rung steps up to <paramref name="maxStep"/>.</summary>
    public IEnumerable<int> Rungs(int maxStep)
    {
        double r = MinResource * Math.Pow(ReductionFactor, MinEarlyStoppingRate);
        while (r <= maxStep && (MaxResource is null || r < MaxResource))
        {
            yield return (int)r;
            r *= ReductionFactor;
        }
    }

    /// <summary>Which trials compete with <paramref name="trialId"/> (all by default; Hyperband restricts to a bracket).</summary>
    protected virtual bool Competes(int trialId, Trial other) => true;

    /// <inheritdoc />
    public override bool ShouldStop(int trialId, Measurement latest, IReadOnlyList<Trial> history)
    {
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(history);
        int rung = -1;
        foreach (var r in Rungs(latest.Step)) rung = r;
        if (rung < 0) return false;
        lock (_lock)
        {
            if (_judged.TryGetValue(trialId, out var done) && done >= rung) return false;
            _judged[trialId] = rung;
        }
        var others = EarlyStoppingMath.OthersAt(trialId, rung, history, t => Competes(trialId, t));
        double v = latest.Step == rung ? latest.Reward.Value : ValueOfSelf(trialId, rung, history) ?? latest.Reward.Value;
        int n = others.Count + 1;
        int keep = n / ReductionFactor;
        if (keep == 0) return false;
        int better = others.Count(o => o > v);
        return better >= keep;
    }

    private static double? ValueOfSelf(int trialId, int rung, IReadOnlyList<Trial> history)
    {
        foreach (var t in history) if (t.Id == trialId) return EarlyStoppingMath.ValueAt(t, rung);
        return null;
    }
}

/// <summary>ASHA: <see cref="SuccessiveHalving"/> under its usual name.</summary>
public sealed class Asha(int minResource = 1, int reductionFactor = 3, int minEarlyStoppingRate = 0, int? maxResource = null)
    : SuccessiveHalving(minResource, reductionFactor, minEarlyStoppingRate, maxResource);

/// <summary>
/// Hyperband, Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
/// Optimization", JMLR 2018, as an early-stopping policy (Optuna's <c>HyperbandPruner</c>): brackets
/// s = 0..s_max, s_max = ⌊log_η(maxResource/minResource)⌋, each a successive halving with early
/// stopping rate s. Trials go to brackets deterministically by id, in proportion to the bracket
/// budgets ⌈(s_max+1)·η^(s_max−s)/(s_max−s+1)⌉, and compete only within their bracket.
/// </summary>
public sealed class Hyperband : EarlyStoppingPolicy
{
    private readonly BracketHalving[] _brackets;
    private readonly int[] _budget;

    /// <summary>Creates the policy.</summary>
    /// <param name="minResource">Smallest rung step (at least 1).</param>
    /// <param name="maxResource">Steps of a full trial (at least minResource).</param>
    /// <param name="reductionFactor">η (at least 2).</param>
    public Hyperband(int minResource = 1, int maxResource = 81, int reductionFactor = 3)
    {
        EarlyStoppingMath.Require(minResource >= 1, nameof(minResource), "at least 1", minResource);
        EarlyStoppingMath.Require(maxResource >= minResource, nameof(maxResource), $"at least minResource={minResource}", maxResource);
        EarlyStoppingMath.Require(reductionFactor >= 2, nameof(reductionFactor), "at least 2", reductionFactor);
        int sMax = (int)Math.Floor(Math.Log((double)maxResource / minResource) / Math.Log(reductionFactor) + 1e-9);
        int n = sMax + 1;
        _brackets = new BracketHalving[n];
        _budget = new int[n];
        for (int b = 0; b < n; b++)
        {
            _brackets[b] = new BracketHalving(this, b, minResource, reductionFactor, b, maxResource);
            int s = n - 1 - b;
            _budget[b] = (int)Math.Ceiling(n * Math.Pow(reductionFactor, s) / (s + 1));
        }
    }

    /// <summary>Number of brackets.</summary>
    public int BracketCount => _brackets.Length;

    /// <summary>The bracket of a trial.</summary>
    public int BracketOf(int trialId)
    {
        int total = _budget.Sum();
        int x = (int)((uint)(trialId * 2654435761u) % (uint)total);
        for (int b = 0; b < _budget.Length; b++)
        {
            if (x < _budget[b]) return b;
            x -= _budget[b];
        }
        return _budget.Length - 1;
    }

    /// <inheritdoc />
    public override bool ShouldStop(int trialId, Measurement latest, IReadOnlyList<Trial> history) =>
        _brackets[BracketOf(trialId)].ShouldStop(trialId, latest, history);

    private sealed class BracketHalving(Hyperband owner, int bracket, int minResource, int eta, int rate, int maxResource)
        : SuccessiveHalving(minResource, eta, rate, maxResource)
    {
        protected override bool Competes(int trialId, Trial other) => owner.BracketOf(other.Id) == bracket;
    }
}

/// <summary>
/// Step-wise threshold policy: stops a trial whose value is below the minimum required at its step
/// (the entry for the largest step at or below it), or outside [<c>lower</c>, <c>upper</c>] after
/// <c>warmupSteps</c> (Optuna's <c>ThresholdPruner</c> with a per-step schedule).
/// </summary>
public sealed class ThresholdPolicy : EarlyStoppingPolicy
{
    private readonly double? _lower, _upper;
    private readonly int _warmup;
    private readonly SortedDictionary<int, double> _schedule = [];

    /// <summary>Fixed bounds.</summary>
    /// <param name="lower">Stop below this value (null: none).</param>
    /// <param name="upper">Stop above this value (null: none).</param>
    /// <param name="warmupSteps">No stopping before this step (at least 0).</param>
    public ThresholdPolicy(double? lower = null, double? upper = null, int warmupSteps = 0)
    {
        EarlyStoppingMath.Require(lower is not null || upper is not null, nameof(lower), "set (or upper set)", "neither");
        EarlyStoppingMath.Require(lower is null || upper is null || lower <= upper, nameof(lower), $"at most upper={upper}", lower);
        EarlyStoppingMath.Require(warmupSteps >= 0, nameof(warmupSteps), "at least 0", warmupSteps);
        _lower = lower; _upper = upper; _warmup = warmupSteps;
    }

    /// <summary>A per-step schedule of minimum values: at step t the minimum of the largest key ≤ t applies.</summary>
    public ThresholdPolicy(IReadOnlyDictionary<int, double> minimumAtStep)
    {
        ArgumentNullException.ThrowIfNull(minimumAtStep);
        EarlyStoppingMath.Require(minimumAtStep.Count > 0, nameof(minimumAtStep), "non-empty", "an empty schedule");
        foreach (var (k, v) in minimumAtStep)
        {
            EarlyStoppingMath.Require(double.IsFinite(v), nameof(minimumAtStep), "finite values", v);
            _schedule[k] = v;
        }
    }

    /// <inheritdoc />
    public override bool ShouldStop(int trialId, Measurement latest, IReadOnlyList<Trial> history)
    {
        ArgumentNullException.ThrowIfNull(latest);
        double v = latest.Reward.Value;
        if (_schedule.Count > 0)
        {
            double? min = null;
            foreach (var (k, m) in _schedule) { if (k <= latest.Step) min = m; else break; }
            return min is { } mm && v < mm;
        }
        if (latest.Step < _warmup) return false;
        return (_lower is { } lo && v < lo) || (_upper is { } hi && v > hi);
    }
}

/// <summary>
/// Rank policy (Optuna's <c>PercentilePruner</c>/<c>MedianPruner</c>, Golovin et al. 2017's median
/// stopping rule): stops a trial whose latest value is below the <c>percentile</c>-th percentile of
/// the other trials' values at the same step, once at least <c>startupTrials</c> others have a value
/// there, after <c>warmupSteps</c>, every <c>intervalSteps</c> steps.
/// </summary>
public sealed class PercentilePolicy : EarlyStoppingPolicy
{
    private readonly double _p;
    private readonly int _startup, _warmup, _interval;

    /// <summary>Creates the policy; <c>percentile: 50</c> is the median rule.</summary>
    /// <param name="percentile">Stop below this percentile of the others, in [0, 100].</param>
    /// <param name="startupTrials">Others needed at the step before any stopping (at least 1).</param>
    /// <param name="warmupSteps">No stopping before this step (at least 0).</param>
    /// <param name="intervalSteps">Judge only at steps that are multiples of this after warm-up (at least 1).</param>
    public PercentilePolicy(double percentile = 50, int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1)
    {
        EarlyStoppingMath.Require(percentile is >= 0 and <= 100, nameof(percentile), "in [0, 100]", percentile);
        EarlyStoppingMath.Require(startupTrials >= 1, nameof(startupTrials), "at least 1", startupTrials);
        EarlyStoppingMath.Require(warmupSteps >= 0, nameof(warmupSteps), "at least 0", warmupSteps);
        EarlyStoppingMath.Require(intervalSteps >= 1, nameof(intervalSteps), "at least 1", intervalSteps);
        _p = percentile; _startup = startupTrials; _warmup = warmupSteps; _interval = intervalSteps;
    }

    /// <summary>The median stopping rule.</summary>
    public static PercentilePolicy Median(int startupTrials = 5, int warmupSteps = 0) => new(50, startupTrials, warmupSteps);

    /// <inheritdoc />
    public override bool ShouldStop(int trialId, Measurement latest, IReadOnlyList<Trial> history)
    {
        ArgumentNullException.ThrowIfNull(latest);
        ArgumentNullException.ThrowIfNull(history);
        if (latest.Step < _warmup || (latest.Step - _warmup) % _interval != 0) return false;
        var others = EarlyStoppingMath.OthersAt(trialId, latest.Step, history);
        if (others.Count < _startup) return false;
        return latest.Reward.Value < EarlyStoppingMath.Percentile(others, _p);
    }
}
