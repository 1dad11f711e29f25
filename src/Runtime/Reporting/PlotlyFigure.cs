using System.Text.Json.Nodes;

namespace NasNotebooks.Runtime.Reporting;

/// <summary>
/// A chart as plotly.js data and layout (the <c>application/vnd.plotly.v1+json</c> MIME payload).
/// Front ends render it natively; the kernel also renders it as offline HTML.
/// </summary>
[Interop.TypeFormatterSource(typeof(Interop.InteractiveFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed class PlotlyFigure
{
    /// <summary>Creates a figure from traces and a layout.</summary>
    public PlotlyFigure(JsonArray data, JsonObject layout)
    {
        Data = data;
        Layout = layout;
    }

    /// <summary>The traces.</summary>
    public JsonArray Data { get; }

    /// <summary>The layout.</summary>
    public JsonObject Layout { get; }

    /// <summary>The chart title (empty when none).</summary>
    public string Title => Layout["title"]?["text"]?.GetValue<string>() ?? "";

    /// <summary>The MIME payload <c>{"data": [...], "layout": {...}}</c>.</summary>
    public JsonObject ToJsonObject() => new() { ["data"] = Data.DeepClone(), ["layout"] = Layout.DeepClone() };

    /// <summary>The MIME payload as JSON text.</summary>
    public string ToJson() => ToJsonObject().ToJsonString();

    /// <summary>A layout with a title and axis titles.</summary>
    public static JsonObject LayoutWith(string title, string? xTitle = null, string? yTitle = null)
    {
        var layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = title },
            ["template"] = "plotly_white",
            ["margin"] = new JsonObject { ["t"] = 50, ["r"] = 20 },
        };
        if (xTitle is not null) layout["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = xTitle } };
        if (yTitle is not null) layout["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = yTitle } };
        return layout;
    }

    /// <summary>A JSON array of numbers; NaN and infinities (e.g. inactive conditional decisions) become null gaps.</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => double.IsFinite(v) ? (JsonNode?)JsonValue.Create(v) : null).ToArray());

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <inheritdoc />
    public override string ToString() => $"Plotly chart: {Title} ({Data.Count} trace{(Data.Count == 1 ? "" : "s")})";
}
