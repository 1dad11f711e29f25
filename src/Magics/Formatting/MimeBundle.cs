using System.Text.Json.Nodes;

namespace NasNotebooks.Magics;

/// <summary>
/// A Jupyter MIME bundle: MIME type → representation. Text types hold strings; JSON types
/// (such as <c>application/vnd.plotly.v1+json</c>) hold JSON values.
/// </summary>
public sealed class MimeBundle
{
    private readonly Dictionary<string, JsonNode?> _data = new(StringComparer.Ordinal);

    /// <summary>The MIME types present, in insertion order is not guaranteed.</summary>
    public IEnumerable<string> MimeTypes => _data.Keys;

    /// <summary>Sets a textual representation (e.g. <c>text/plain</c>, <c>text/html</c>).</summary>
    public MimeBundle Set(string mimeType, string text)
    {
        _data[mimeType] = JsonValue.Create(text);
        return this;
    }

    /// <summary>Sets a JSON representation (e.g. <c>application/json</c>).</summary>
    public MimeBundle SetJson(string mimeType, JsonNode? json)
    {
        _data[mimeType] = json;
        return this;
    }

    /// <summary>True when <paramref name="mimeType"/> is present.</summary>
    public bool Contains(string mimeType) => _data.ContainsKey(mimeType);

    /// <summary>The textual representation for <paramref name="mimeType"/>, or null.</summary>
    public string? GetText(string mimeType) =>
        _data.TryGetValue(mimeType, out var v) && v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The raw JSON value for <paramref name="mimeType"/>, or null.</summary>
    public JsonNode? GetJson(string mimeType) => _data.TryGetValue(mimeType, out var v) ? v : null;

    /// <summary>Removes a representation.</summary>
    public bool Remove(string mimeType) => _data.Remove(mimeType);

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        foreach (var (k, v) in _data)
        {
            o[k] = v?.DeepClone();
        }
        return o;
    }
}
