using System.Diagnostics;
using System.Globalization;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Runtime;

/// <summary>
/// The handle of one trial served by a search loop (PyGlove's <c>pg.tuning.Feedback</c>): report
/// intermediate measurements, ask whether to stop early, and end the trial exactly once with
/// <see cref="Done()"/>, <see cref="Skip"/> or <see cref="Fail(string)"/>. A trial left without an outcome
/// when the loop moves on (or the process dies) is served again.
/// </summary>
/// <remarks>
/// A non-finite reward (NaN, ±∞) never reaches the algorithm or the study as a reward: the trial is
/// recorded as failed with the reason, <see cref="ShouldStopEarly"/> turns true, and later calls on this
/// trial are ignored. After an explicit <c>Done</c>/<c>Skip</c>/<c>Fail</c>, further calls throw
/// <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class TrialFeedback
{
    private readonly SearchSession _session;
    private readonly object _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Trial _served;
    private readonly List<Measurement> _measurements;
    private TrialStatus _status = TrialStatus.Pending;
    private Reward? _final;
    private IReadOnlyDictionary<string, double> _metrics = StudyJson.Empty;
    private string? _reason;
    private string? _endedBy;
    private bool _autoFailed;
    private bool _released;
    private int _decidedAt = -1;
    private bool _decision;

    internal TrialFeedback(SearchSession session, Trial trial, object? candidate, bool reserved)
    {
        _session = session;
        _served = trial;
        _measurements = [.. trial.Measurements];
        Candidate = candidate;
        IsReserved = reserved;
    }

    /// <summary>Id of the trial in its study (from 1).</summary>
    public int TrialId => _served.Id;

    /// <summary>The DNA being evaluated.</summary>
    public Dna Dna => _served.Dna;

    /// <summary>The materialized candidate (the same object the loop yields).</summary>
    public object? Candidate { get; }

    /// <summary>True when this trial was served before (its previous evaluation did not end).</summary>
    public bool IsReserved { get; }

    /// <summary>Name of the study.</summary>
    public string StudyName => _session.Study;

    /// <summary>The search's cancellation token, for evaluations that can stop midway.</summary>
    public CancellationToken CancellationToken => _session.CancellationToken;

    /// <summary>Current state of the trial.</summary>
    public TrialStatus Status { get { lock (_lock) return _status; } }

    /// <summary>True once the trial has an outcome.</summary>
    public bool IsFinished => Status != TrialStatus.Pending;

    /// <summary>True when a shared store reported that this worker's lease was lost (the trial may have been served to another worker).</summary>
    public bool LeaseLost { get; internal set; }

    /// <summary>Measurements reported so far, by report order.</summary>
    public IReadOnlyList<Measurement> Measurements { get { lock (_lock) return _measurements.ToArray(); } }

    /// <summary>A snapshot of the trial: DNA, state, measurements, final reward.</summary>
    public Trial Trial
    {
        get
        {
            lock (_lock)
                return _served with
                {
                    Status = _status,
                    Measurements = _measurements.ToArray(),
                    FinalReward = _final,
                    Metrics = _metrics,
                    Reason = _reason,
                    Worker = _session.Worker,
                };
        }
    }

    // ---------- measurements ----------

    /// <summary>Reports the reward at <paramref name="step"/> (epoch, iteration). A NaN/∞ reward fails the trial.</summary>
    public void Report(int step, double reward, IReadOnlyDictionary<string, double>? metrics = null) => Report(step, [reward], metrics);

    /// <summary>Reports a (multi-objective) reward at <paramref name="step"/>. Any NaN/∞ value fails the trial.</summary>
    public void Report(int step, IReadOnlyList<double> rewards, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        lock (_lock)
        {
            if (!Usable(nameof(Report))) return;
            if (NonFinite(rewards, $"step {step.ToString(CultureInfo.InvariantCulture)}") is { } why) { AutoFail(why); return; }
            Add(step, new Reward([.. rewards]), metrics);
        }
    }

    /// <summary>Reports a reward at <paramref name="step"/>.</summary>
    public void Report(int step, Reward reward, IReadOnlyDictionary<string, double>? metrics = null)
    {
        if (reward.Count == 0) throw new ArgumentException("The reward has no values (default(Reward)); pass at least one.", nameof(reward));
        Report(step, reward.Values, metrics);
    }

    /// <summary>
    /// Reports metrics at <paramref name="step"/>; the reward is read from them
    /// (<see cref="SearchOptions.RewardMetrics"/>, default the metric <c>reward</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A reward metric is missing; the message names it.</exception>
    public void Report(int step, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Report(step, RewardFrom(metrics), metrics);
    }

    private void Add(int step, Reward reward, IReadOnlyDictionary<string, double>? metrics)
    {
        var m = new Measurement(step, reward, metrics is null ? StudyJson.Empty : new Dictionary<string, double>(metrics), _clock.Elapsed.TotalSeconds);
        int i = _measurements.FindIndex(x => x.Step == step);
        if (i >= 0) _measurements[i] = m; else _measurements.Add(m);
        _session.Report(this, m);
    }

    private double[] RewardFrom(IReadOnlyDictionary<string, double> metrics)
    {
        var names = _session.Options.RewardMetrics ?? ["reward"];
        var values = new double[names.Count];
        for (int i = 0; i < names.Count; i++)
            if (!metrics.TryGetValue(names[i], out values[i]))
                throw new ArgumentException($"Trial {TrialId}: the metrics ({string.Join(", ", metrics.Keys)}) have no '{names[i]}' entry to use as reward. " +
                    "Pass the reward explicitly, or name the reward metrics in SearchOptions.RewardMetrics.", nameof(metrics));
        return values;
    }

    // ---------- early stopping ----------

    /// <summary>
    /// True when the trial should stop now: it has ended (e.g. failed on a NaN), or the
    /// <see cref="SearchOptions.EarlyStopping"/> policy says so for its latest measurement. The usual
    /// answer is then <see cref="Skip"/> or <see cref="Done()"/> with the reward so far.
    /// </summary>
    public bool ShouldStopEarly
    {
        get
        {
            Trial snapshot;
            Measurement latest;
            IEarlyStoppingPolicy? policy;
            lock (_lock)
            {
                if (_status != TrialStatus.Pending) return true;
                policy = _session.Options.EarlyStopping;
                if (policy is null || _measurements.Count == 0) return false;
                if (_decidedAt == _measurements.Count) return _decision;
                latest = _measurements[^1];
                snapshot = Trial;
            }
            bool stop = policy.ShouldStop(snapshot, latest, _session.History(TrialId));
            lock (_lock)
            {
                _decidedAt = snapshot.Measurements.Count;
                _decision = stop;
            }
            return stop;
        }
    }

    // ---------- outcomes ----------

    /// <summary>Completes the trial with the reward of its last <see cref="Report(int, double, IReadOnlyDictionary{string, double}?)"/>.</summary>
    /// <exception cref="InvalidOperationException">Nothing was reported, or the trial already ended.</exception>
    public void Done()
    {
        lock (_lock)
        {
            if (!Usable(nameof(Done))) return;
            if (_measurements.Count == 0)
                throw new InvalidOperationException($"Trial {TrialId}: Done() without a reward needs an earlier Report(step, reward); pass the final reward instead, e.g. feedback.Done(0.93).");
            var last = _measurements[^1];
            Complete(last.Reward, last.Metrics);
        }
    }

    /// <summary>Completes the trial with <paramref name="reward"/>; NaN/∞ records it as failed instead.</summary>
    public void Done(double reward, IReadOnlyDictionary<string, double>? metrics = null) => Done([reward], metrics);

    /// <summary>Completes the trial with a multi-objective reward; any NaN/∞ value records it as failed instead.</summary>
    public void Done(IReadOnlyList<double> rewards, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (rewards.Count == 0) throw new ArgumentException("A reward needs at least one value.", nameof(rewards));
        lock (_lock)
        {
            if (!Usable(nameof(Done))) return;
            if (NonFinite(rewards, "the final reward") is { } why) { AutoFail(why); return; }
            Complete(new Reward([.. rewards]), metrics);
        }
    }

    /// <summary>Completes the trial with <paramref name="reward"/>.</summary>
    public void Done(Reward reward, IReadOnlyDictionary<string, double>? metrics = null)
    {
        if (reward.Count == 0) throw new ArgumentException("The reward has no values (default(Reward)); pass at least one.", nameof(reward));
        Done(reward.Values, metrics);
    }

    /// <summary>Completes the trial with metrics; the reward is read from them (see <see cref="Report(int, IReadOnlyDictionary{string, double})"/>).</summary>
    public void Done(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Done(RewardFrom(metrics), metrics);
    }

    /// <summary>Ends the trial without a reward (e.g. an infeasible candidate, or stopped early); the algorithm gets no feedback for it.</summary>
    public void Skip(string? reason = null)
    {
        lock (_lock)
        {
            if (!Usable(nameof(Skip))) return;
            End(TrialStatus.Skipped, null, null, reason ?? "skipped", nameof(Skip));
        }
    }

    /// <summary>Ends the trial as failed with <paramref name="reason"/>.</summary>
    public void Fail(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_lock)
        {
            if (!Usable(nameof(Fail))) return;
            End(TrialStatus.Failed, null, null, reason, nameof(Fail));
        }
    }

    /// <summary>Ends the trial as failed with the exception's type and message as reason.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Fail($"{exception.GetType().Name}: {exception.Message}");
    }

    /// <summary>Ends the search loop after this trial: no further trial is served (this one still takes its outcome).</summary>
    public void EndLoop() => _session.RequestEnd();

    private void Complete(Reward reward, IReadOnlyDictionary<string, double>? metrics) =>
        End(TrialStatus.Completed, reward, metrics, null, nameof(Done));

    private void End(TrialStatus status, Reward? reward, IReadOnlyDictionary<string, double>? metrics, string? reason, string by)
    {
        _status = status;
        _final = reward;
        _metrics = metrics is null ? StudyJson.Empty : new Dictionary<string, double>(metrics);
        _reason = reason;
        _endedBy = by;
        _session.Finish(this, new TrialOutcome(_session.Worker, status, reward, _metrics, reason));
    }

    private void AutoFail(string reason)
    {
        _autoFailed = true;
        End(TrialStatus.Failed, null, null, reason, "a non-finite reward");
    }

    private static string? NonFinite(IReadOnlyList<double> values, string where)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                return $"non-finite reward {values[i].ToString(CultureInfo.InvariantCulture)} at {where}" + (values.Count > 1 ? $" (objective {i})" : "");
        return null;
    }

    /// <summary>False when the call must be ignored (trial auto-failed); throws when it already ended by the user's call.</summary>
    private bool Usable(string method)
    {
        if (_status == TrialStatus.Pending)
        {
            if (_released)
                throw new InvalidOperationException($"Trial {TrialId} was given back to the study (the loop moved on without an outcome) and will be served again; {method}() on its old feedback is not allowed.");
            return true;
        }
        if (_autoFailed) return false;
        throw new InvalidOperationException(
            $"Trial {TrialId} already ended ({_status}{(_reason is null ? "" : $": {_reason}")}) by {_endedBy}(); {method}() after Done(), Skip() or Fail() is not allowed. Each trial takes exactly one outcome.");
    }

    internal void MarkReleased()
    {
        lock (_lock) _released = true;
    }
}
