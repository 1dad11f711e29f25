using System.Net;
using System.Text;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Kernel.Nas;

/// <summary>A table of trials with their decisions (HTML and text).</summary>
public sealed class NasTable(StudyReport report, IReadOnlyList<Trial> trials, string caption) : IHtmlFormattable
{
    /// <inheritdoc />
    public string ToHtml() => report.ToHtmlTable(trials, caption);

    /// <inheritdoc />
    public override string ToString() => caption + Environment.NewLine + report.ToTextTable(trials);
}

/// <summary>The best trial's materialized architecture.</summary>
public sealed class NasArchitecture(Trial trial, object? architecture) : IHtmlFormattable
{
    /// <summary>The materialized candidate.</summary>
    public object? Architecture => architecture;

    /// <inheritdoc />
    public string ToHtml() =>
        $"<div><b>Best architecture</b> (trial {trial.Id}, reward {WebUtility.HtmlEncode(trial.FinalReward.ToString())}, DNA <code>{WebUtility.HtmlEncode(trial.Dna.ToString())}</code>)</div>" +
        $"<pre>{WebUtility.HtmlEncode(NasFormatters.Describe(architecture))}</pre>";

    /// <inheritdoc />
    public override string ToString() => $"Best architecture (trial {trial.Id}, reward {trial.FinalReward}, DNA {trial.Dna}):{Environment.NewLine}{NasFormatters.Describe(architecture)}";
}

/// <summary>Formatters for DSL and runtime values: charts, specs, DNAs, trials, search results, symbolic values.</summary>
public static class NasFormatters
{
    private static int _registered;

    /// <summary>Registers the formatters once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        Formatter.Register<PlotlyFigure>((fig, bundle) =>
        {
            bundle.Set("text/plain", fig.ToString());
            bundle.Set("text/html", PlotlyFormatter.Html(fig.ToJson()));
            bundle.SetJson(PlotlyFormatter.PlotlyMimeType, fig.ToJsonObject());
        });
        Formatter.Register<SpaceSpec>((spec, bundle) =>
        {
            bundle.Set("text/plain", SpecText(spec));
            bundle.Set("text/html", SpecHtml(spec));
        });
        Formatter.Register<Dna>((dna, bundle) => bundle.Set("text/plain", $"Dna({dna})"));
        Formatter.Register<Symbolic>((s, bundle) =>
        {
            var text = s.Format(compact: false);
            bundle.Set("text/plain", text);
            bundle.Set("text/html", $"<pre>{WebUtility.HtmlEncode(text)}</pre>");
        });
        Formatter.Register<SearchResult>((r, bundle) =>
        {
            var report = new StudyReport(r.Trials);
            var best = report.Best(5);
            var head = $"Study '{r.StudyName}': {r.Trials.Count} trials, {report.Completed.Count} completed, ended by {r.StopReason} after {r.Elapsed.TotalSeconds:0.#} s";
            bundle.Set("text/plain", head + Environment.NewLine + report.ToTextTable(best));
            bundle.Set("text/html", $"<div>{WebUtility.HtmlEncode(head)}</div>" + report.ToHtmlTable(best, "Top trials"));
        });
        Formatter.Register<Trial>((t, bundle) =>
        {
            var report = new StudyReport([t]);
            bundle.Set("text/plain", report.ToTextTable());
            bundle.Set("text/html", report.ToHtmlTable());
        });
    }

    internal static string Describe(object? value) => value switch
    {
        null => "null",
        Symbolic s => s.Format(compact: false),
        _ => value.ToString() ?? "",
    };

    private static string Size(SpaceSpec spec) => spec.SpaceSize?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "infinite";

    private static string Kind(DecisionPoint d) => d switch
    {
        ChoicesSpec { IsOrdinal: true } c => $"int ({c.CandidateCount} values)",
        ChoicesSpec c => $"choice of {c.CandidateCount}",
        FloatSpec f => $"float [{f.Min}, {f.Max}] {f.Scale.ToString().ToLowerInvariant()}",
        CustomSpec => "custom",
        _ => d.GetType().Name,
    };

    private static string Values(DecisionPoint d) => d is ChoicesSpec c
        ? string.Join(", ", c.LiteralValues.Take(12).Select(v => StudyReport.FormatCell(v))) + (c.CandidateCount > 12 ? ", ..." : "")
        : "";

    private static string SpecText(SpaceSpec spec)
    {
        var sb = new StringBuilder($"Search space: {spec.DecisionPoints.Count()} decisions, {Size(spec)} points{Environment.NewLine}");
        foreach (var d in spec.DecisionPoints) sb.AppendLine($"  {d.Id}{(d.Name is null ? "" : $" ({d.Name})")}: {Kind(d)} {Values(d)}");
        return sb.ToString();
    }

    private static string SpecHtml(SpaceSpec spec)
    {
        var sb = new StringBuilder($"<div><b>Search space</b>: {spec.DecisionPoints.Count()} decisions, {Size(spec)} points</div>");
        sb.Append("<table class=\"nas-table\"><thead><tr><th>decision</th><th>name</th><th>kind</th><th>values</th></tr></thead><tbody>");
        foreach (var d in spec.DecisionPoints)
            sb.Append($"<tr><td><code>{WebUtility.HtmlEncode(d.Id)}</code></td><td>{WebUtility.HtmlEncode(d.Name ?? "")}</td><td>{WebUtility.HtmlEncode(Kind(d))}</td><td>{WebUtility.HtmlEncode(Values(d))}</td></tr>");
        sb.Append("</tbody></table>");
        return sb.ToString();
    }
}
