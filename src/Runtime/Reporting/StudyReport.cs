using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Reporting;

/// <summary>
/// Tables and charts of a study's trials: results table, best-so-far curve, parameter importance,
/// parallel coordinates and Pareto front. Works on trials and the space's <see cref="SpaceSpec"/>
/// only, so any front end (kernel, console, HTML report) can show them.
/// </summary>
[Interop.TypeFormatterSource(typeof(Interop.InteractiveFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed class StudyReport
{
    private readonly SpaceSpec? _spec;
    private readonly IReadOnlyList<Trial> _trials;

    /// <summary>Creates a report over <paramref name="trials"/>; with a spec, decisions are shown by name and literal value.</summary>
    public StudyReport(IEnumerable<Trial> trials, SpaceSpec? spec = null, IReadOnlyList<string>? objectiveNames = null)
    {
        _trials = trials.OrderBy(t => t.Id).ToList();
        _spec = spec;
        ObjectiveNames = objectiveNames ?? [];
    }

    /// <summary>Names of the reward's objectives (default: <c>reward</c>, <c>reward[1]</c>, ...).</summary>
    public IReadOnlyList<string> ObjectiveNames { get; }

    private string Objective(int i) => i < ObjectiveNames.Count ? ObjectiveNames[i] : i == 0 ? "reward" : $"reward[{i}]";

    /// <summary>Completed trials, in id order.</summary>
    public IReadOnlyList<Trial> Completed => _trials.Where(t => t.Status == TrialStatus.Completed && t.FinalReward is not null).ToList();

    /// <summary>The best completed trials by the first objective, best first.</summary>
    public IReadOnlyList<Trial> Best(int top = 1) =>
        Completed.OrderByDescending(t => t.FinalReward!.Value.Value).ThenBy(t => t.Id).Take(top).ToList();

    /// <summary>Decisions of a trial as name → literal value (falls back to the DNA text without a spec).</summary>
    public IReadOnlyDictionary<string, object?> Decisions(Trial trial)
    {
        if (_spec is null) return new Dictionary<string, object?> { ["dna"] = trial.Dna.ToString() };
        try { return _spec.ToDictionary(trial.Dna, DnaKey.Name, DnaValueForm.Literal); }
        catch (ArgumentException) { return new Dictionary<string, object?> { ["dna"] = trial.Dna.ToString() }; }
    }

    /// <summary>Rows of the results table: id, status, objectives, metrics, decisions.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(IEnumerable<Trial>? trials = null)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var t in trials ?? _trials)
        {
            var row = new Dictionary<string, object?> { ["trial"] = t.Id, ["status"] = t.Status.ToString().ToLowerInvariant() };
            if (t.FinalReward is { } r)
                for (int i = 0; i < r.Count; i++) row[Objective(i)] = r.Values[i];
            foreach (var (k, v) in t.Metrics) row[k] = v;
            foreach (var (k, v) in Decisions(t)) row[k] = v;
            if (t.Reason is not null) row["reason"] = t.Reason;
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>An HTML table of <paramref name="trials"/> (all trials by default), values escaped.</summary>
    public string ToHtmlTable(IEnumerable<Trial>? trials = null, string? caption = null)
    {
        var rows = Rows(trials);
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("<table class=\"nas-table\">");
        if (caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (var c in columns) sb.Append("<td>").Append(WebUtility.HtmlEncode(FormatCell(row.TryGetValue(c, out var v) ? v : null))).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        return sb.ToString();
    }

    /// <summary>A plain-text table of <paramref name="trials"/> (all trials by default).</summary>
    public string ToTextTable(IEnumerable<Trial>? trials = null)
    {
        var rows = Rows(trials);
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        var cells = rows.Select(r => columns.Select(c => FormatCell(r.TryGetValue(c, out var v) ? v : null)).ToList()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToList();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in cells) sb.AppendLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return sb.ToString();
    }

    /// <summary>Formats a table cell: doubles with 4 significant decimals, others as text.</summary>
    public static string FormatCell(object? v) => v switch
    {
        null => "",
        double d => d.ToString(Math.Abs(d) >= 1e5 || (Math.Abs(d) < 1e-3 && d != 0) ? "G4" : "0.####", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>Reward of every completed trial and the best so far, by trial id.</summary>
    public PlotlyFigure ProgressChart(string? title = null)
    {
        var done = Completed;
        var ids = done.Select(t => (double)t.Id).ToList();
        var rewards = done.Select(t => t.FinalReward!.Value.Value).ToList();
        var best = new List<double>();
        double b = double.NegativeInfinity;
        foreach (var r in rewards) best.Add(b = Math.Max(b, r));
        var data = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = "trial", ["x"] = PlotlyFigure.Numbers(ids), ["y"] = PlotlyFigure.Numbers(rewards),
                ["marker"] = new JsonObject { ["size"] = 6, ["opacity"] = 0.6 },
                ["text"] = PlotlyFigure.Strings(done.Select(t => t.Dna.ToString())),
            },
            new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "lines", ["name"] = "best so far", ["x"] = PlotlyFigure.Numbers(ids), ["y"] = PlotlyFigure.Numbers(best),
                ["line"] = new JsonObject { ["shape"] = "hv", ["width"] = 2 },
            },
        };
        return new PlotlyFigure(data, PlotlyFigure.LayoutWith(title ?? "Search progress", "trial", Objective(0)));
    }

    /// <summary>
    /// Main-effect importance of each decision: the share of the reward's variance explained by the
    /// decision's value (between-group variance over total variance), over completed trials.
    /// </summary>
    public IReadOnlyList<(string Decision, double Importance)> ParameterImportance()
    {
        var done = Completed;
        if (done.Count < 2) return [];
        var rewards = done.Select(t => t.FinalReward!.Value.Value).ToArray();
        double mean = rewards.Average();
        double total = rewards.Sum(r => (r - mean) * (r - mean));
        if (total <= 0) return [];
        var byDecision = new Dictionary<string, List<(object? Value, double Reward)>>();
        for (int i = 0; i < done.Count; i++)
            foreach (var (k, v) in Decisions(done[i]))
                (byDecision.TryGetValue(k, out var l) ? l : byDecision[k] = []).Add((Bucket(v), rewards[i]));
        var result = new List<(string, double)>();
        foreach (var (k, obs) in byDecision)
        {
            double between = obs.GroupBy(o => o.Value?.ToString() ?? "null")
                .Sum(g => g.Count() * Math.Pow(g.Average(o => o.Reward) - mean, 2));
            result.Add((k, between / total));
        }
        return result.OrderByDescending(r => r.Item2).ToList();
    }

    // Continuous values are grouped into quintile-like buckets by rounding to 1 significant digit.
    private static object? Bucket(object? v) => v is double d && d != 0
        ? Math.Round(d, Math.Max(0, 1 - (int)Math.Floor(Math.Log10(Math.Abs(d)))))
        : v;

    /// <summary>A bar chart of <see cref="ParameterImportance"/>.</summary>
    public PlotlyFigure ImportanceChart()
    {
        var imp = ParameterImportance();
        var data = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "bar", ["orientation"] = "h",
                ["y"] = PlotlyFigure.Strings(imp.Select(i => i.Decision).Reverse()),
                ["x"] = PlotlyFigure.Numbers(imp.Select(i => i.Importance).Reverse()),
            },
        };
        return new PlotlyFigure(data, PlotlyFigure.LayoutWith("Decision importance (share of reward variance)", "importance", null));
    }

    /// <summary>Parallel coordinates of the decisions (categorical decisions as candidate indices) coloured by reward.</summary>
    public PlotlyFigure ParallelCoordinates()
    {
        var done = Completed;
        var dims = new JsonArray();
        if (_spec is not null && done.Count > 0)
        {
            var dicts = done.Select(t => { try { return _spec.ToDictionary(t.Dna); } catch (ArgumentException) { return new Dictionary<string, object?>(); } }).ToList();
            foreach (var dp in _spec.DecisionPoints)
            {
                if (dp is ChoicesSpec { IsMultiChoice: true }) continue;
                var values = dicts.Select(d => d.TryGetValue(dp.Id, out var v) && v is not null ? Convert.ToDouble(v is string ? double.NaN : v, CultureInfo.InvariantCulture) : double.NaN).ToList();
                var dim = new JsonObject { ["label"] = dp.Name ?? dp.Id, ["values"] = PlotlyFigure.Numbers(values) };
                if (dp is ChoicesSpec c)
                {
                    dim["tickvals"] = PlotlyFigure.Numbers(Enumerable.Range(0, c.CandidateCount).Select(i => (double)i));
                    dim["ticktext"] = PlotlyFigure.Strings(c.LiteralValues.Select(v => FormatCell(v)));
                }
                dims.Add(dim);
            }
        }
        var rewards = done.Select(t => t.FinalReward!.Value.Value).ToList();
        dims.Add(new JsonObject { ["label"] = Objective(0), ["values"] = PlotlyFigure.Numbers(rewards) });
        var data = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "parcoords", ["dimensions"] = dims,
                ["line"] = new JsonObject { ["color"] = PlotlyFigure.Numbers(rewards), ["colorscale"] = "Viridis", ["showscale"] = true },
            },
        };
        return new PlotlyFigure(data, PlotlyFigure.LayoutWith("Decisions vs " + Objective(0)));
    }

    /// <summary>Trials not dominated by any other (every objective larger is better).</summary>
    public IReadOnlyList<Trial> ParetoFront()
    {
        var done = Completed;
        return done.Where(a => !done.Any(b => Dominates(b.FinalReward!.Value, a.FinalReward!.Value))).OrderBy(t => t.Id).ToList();
    }

    /// <summary>True when <paramref name="a"/> is at least as good in every objective and better in one.</summary>
    public static bool Dominates(Reward a, Reward b)
    {
        bool better = false;
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (a.Values[i] < b.Values[i]) return false;
            if (a.Values[i] > b.Values[i]) better = true;
        }
        return better;
    }

    /// <summary>Scatter of the first two objectives with the Pareto front highlighted.</summary>
    public PlotlyFigure ParetoChart(int x = 0, int y = 1)
    {
        var done = Completed.Where(t => t.FinalReward!.Value.Count > Math.Max(x, y)).ToList();
        var front = ParetoFront().Where(t => t.FinalReward!.Value.Count > Math.Max(x, y)).OrderBy(t => t.FinalReward!.Value.Values[x]).ToList();
        var data = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = "trials",
                ["x"] = PlotlyFigure.Numbers(done.Select(t => t.FinalReward!.Value.Values[x])),
                ["y"] = PlotlyFigure.Numbers(done.Select(t => t.FinalReward!.Value.Values[y])),
                ["text"] = PlotlyFigure.Strings(done.Select(t => $"trial {t.Id}")), ["marker"] = new JsonObject { ["opacity"] = 0.5 },
            },
            new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "lines+markers", ["name"] = "Pareto front",
                ["x"] = PlotlyFigure.Numbers(front.Select(t => t.FinalReward!.Value.Values[x])),
                ["y"] = PlotlyFigure.Numbers(front.Select(t => t.FinalReward!.Value.Values[y])),
                ["line"] = new JsonObject { ["shape"] = "hv" },
            },
        };
        return new PlotlyFigure(data, PlotlyFigure.LayoutWith("Pareto front", Objective(x), Objective(y)));
    }
    /// <summary>
    /// True for a trial stopped early: skipped after reporting intermediate values (an early-stopping
    /// policy such as ASHA, or the evaluator, ended it before its last step).
    /// </summary>
    public static bool IsPruned(Trial trial) => trial.Status == TrialStatus.Skipped && trial.Measurements.Count > 0;

    /// <summary>
    /// The intermediate values (<see cref="TrialFeedback.Report(int, double, IReadOnlyDictionary{string, double}?)"/>
    /// steps) of <paramref name="trials"/> (default: every trial that reported), one line per trial; pruned trials
    /// are drawn dashed and end with a cross.
    /// </summary>
    public PlotlyFigure IntermediateValuesChart(IEnumerable<Trial>? trials = null)
    {
        var data = new JsonArray();
        int maxStep = 0;
        foreach (var t in (trials ?? _trials).Where(t => t.Measurements.Count > 0).OrderBy(t => t.Id))
        {
            maxStep = Math.Max(maxStep, t.Measurements.Max(m => m.Step));
            bool pruned = IsPruned(t);
            var steps = t.Measurements.OrderBy(m => m.Step).ToList();
            var symbols = steps.Select((_, i) => pruned && i == steps.Count - 1 ? "x" : "circle");
            data.Add(new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "lines+markers",
                ["name"] = $"trial {t.Id}" + (pruned ? " (pruned)" : ""),
                ["x"] = PlotlyFigure.Numbers(steps.Select(m => (double)m.Step)),
                ["y"] = PlotlyFigure.Numbers(steps.Select(m => m.Reward.Count > 0 ? m.Reward.Value : double.NaN)),
                ["line"] = new JsonObject { ["dash"] = pruned ? "dash" : "solid", ["width"] = 1.5 },
                ["marker"] = new JsonObject { ["symbol"] = PlotlyFigure.Strings(symbols), ["size"] = PlotlyFigure.Numbers(steps.Select((_, i) => pruned && i == steps.Count - 1 ? 10.0 : 5.0)) },
                ["meta"] = new JsonObject { ["trial"] = t.Id, ["pruned"] = pruned },
            });
        }
        var layout = PlotlyFigure.LayoutWith("Intermediate values", "step", Objective(0));
        layout["showlegend"] = data.Count <= 20;
        // Steps are whole numbers: one tick per step while they fit.
        if (maxStep is > 0 and <= 20) layout["xaxis"]!["dtick"] = 1;
        return new PlotlyFigure(data, layout);
    }

    /// <summary>Names of the decisions, in the order the trials first show them.</summary>
    public IReadOnlyList<string> DecisionNames()
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in _trials)
            foreach (var k in Decisions(t).Keys)
                if (seen.Add(k)) names.Add(k);
        return names;
    }

    /// <summary>
    /// A slice plot: the first objective of every completed trial against the value of one decision,
    /// coloured by trial id (later trials darker). A choice gets a category axis in candidate order, a
    /// log-scale float a log axis, other numbers a linear axis.
    /// </summary>
    public PlotlyFigure SliceChart(string decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        DecisionPoint? dp = null;
        if (_spec is not null && _spec.TryFind(decision, out var found)) dp = found;
        var points = Completed.Select(t => (Trial: t, Value: Decisions(t).TryGetValue(decision, out var v) ? v : null))
            .Where(p => p.Value is not null).ToList();
        bool numeric = dp is not ChoicesSpec && points.Count > 0 && points.All(p => p.Value is double or float or int or long or decimal or short or byte);
        var x = new JsonArray(points.Select(p => numeric
            ? (JsonNode?)JsonValue.Create(Convert.ToDouble(p.Value, CultureInfo.InvariantCulture))
            : JsonValue.Create(FormatCell(p.Value))).ToArray());
        var data = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "scatter", ["mode"] = "markers", ["name"] = decision, ["x"] = x,
                ["y"] = PlotlyFigure.Numbers(points.Select(p => p.Trial.FinalReward!.Value.Value)),
                ["text"] = PlotlyFigure.Strings(points.Select(p => $"trial {p.Trial.Id}")),
                ["marker"] = new JsonObject
                {
                    ["size"] = 7, ["opacity"] = 0.75, ["color"] = PlotlyFigure.Numbers(points.Select(p => (double)p.Trial.Id)),
                    ["colorscale"] = "Blues", ["showscale"] = false,
                    ["line"] = new JsonObject { ["width"] = 0.5, ["color"] = "#444" },
                },
            },
        };
        var layout = PlotlyFigure.LayoutWith("Slice: " + decision, decision, Objective(0));
        var xaxis = layout["xaxis"]!.AsObject();
        if (!numeric)
        {
            xaxis["type"] = "category";
            if (dp is ChoicesSpec { IsMultiChoice: false } choices)
            {
                xaxis["categoryorder"] = "array";
                xaxis["categoryarray"] = PlotlyFigure.Strings(choices.LiteralValues.Select(v => FormatCell(v)));
            }
        }
        else if (dp is FloatSpec { Scale: Scale.Log }) xaxis["type"] = "log";
        return new PlotlyFigure(data, layout);
    }

    /// <summary>One <see cref="SliceChart"/> per decision (<see cref="DecisionNames"/>).</summary>
    public IReadOnlyList<PlotlyFigure> SliceCharts() => DecisionNames().Select(SliceChart).ToList();
}
