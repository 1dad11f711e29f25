using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace NasNotebooks.Magics;

/// <summary>
/// Formats Plotly.NET charts as offline HTML (plotly.js is inlined once per session from the copy of
/// Plotly.NET's bundle embedded in this assembly) plus <c>application/vnd.plotly.v1+json</c>.
/// </summary>
internal static class PlotlyFormatter
{
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    private static int _scriptEmitted;
    private static string? _plotlyJs;

    /// <summary>Forget that plotly.js was emitted (a new session, e.g. after restart).</summary>
    public static void ResetSession() => Interlocked.Exchange(ref _scriptEmitted, 0);

    public static bool TryFormat(object value, MimeBundle bundle)
    {
        if (value is not GenericChart chart)
        {
            return false;
        }
        Format(chart, bundle);
        return true;
    }

    public static void Format(GenericChart chart, MimeBundle bundle)
    {
        var json = GenericChart.toJson(chart);
        var figure = JsonNode.Parse(json) as JsonObject ?? new JsonObject();
        var data = figure["data"]?.DeepClone() ?? new JsonArray();
        var layout = figure["layout"]?.DeepClone() ?? new JsonObject();
        var config = figure["config"]?.DeepClone() ?? new JsonObject();
        bundle.SetJson(PlotlyMimeType, new JsonObject { ["data"] = data, ["layout"] = layout, ["config"] = config });
        bundle.Set("text/html", Html(json));
    }

    internal static string Html(string figureJson)
    {
        var id = "nas-plotly-" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        if (Interlocked.Exchange(ref _scriptEmitted, 1) == 0)
        {
            // Hide AMD's define (classic notebook's require.js) so the UMD bundle sets window.Plotly.
            sb.Append("<script type=\"text/javascript\">window.__nasDefine = window.define; window.define = undefined;</script>\n");
            sb.Append("<script type=\"text/javascript\">").Append(PlotlyJs().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");
            sb.Append("<script type=\"text/javascript\">window.define = window.__nasDefine;</script>\n");
        }
        sb.Append("<div id=\"").Append(id).Append("\"></div>\n");
        sb.Append("<script type=\"text/javascript\">(function () {\n");
        sb.Append("  var fig = ").Append(figureJson.Replace("</", "<\\/", StringComparison.Ordinal)).Append(";\n");
        sb.Append("  var tries = 0;\n");
        sb.Append("  function draw() {\n");
        sb.Append("    if (window.Plotly) { window.Plotly.newPlot('").Append(id).Append("', fig.data, fig.layout, fig.config || {}); }\n");
        sb.Append("    else if (tries++ < 200) { setTimeout(draw, 50); }\n");
        sb.Append("    else { document.getElementById('").Append(id).Append("').innerText = 'plotly.js was not loaded: re-run the first chart cell of this session.'; }\n");
        sb.Append("  }\n  draw();\n})();</script>");
        return sb.ToString();
    }

    /// <summary>The name of the copy of plotly.js embedded in this assembly (see <c>build/PlotlyJsResource.targets</c>).</summary>
    internal const string EmbeddedPlotlyJs = "NasNotebooks.plotly.min.js";

    /// <summary>
    /// The plotly.js bundle of Plotly.NET (resource <c>Plotly.NET.plotly-&lt;version&gt;.min.js</c>), copied into this
    /// assembly at build time so that hosts without Plotly.NET (.NET Interactive) render charts offline too.
    /// </summary>
    internal static string PlotlyJs()
    {
        if (_plotlyJs is not null)
        {
            return _plotlyJs;
        }
        var asm = typeof(PlotlyFormatter).Assembly;
        using var stream = asm.GetManifestResourceStream(EmbeddedPlotlyJs)
            ?? throw new InvalidOperationException($"plotly.js resource {EmbeddedPlotlyJs} not found in {asm.FullName}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return _plotlyJs = reader.ReadToEnd();
    }

    internal static string? FindResourceName(Assembly asm) =>
        asm.GetManifestResourceNames().FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
}
