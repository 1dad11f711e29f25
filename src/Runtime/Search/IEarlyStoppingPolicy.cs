namespace NasNotebooks.Runtime;

/// <summary>
/// Decides whether a trial should stop before its end (e.g. median stopping, ASHA). Asked by
/// <see cref="TrialFeedback.ShouldStopEarly"/> after measurements are reported.
/// </summary>
public interface IEarlyStoppingPolicy
{
    /// <summary>True when <paramref name="trial"/> should stop now.</summary>
    /// <param name="trial">The running trial, with its measurements so far.</param>
    /// <param name="latest">Its latest measurement.</param>
    /// <param name="history">The other trials of the study (all states), in id order.</param>
    bool ShouldStop(Trial trial, Measurement latest, IReadOnlyList<Trial> history);
}
