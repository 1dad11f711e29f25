namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Cheap reads for watchers of a running study (dashboards, progress displays): a summary per study
/// computed by the store, and incremental trial reads. A trial changes only while it is pending (new
/// measurements, then exactly one outcome); an ended trial never changes again. So a watcher that holds
/// the trials up to id N stays exact by reading the trials after N (<see cref="GetTrialsAfter"/>) and
/// re-reading the ones it holds as pending (<see cref="GetTrialsById"/>) — never the whole study.
/// </summary>
public partial interface IStudyStore
{
    /// <summary>
    /// One summary per study (creation order): trial counts by state, the last trial id, the last activity
    /// and the best completed trial, aggregated by the store without loading the trials.
    /// </summary>
    IReadOnlyList<StudySummary> GetStudySummaries() =>
        ListStudies().Select(n => FindStudy(n) is { } info ? StudySummary.Of(info, GetTrials(n)) : null).OfType<StudySummary>().ToList();

    /// <summary>The trials whose id is greater than <paramref name="afterId"/>, in id order, with their measurements.</summary>
    IReadOnlyList<Trial> GetTrialsAfter(string study, int afterId) => GetTrials(study).Where(t => t.Id > afterId).ToList();

    /// <summary>The trials among <paramref name="ids"/> that exist, in id order, with their measurements.</summary>
    IReadOnlyList<Trial> GetTrialsById(string study, IReadOnlyCollection<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var wanted = ids.ToHashSet();
        return wanted.Count == 0 ? [] : GetTrials(study).Where(t => wanted.Contains(t.Id)).ToList();
    }
}

/// <summary>What <see cref="IStudyStore.GetStudySummaries"/> says about one study.</summary>
/// <param name="Name">Study name.</param>
/// <param name="Algorithm">Algorithm the study was created with.</param>
/// <param name="CreatedAt">When the study was created (UTC).</param>
/// <param name="Pending">Trials being evaluated (or waiting to be served again).</param>
/// <param name="Completed">Trials that ended with a reward.</param>
/// <param name="Failed">Trials that failed.</param>
/// <param name="Skipped">Trials skipped or stopped early.</param>
/// <param name="LastTrialId">Highest trial id (0 when the study has no trial).</param>
/// <param name="LastActivity">Latest trial creation or end time; null when the study has no trial.</param>
/// <param name="BestTrialId">The completed trial with the largest first objective (lowest id on ties), or null.</param>
/// <param name="BestValue">That trial's first objective.</param>
public sealed record StudySummary(
    string Name,
    string Algorithm,
    DateTimeOffset CreatedAt,
    int Pending,
    int Completed,
    int Failed,
    int Skipped,
    int LastTrialId,
    DateTimeOffset? LastActivity,
    int? BestTrialId,
    double? BestValue)
{
    /// <summary>All trials of the study.</summary>
    public int Total => Pending + Completed + Failed + Skipped;

    /// <summary>The summary of <paramref name="trials"/> (what the stores compute in SQL).</summary>
    public static StudySummary Of(StudyInfo info, IEnumerable<Trial> trials)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(trials);
        int pending = 0, completed = 0, failed = 0, skipped = 0, last = 0;
        DateTimeOffset? activity = null;
        Trial? best = null;
        foreach (var t in trials)
        {
            switch (t.Status)
            {
                case TrialStatus.Pending: pending++; break;
                case TrialStatus.Completed: completed++; break;
                case TrialStatus.Failed: failed++; break;
                default: skipped++; break;
            }
            last = Math.Max(last, t.Id);
            var seen = t.EndedAt is { } e && e > t.CreatedAt ? e : t.CreatedAt;
            if (activity is null || seen > activity) activity = seen;
            if (t.Status == TrialStatus.Completed && t.FinalReward is { Count: > 0 } r &&
                (best is null || r.Value > best.FinalReward!.Value.Value || (r.Value == best.FinalReward!.Value.Value && t.Id < best.Id)))
                best = t;
        }
        return new StudySummary(info.Name, info.Algorithm, info.CreatedAt, pending, completed, failed, skipped, last, activity, best?.Id, best?.FinalReward!.Value.Value);
    }
}
