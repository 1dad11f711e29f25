namespace NasNotebooks.Interactive;

using System.Net;
using NasNotebooks.Magics;
using NasNotebooks.Magics.Nas;
using InteractiveFormatter = Microsoft.DotNet.Interactive.Formatting.Formatter;
using NasFormatter = NasNotebooks.Magics.Formatter;

/// <summary>A value already rendered by the shared formatters (what <c>#!nas</c> displays and updates).</summary>
internal sealed class NasOutput(MimeBundle bundle)
{
    public MimeBundle Bundle { get; } = bundle;

    public override string ToString() => Bundle.GetText("text/plain") ?? "";
}

/// <summary>
/// Registers .NET Interactive formatters that render through the shared NasNotebooks formatters
/// (<see cref="NasFormatter"/>), so a <c>SpaceSpec</c>, <c>Dna</c>, <c>SearchResult</c>, chart... looks the same as
/// in the NasNotebooks kernel: compact HTML tables, text/plain, and charts as offline HTML (plotly.js sent once per
/// session from the copy of Plotly.NET's bundle in NasNotebooks.Magics, never from a CDN).
/// </summary>
internal static class InteractiveFormatters
{
    /// <summary>
    /// A MIME type whose formatter writes nothing: variables are read with <c>RequestValue</c>/<c>RequestValueInfos</c>,
    /// which format every value they return, and this keeps that from rendering spaces, tables or evaluators.
    /// </summary>
    public const string ReferenceMimeType = "application/x.nasnotebooks.reference";

    /// <summary>The MIME types .NET Interactive is asked for; JSON types (Plotly's) would reach Jupyter as strings.</summary>
    private static readonly string[] SentMimeTypes = ["text/html", "text/plain", "text/markdown", "application/javascript"];

    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }
        NasFormatters.Register();
        InteractiveFormatter.Register<object>(_ => "", ReferenceMimeType);
        foreach (var mime in SentMimeTypes)
        {
            var m = mime;
            InteractiveFormatter.Register(typeof(NasOutput), (o, writer) => writer.Write(Text(((NasOutput)o).Bundle, m)), m);
        }
        foreach (var type in NasFormatters.DisplayTypes)
        {
            InteractiveFormatter.Register(type, (o, writer) => writer.Write(Html(o)), "text/html");
            InteractiveFormatter.Register(type, (o, writer) => writer.Write(NasFormatter.ToPlainText(o)), "text/plain");
            InteractiveFormatter.SetPreferredMimeTypesFor(type, "text/html", "text/plain");
        }
    }

    /// <summary>The MIME types of <paramref name="bundle"/> to display (text/html first; no JSON types).</summary>
    public static string[] MimeTypesOf(MimeBundle bundle) => SentMimeTypes.Where(bundle.Contains).ToArray();

    private static string Html(object value)
    {
        var bundle = NasFormatter.ToMimeBundle(value);
        return Text(bundle, "text/html");
    }

    private static string Text(MimeBundle bundle, string mimeType) =>
        bundle.GetText(mimeType) ?? (mimeType == "text/html"
            ? $"<pre>{WebUtility.HtmlEncode(bundle.GetText("text/plain") ?? "")}</pre>"
            : bundle.GetText("text/plain") ?? "");
}
