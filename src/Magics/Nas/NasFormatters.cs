using System.Net;
using System.Text;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Magics.Nas;

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
        // text/plain is registered on its own so that a host asking only for text (or asking for each MIME type
        // separately, as .NET Interactive does) gets it without rendering the HTML.
        Formatter.RegisterPlainText<PlotlyFigure>(fig => fig.ToString());
        Formatter.Register<PlotlyFigure>((fig, bundle) =>
        {
            bundle.Set("text/html", PlotlyFormatter.Html(fig.ToJson()));
            bundle.SetJson(PlotlyFormatter.PlotlyMimeType, fig.ToJsonObject());
        });
        Formatter.RegisterPlainText<SpaceSpec>(SpecText);
        Formatter.Register<SpaceSpec>("text/html", SpecHtml);
        Formatter.RegisterPlainText<Dna>(dna => $"Dna({dna})");
        Formatter.Register<Dna>((_, _) => { });
        Formatter.RegisterPlainText<Symbolic>(s => s.Format(compact: false));
        Formatter.Register<Symbolic>("text/html", s => $"<pre>{WebUtility.HtmlEncode(s.Format(compact: false))}</pre>");
        Formatter.RegisterPlainText<SearchResult>(r =>
        {
            var (report, best, head) = Summary(r);
            return head + Environment.NewLine + report.ToTextTable(best);
        });
        Formatter.Register<SearchResult>("text/html", r =>
        {
            var (report, best, head) = Summary(r);
            return $"<div>{WebUtility.HtmlEncode(head)}</div>" + report.ToHtmlTable(best, "Top trials");
        });
        Formatter.RegisterPlainText<Trial>(t => new StudyReport([t]).ToTextTable());
        Formatter.Register<Trial>("text/html", t => new StudyReport([t]).ToHtmlTable());
        Formatter.RegisterPlainText<StudyReport>(report =>
        {
            var best = report.Best(10);
            return TopCaption(report, best) + Environment.NewLine + report.ToTextTable(best);
        });
        Formatter.Register<StudyReport>("text/html", report =>
        {
            var best = report.Best(10);
            return report.ToHtmlTable(best, TopCaption(report, best));
        });
    }

    private static (StudyReport Report, IReadOnlyList<Trial> Best, string Head) Summary(SearchResult r)
    {
        var report = new StudyReport(r.Trials);
        var best = report.Best(5);
        return (report, best, $"Study '{r.StudyName}': {r.Trials.Count} trials, {report.Completed.Count} completed, ended by {r.StopReason} after {r.Elapsed.TotalSeconds:0.#} s");
    }

    private static string TopCaption(StudyReport report, IReadOnlyList<Trial> best) => $"Top {best.Count} of {report.Completed.Count} completed trials";

    /// <summary>
    /// The types these formatters (and the <c>#!nas</c> display types) cover: a host with its own formatter registry
    /// (.NET Interactive) registers each of them to render through <see cref="Formatter.ToMimeBundle"/>, so both hosts
    /// show the same compact text and HTML.
    /// </summary>
    public static IReadOnlyList<Type> DisplayTypes { get; } =
    [
        typeof(PlotlyFigure), typeof(SpaceSpec), typeof(Dna), typeof(Symbolic), typeof(SearchResult), typeof(Trial), typeof(StudyReport),
        typeof(NasProgress), typeof(NasSummary), typeof(NasTable), typeof(NasArchitecture),
    ];

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
        var decisions = spec.DecisionPoints.ToList();
        var sb = new StringBuilder($"Search space: {decisions.Count} decisions, {Size(spec)} points{Environment.NewLine}");
        foreach (var d in decisions.Take(Formatter.MaxTableRows)) sb.AppendLine($"  {d.Id}{(d.Name is null ? "" : $" ({d.Name})")}: {Kind(d)} {Values(d)}");
        if (decisions.Count > Formatter.MaxTableRows) sb.AppendLine($"  ... ({decisions.Count - Formatter.MaxTableRows} more decisions)");
        return sb.ToString();
    }

    private static string SpecHtml(SpaceSpec spec)
    {
        var decisions = spec.DecisionPoints.ToList();
        var sb = new StringBuilder($"<div><b>Search space</b>: {decisions.Count} decisions, {Size(spec)} points</div>");
        sb.Append("<table class=\"nas-table\"><thead><tr><th>decision</th><th>name</th><th>kind</th><th>values</th></tr></thead><tbody>");
        foreach (var d in decisions.Take(Formatter.MaxTableRows))
            sb.Append($"<tr><td><code>{WebUtility.HtmlEncode(d.Id)}</code></td><td>{WebUtility.HtmlEncode(d.Name ?? "")}</td><td>{WebUtility.HtmlEncode(Kind(d))}</td><td>{WebUtility.HtmlEncode(Values(d))}</td></tr>");
        sb.Append("</tbody></table>");
        if (decisions.Count > Formatter.MaxTableRows) sb.Append($"<p><i>({decisions.Count - Formatter.MaxTableRows} more decisions are not shown)</i></p>");
        return sb.ToString();
    }
}
