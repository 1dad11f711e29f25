using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NasNotebooks.Dsl;

/// <summary>
/// JSON for symbolic trees. Objects carry <c>"_type"</c> (a key from <see cref="SymbolicTypes"/>),
/// concrete CLR objects also <c>"_value": true</c>; floats always keep a decimal point so that
/// <c>1.0</c> reads back as a double.
/// </summary>
public static class SymbolicJson
{
    private const string TypeField = "_type";
    private const string ValueField = "_value";
    private const string EnumField = "_enum";

    /// <summary>Serializes a symbolic tree or plain value.</summary>
    /// <exception cref="NotSupportedException">A value has no JSON form; the message names its path.</exception>
    public static string Serialize(object? value, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
            Write(w, value, KeyPath.Root);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, object? v, KeyPath path)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); return;
            case string s: w.WriteStringValue(s); return;
            case bool b: w.WriteBooleanValue(b); return;
            case int or long or short or byte or uint or sbyte or ushort: w.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture)); return;
            case double or float or decimal:
                double d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                if (!double.IsFinite(d)) { w.WriteStringValue(SymbolicValues.FormatNumber(d)); return; }
                w.WriteRawValue(SymbolicValues.FormatNumber(d));
                return;
            case Enum e:
                w.WriteStartObject();
                w.WriteString(TypeField, SymbolicTypes.KeyOf(e.GetType()));
                w.WriteString(EnumField, e.ToString());
                w.WriteEndObject();
                return;
            case SymList list:
                w.WriteStartArray();
                for (int i = 0; i < list.Count; i++) Write(w, list[i], path.Append(new PathKey(i)));
                w.WriteEndArray();
                return;
            case SymDict dict:
                w.WriteStartObject();
                foreach (var (k, x) in dict)
                {
                    if (k.StartsWith('_') && (k == TypeField || k == ValueField || k == EnumField))
                        throw new NotSupportedException($"Dictionary key '{k}' at '{path}' is reserved by symbolic JSON.");
                    w.WritePropertyName(k);
                    Write(w, x, path.Append(new PathKey(k)));
                }
                w.WriteEndObject();
                return;
            case HyperValue h:
                w.WriteStartObject();
                w.WriteString(TypeField, h.TypeKey);
                foreach (var (k, x) in h.Fields)
                {
                    w.WritePropertyName(k.Key!);
                    if (x is ICustomHyper impl) WriteClr(w, impl, path.Append(new PathKey(k.Key!)));
                    else Write(w, x, path.Append(new PathKey(k.Key!)));
                }
                w.WriteEndObject();
                return;
            case SymObject o:
                w.WriteStartObject();
                w.WriteString(TypeField, o.TypeKey);
                foreach (var (k, x) in o.Fields) { w.WritePropertyName(k.Key!); Write(w, x, path.Append(k)); }
                w.WriteEndObject();
                return;
            case System.Collections.IList l:
                w.WriteStartArray();
                for (int i = 0; i < l.Count; i++) Write(w, l[i], path.Append(new PathKey(i)));
                w.WriteEndArray();
                return;
            default:
                WriteClr(w, v, path);
                return;
        }
    }

    private static void WriteClr(Utf8JsonWriter w, object v, KeyPath path)
    {
        var type = v.GetType();
        if (type.IsPrimitive || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
            throw new NotSupportedException($"Value {SymbolicValues.Describe(v)} at '{path}' has no JSON form.");
        var o = SymObject.FromClr(v);
        w.WriteStartObject();
        w.WriteString(TypeField, o.TypeKey);
        w.WriteBoolean(ValueField, true);
        foreach (var (k, x) in o.Fields) { w.WritePropertyName(k.Key!); Write(w, x, path.Append(k)); }
        w.WriteEndObject();
    }

    /// <summary>Reads JSON written by <see cref="Serialize"/>.</summary>
    /// <exception cref="FormatException">Malformed JSON or an unknown <c>_type</c>; the message names the path.</exception>
    public static object? Deserialize(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return Read(doc.RootElement, KeyPath.Root);
        }
        catch (JsonException e) { throw new FormatException($"Invalid symbolic JSON: {e.Message}", e); }
    }

    private static object? Read(JsonElement e, KeyPath path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Null: return null;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String: return e.GetString();
            case JsonValueKind.Number:
                var raw = e.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) >= 0) return e.GetDouble();
                if (e.TryGetInt32(out int i)) return i;
                if (e.TryGetInt64(out long l)) return l;
                return e.GetDouble();
            case JsonValueKind.Array:
                return new SymList(e.EnumerateArray().Select((x, k) => Read(x, path.Append(new PathKey(k)))).ToList());
            case JsonValueKind.Object:
                if (!e.TryGetProperty(TypeField, out var typeProp))
                {
                    var d = new SymDict();
                    foreach (var p in e.EnumerateObject()) d[p.Name] = Read(p.Value, path.Append(new PathKey(p.Name)));
                    return d;
                }
                return ReadTyped(e, typeProp.GetString() ?? "", path);
            default:
                throw new FormatException($"Unexpected JSON at '{path}'.");
        }
    }

    private static object? ReadTyped(JsonElement e, string type, KeyPath path)
    {
        object? Field(string name) => e.TryGetProperty(name, out var p) ? Read(p, path.Append(new PathKey(name))) : null;
        string? Name() => Field("name") as string;
        IEnumerable<object?> Candidates() => Field("candidates") as SymList ?? throw new FormatException($"{type} at '{path}' has no candidates.");
        try
        {
            switch (type)
            {
                case "OneOf": return new OneOf(Candidates(), Name());
                case "ManyOf": return new ManyOf(Convert.ToInt32(Field("k"), CultureInfo.InvariantCulture), Candidates(), Field("distinct") as bool? ?? true, Field("sorted") as bool? ?? false, Name());
                case "Permutation": return new Permutation(Candidates(), Name());
                case "Float":
                    return new FloatHyper(Convert.ToDouble(Field("min"), CultureInfo.InvariantCulture), Convert.ToDouble(Field("max"), CultureInfo.InvariantCulture),
                        Enum.Parse<Scale>((string?)Field("scale") ?? "Linear"), Name());
                case "Int":
                    return new IntHyper(Convert.ToInt32(Field("min"), CultureInfo.InvariantCulture), Convert.ToInt32(Field("max"), CultureInfo.InvariantCulture),
                        Field("step") is { } st ? Convert.ToInt32(st, CultureInfo.InvariantCulture) : 1, Name());
                case "Custom":
                    return new CustomHyper(Field("implementation") as ICustomHyper ?? throw new FormatException($"Custom decision at '{path}' has no registered implementation."), Name());
            }
        }
        catch (ArgumentException ex) { throw new FormatException($"Invalid {type} at '{path}': {ex.Message}", ex); }
        if (e.TryGetProperty(EnumField, out var en))
        {
            if (!SymbolicTypes.TryResolve(type, out var et) || !et.IsEnum) throw new FormatException($"Unknown enum type '{type}' at '{path}'; register it with SymbolicTypes.Register.");
            return Enum.Parse(et, en.GetString()!);
        }
        var o = new SymObject(type);
        bool concrete = false;
        foreach (var p in e.EnumerateObject())
        {
            if (p.Name == TypeField) continue;
            if (p.Name == ValueField) { concrete = p.Value.ValueKind == JsonValueKind.True; continue; }
            o[p.Name] = Read(p.Value, path.Append(new PathKey(p.Name)));
        }
        if (!concrete) return o;
        if (o.ClrType is null) throw new FormatException($"Unknown type '{type}' at '{path}'; register it with SymbolicTypes.Register before reading.");
        return o.ToClr();
    }
}
