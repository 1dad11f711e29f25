using System.Reflection;
using System.Security.Cryptography;

namespace NasNotebooks.Dashboard.Web;

/// <summary>The page's static files, all served from this assembly (and plotly.js from Plotly.NET's embedded copy): nothing is fetched from the internet.</summary>
internal static class Assets
{
    private static readonly Lazy<Asset> PlotlyJs = new(() =>
    {
        var asm = typeof(Plotly.NET.GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("plotly.js is not embedded in " + asm.FullName + " (expected a resource Plotly.NET.plotly-<version>.min.js).");
        return Load(asm, name, "text/javascript; charset=utf-8");
    });

    private static readonly Dictionary<string, Lazy<Asset>> Own = new(StringComparer.Ordinal)
    {
        ["dashboard.js"] = new(() => Load(typeof(Assets).Assembly, "NasNotebooks.Dashboard.Assets.dashboard.js", "text/javascript; charset=utf-8")),
        ["dashboard.css"] = new(() => Load(typeof(Assets).Assembly, "NasNotebooks.Dashboard.Assets.dashboard.css", "text/css; charset=utf-8")),
        ["favicon.svg"] = new(() => Load(typeof(Assets).Assembly, "NasNotebooks.Dashboard.Assets.favicon.svg", "image/svg+xml")),
    };

    /// <summary>The asset called <paramref name="name"/> (<c>plotly.min.js</c>, <c>dashboard.js</c>, ...), or null.</summary>
    public static Asset? Find(string name) => name == "plotly.min.js" ? PlotlyJs.Value : Own.TryGetValue(name, out var a) ? a.Value : null;

    /// <summary>The version of the embedded plotly.js (from its resource name).</summary>
    public static string PlotlyVersion => PlotlyJs.Value.Name["Plotly.NET.plotly-".Length..^".min.js".Length];

    private static Asset Load(Assembly asm, string resource, string contentType)
    {
        using var stream = asm.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"Resource {resource} is missing from {asm.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return new Asset(resource, bytes, contentType, "\"" + Convert.ToHexString(SHA256.HashData(bytes))[..16] + "\"");
    }
}

/// <summary>A static file: bytes, MIME type and entity tag.</summary>
internal sealed record Asset(string Name, byte[] Bytes, string ContentType, string ETag);
