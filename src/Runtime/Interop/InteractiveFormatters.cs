using System.Net;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Runtime.Interop;

/// <summary>
/// Marks a type for .NET Interactive / Polyglot Notebooks, which recognises an attribute by this name
/// (any namespace) and asks <see cref="FormatterSourceType"/> for formatters: no package reference to
/// .NET Interactive is needed. The NasNotebooks package's .NET Interactive extension registers formatters that take
/// precedence (offline charts, text/plain); this attribute covers the runtime assembly referenced without the package.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>A type with a parameterless constructor and a <c>CreateTypeFormatters()</c> method.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>MIME types to prefer when displaying.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}

/// <summary>
/// Formatters in .NET Interactive's convention: objects with a <c>MimeType</c> property and a
/// <c>bool Format(object, TextWriter)</c> method.
/// </summary>
public sealed class InteractiveFormatterSource
{
    /// <summary>The formatters for the NasNotebooks result types.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new HtmlFormatter()];

    /// <summary>Writes <c>text/html</c> for results, trials, reports and charts.</summary>
    public sealed class HtmlFormatter
    {
        /// <summary>The MIME type this formatter writes.</summary>
        public string MimeType => "text/html";

        /// <summary>Writes the HTML of <paramref name="instance"/>; false for types it does not know.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            ArgumentNullException.ThrowIfNull(writer);
            string? html = instance switch
            {
                SearchResult r => Html(r),
                Trial t => new StudyReport([t]).ToHtmlTable(),
                StudyReport report => report.ToHtmlTable(),
                PlotlyFigure figure => Html(figure),
                _ => null,
            };
            if (html is null) return false;
            writer.Write(html);
            return true;
        }

        private static string Html(SearchResult r)
        {
            var report = new StudyReport(r.Trials);
            return $"<div>Study <b>{WebUtility.HtmlEncode(r.StudyName)}</b>: {r.Trials.Count} trials, {report.Completed.Count} completed, ended by {r.StopReason}</div>"
                + report.ToHtmlTable(report.Best(10), "Top trials");
        }

        /// <summary>
        /// A chart for front ends where plotly.js is already loaded. The NasNotebooks extension (loaded with the package)
        /// registers formatters that take precedence and send plotly.js offline; nothing is fetched from a CDN.
        /// </summary>
        private static string Html(PlotlyFigure figure)
        {
            var id = "nas-" + Guid.NewGuid().ToString("N");
            var json = figure.ToJson().Replace("</", "<\\/", StringComparison.Ordinal);
            return $"<div id=\"{id}\"></div><script>(function(){{var f={json};if(window.Plotly){{Plotly.newPlot('{id}',f.data,f.layout);}}" +
                $"else{{document.getElementById('{id}').innerText='plotly.js is not loaded: reference the NasNotebooks package (#r \"nuget: NasNotebooks\"), whose extension renders charts offline.';}}}})();</script>";
        }
    }
}
