using System.Globalization;
using System.Net;
using System.Text;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Magics.Nas;

/// <summary>A snapshot of a running search for the live progress display: trials done, best so far, ETA.</summary>
public sealed class NasProgress : IHtmlFormattable
{
    internal NasProgress(NasStudy study, string phase)
    {
        var trials = study.Trials;
        Study = study.Name;
        Algorithm = study.Algorithm;
        Phase = phase;
        Completed = trials.Count(t => t.Status == TrialStatus.Completed);
        Failed = trials.Count(t => t.Status == TrialStatus.Failed);
        Skipped = trials.Count(t => t.Status == TrialStatus.Skipped);
        Running = trials.Count(t => t.Status == TrialStatus.Pending);
        Total = study.MaxTrials;
        Elapsed = study.Clock.Elapsed;
        var report = new StudyReport(trials, study.Spec, study.ObjectiveNames);
        Best = report.Best().FirstOrDefault();
        BestDecisions = Best is null ? null : string.Join(", ", report.Decisions(Best).Select(kv => $"{kv.Key}={StudyReport.FormatCell(kv.Value)}"));
        int doneThisRun = Completed + Failed + Skipped - study.CompletedAtStart;
        if (Total is int total && doneThisRun > 0 && phase == "running")
        {
            int left = Math.Max(0, total - (Completed + Failed + Skipped));
            Eta = TimeSpan.FromSeconds(Elapsed.TotalSeconds / doneThisRun * left);
        }
    }

    /// <summary>Study name.</summary>
    public string Study { get; }

    /// <summary>Algorithm name.</summary>
    public string Algorithm { get; }

    /// <summary>running, finished, stopped or failed.</summary>
    public string Phase { get; }

    /// <summary>Completed trials.</summary>
    public int Completed { get; }

    /// <summary>Failed trials.</summary>
    public int Failed { get; }

    /// <summary>Skipped or early-stopped trials.</summary>
    public int Skipped { get; }

    /// <summary>Trials being evaluated.</summary>
    public int Running { get; }

    /// <summary>Trial budget.</summary>
    public int? Total { get; }

    /// <summary>Time since the search started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Estimated time left.</summary>
    public TimeSpan? Eta { get; }

    /// <summary>Best trial so far.</summary>
    public Trial? Best { get; }

    /// <summary>Decisions of the best trial.</summary>
    public string? BestDecisions { get; }

    private int Done => Completed + Failed + Skipped;

    private static string Time(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"[{Phase}] {Study} ({Algorithm}): {Done}{(Total is null ? "" : $"/{Total}")} trials");
        if (Failed > 0) sb.Append($", {Failed} failed");
        if (Skipped > 0) sb.Append($", {Skipped} stopped early");
        sb.Append($", elapsed {Time(Elapsed)}");
        if (Eta is { } eta) sb.Append($", ETA {Time(eta)}");
        if (Best is not null) sb.Append($"; best {Best.FinalReward} (trial {Best.Id}: {BestDecisions})");
        return sb.ToString();
    }

    /// <inheritdoc />
    public string ToHtml()
    {
        double fraction = Total is int t && t > 0 ? Math.Min(1, (double)Done / t) : 0;
        string color = Phase switch { "failed" => "#c0392b", "stopped" => "#e67e22", "finished" => "#27ae60", _ => "#2980b9" };
        var sb = new StringBuilder();
        sb.Append("<div class=\"nas-progress\" style=\"font-family:sans-serif;font-size:13px\">");
        sb.Append($"<div><b>{WebUtility.HtmlEncode(Study)}</b> &middot; {WebUtility.HtmlEncode(Algorithm)} &middot; <span style=\"color:{color}\">{Phase}</span></div>");
        sb.Append("<div style=\"background:#eee;width:320px;height:10px;border-radius:5px;margin:4px 0\">");
        sb.Append($"<div style=\"background:{color};width:{(fraction * 100).ToString("0.#", CultureInfo.InvariantCulture)}%;height:10px;border-radius:5px\"></div></div>");
        sb.Append($"<div>trials {Done}{(Total is null ? "" : $" / {Total}")}");
        if (Failed > 0) sb.Append($" &middot; {Failed} failed");
        if (Skipped > 0) sb.Append($" &middot; {Skipped} stopped early");
        sb.Append($" &middot; elapsed {Time(Elapsed)}");
        if (Eta is { } eta) sb.Append($" &middot; ETA {Time(eta)}");
        sb.Append("</div>");
        if (Best is not null)
            sb.Append($"<div>best <b>{WebUtility.HtmlEncode(Best.FinalReward.ToString())}</b> (trial {Best.Id}): {WebUtility.HtmlEncode(BestDecisions ?? "")}</div>");
        sb.Append("</div>");
        return sb.ToString();
    }
}
