using System.Reflection;

namespace NasNotebooks.Runtime;

/// <summary>
/// Turns a materialized candidate into measurements: reports intermediate results through
/// the trial feedback (so early stopping can end it) and finishes the trial with
/// <see cref="TrialFeedback.Done(Reward, IReadOnlyDictionary{string, double}?)"/>,
/// <see cref="TrialFeedback.Fail(string)"/> or <see cref="TrialFeedback.Skip"/>.
/// </summary>
public interface IEvaluator
{
    /// <summary>Evaluates one candidate.</summary>
    Task EvaluateAsync(object? candidate, TrialFeedback feedback, CancellationToken cancellationToken);
}

/// <summary>Builds evaluators from plain functions.</summary>
public static class Evaluators
{
    private sealed class DelegateEvaluator(Func<object?, TrialFeedback, CancellationToken, Task> run) : IEvaluator
    {
        public Task EvaluateAsync(object? candidate, TrialFeedback feedback, CancellationToken cancellationToken) => run(candidate, feedback, cancellationToken);
    }

    /// <summary>An evaluator from an async function that reports through the feedback itself.</summary>
    public static IEvaluator From(Func<object?, TrialFeedback, CancellationToken, Task> evaluate) => new DelegateEvaluator(evaluate);

    /// <summary>An evaluator from a function returning the reward (a NaN/infinite value fails the trial).</summary>
    public static IEvaluator From<T>(Func<T, double> objective) => new DelegateEvaluator((c, fb, _) =>
    {
        fb.Done(objective((T)c!));
        return Task.CompletedTask;
    });

    /// <summary>An evaluator from a function returning a multi-objective reward.</summary>
    public static IEvaluator From<T>(Func<T, Reward> objective) => new DelegateEvaluator((c, fb, _) =>
    {
        fb.Done(objective((T)c!));
        return Task.CompletedTask;
    });

    /// <summary>
    /// Adapts whatever a user holds: an <see cref="IEvaluator"/> or a delegate taking the candidate
    /// (and optionally the <see cref="TrialFeedback"/> and a <see cref="CancellationToken"/>) and
    /// returning a reward (<c>double</c>, <c>double[]</c>, <see cref="Reward"/>, a task of one of these)
    /// or nothing (then it must finish the trial through the feedback).
    /// </summary>
    /// <exception cref="ArgumentException">The object can't be used as an evaluator; the message says what is accepted.</exception>
    public static IEvaluator Adapt(object? evaluator)
    {
        switch (evaluator)
        {
            case IEvaluator e: return e;
            case Delegate d: return FromDelegate(d);
            default:
                throw new ArgumentException(
                    $"{(evaluator is null ? "null" : evaluator.GetType().Name)} is not an evaluator: use an IEvaluator or a function such as " +
                    "Func<TCandidate, double>, Func<TCandidate, double[]>, Func<TCandidate, Reward>, Func<TCandidate, Task<double>> or " +
                    "Func<TCandidate, TrialFeedback, CancellationToken, Task>.");
        }
    }

    private static IEvaluator FromDelegate(Delegate d)
    {
        var invoke = d.GetType().GetMethod("Invoke")!;
        var ps = invoke.GetParameters();
        if (ps.Length is < 1 or > 3 || (ps.Length >= 2 && ps[1].ParameterType != typeof(TrialFeedback) && ps[1].ParameterType != typeof(CancellationToken))
            || (ps.Length == 3 && ps[2].ParameterType != typeof(CancellationToken)))
            throw new ArgumentException($"A function evaluator takes (candidate[, TrialFeedback][, CancellationToken]); {Describe(invoke)} does not fit.");
        var candidateType = ps[0].ParameterType;
        return new DelegateEvaluator(async (candidate, fb, ct) =>
        {
            if (candidate is not null && !candidateType.IsInstanceOfType(candidate))
                throw new InvalidCastException($"The evaluator takes {candidateType.Name}, but the space produced {candidate.GetType().Name}.");
            var args = new object?[ps.Length];
            args[0] = candidate;
            for (int i = 1; i < ps.Length; i++) args[i] = ps[i].ParameterType == typeof(TrialFeedback) ? fb : ct;
            object? result;
            try { result = d.DynamicInvoke(args); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
            if (result is Task task)
            {
                await task.ConfigureAwait(false);
                var t = task.GetType();
                result = t.IsGenericType && t.GetProperty("Result") is { } p ? p.GetValue(task) : null;
                if (result is not null && result.GetType().FullName == "System.Threading.Tasks.VoidTaskResult") result = null;
            }
            if (fb.IsFinished) return;
            switch (result)
            {
                case null: return;
                case double v: fb.Done(v); return;
                case float f: fb.Done(f); return;
                case int i: fb.Done(i); return;
                case double[] vs: fb.Done(vs); return;
                case Reward r: fb.Done(r); return;
                case IReadOnlyDictionary<string, double> metrics: fb.Done(metrics); return;
                default: throw new InvalidOperationException($"The evaluator returned {result.GetType().Name}; return a double, double[] or Reward.");
            }
        });
    }

    private static string Describe(MethodInfo m) => $"({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))}) -> {m.ReturnType.Name}";
}

/// <summary>An evaluator that trains on a device chosen by the user (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c>).</summary>
public interface IDeviceSelectable
{
    /// <summary>Selects the device; an unavailable device is an <see cref="ArgumentException"/>, never a silent fallback.</summary>
    void UseDevice(string device);
}
