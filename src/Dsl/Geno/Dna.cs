using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasNotebooks.Dsl;

/// <summary>What a DNA node holds.</summary>
public enum DnaValueKind
{
    /// <summary>No value: a list of sibling DNAs (several decisions, or the choices of a ManyOf).</summary>
    None,
    /// <summary>A choice index.</summary>
    Int,
    /// <summary>A float value.</summary>
    Float,
    /// <summary>The string DNA of a custom decision.</summary>
    Custom,
}

/// <summary>
/// One point of a search space (PyGlove's <c>pg.DNA</c>): an immutable tree whose nodes hold a choice
/// index, a float or a custom string, with children for the decisions below a choice. The literal
/// form reads <c>[(0,1),2,(3,[4,0.5])]</c>: a list holds siblings, a tuple chains a value and the
/// decisions under it. Equality, hashing and ordering ignore <see cref="Metadata"/>.
/// </summary>
public sealed class Dna : IEquatable<Dna>, IComparable<Dna>
{
    private static readonly Dna[] NoChildren = [];
    private static readonly ImmutableSortedDictionary<string, object?> NoMetadata = ImmutableSortedDictionary<string, object?>.Empty.WithComparers(StringComparer.Ordinal);
    private static readonly Dna[] SmallInts = Enumerable.Range(0, 256).Select(i => new Dna(DnaValueKind.Int, i, 0, null, NoChildren, NoMetadata)).ToArray();

    private readonly int _index;
    private readonly double _float;
    private readonly string? _custom;
    internal readonly Dna[] ChildArray;
    private int _hash;

    /// <summary>The DNA with no value and no children (a space with no decisions).</summary>
    public static Dna Empty { get; } = new(DnaValueKind.None, 0, 0, null, NoChildren, NoMetadata);

    private Dna(DnaValueKind kind, int index, double value, string? custom, Dna[] children, ImmutableSortedDictionary<string, object?> metadata)
    {
        Kind = kind; _index = index; _float = value; _custom = custom; ChildArray = children; Metadata = metadata;
    }

    /// <summary>A choice index with the DNAs of the decisions under the chosen candidate.</summary>
    public Dna(int index, params IEnumerable<Dna> children) : this(DnaValueKind.Int, CheckIndex(index), 0, null, Flatten(children), NoMetadata) { }

    /// <summary>A float decision value.</summary>
    public Dna(double value) : this(DnaValueKind.Float, 0, value, null, NoChildren, NoMetadata) { }

    /// <summary>A custom decision's string DNA.</summary>
    public Dna(string custom) : this(DnaValueKind.Custom, 0, 0, custom ?? throw new ArgumentNullException(nameof(custom)), NoChildren, NoMetadata) { }

    private static int CheckIndex(int index) => index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(index), $"A choice index must be non-negative, got {index}.");

    /// <summary>A leaf choice (shared instances for small indices: no allocation).</summary>
    public static Dna Leaf(int index) => (uint)index < (uint)SmallInts.Length ? SmallInts[index] : new Dna(index);

    internal static Dna Choice(int index, Dna sub)
    {
        if (sub.Kind == DnaValueKind.None)
            return sub.ChildArray.Length == 0 ? Leaf(index) : new Dna(DnaValueKind.Int, index, 0, null, sub.ChildArray, NoMetadata);
        return new Dna(DnaValueKind.Int, index, 0, null, [sub], NoMetadata);
    }

    /// <summary>Siblings without a value. A single child stands for itself; nested lists are flattened as PyGlove does.</summary>
    public static Dna List(params IEnumerable<Dna> children)
    {
        var arr = Flatten(children);
        if (arr.Length == 1) return arr[0];
        return arr.Length == 0 ? Empty : new Dna(DnaValueKind.None, 0, 0, null, arr, NoMetadata);
    }

    internal static Dna ListOwned(Dna[] children) => children.Length switch
    {
        0 => Empty,
        1 => children[0],
        _ => new Dna(DnaValueKind.None, 0, 0, null, children, NoMetadata),
    };

    private static Dna[] Flatten(IEnumerable<Dna> children)
    {
        var arr = children as Dna[] ?? children.ToArray();
        foreach (var c in arr) ArgumentNullException.ThrowIfNull(c, nameof(children));
        if (arr.Length == 1 && arr[0].Kind == DnaValueKind.None) return arr[0].ChildArray;
        if (arr.Length == 0) return NoChildren;
        return ReferenceEquals(arr, children) ? (Dna[])arr.Clone() : arr;
    }

    /// <summary>The kind of value this node holds.</summary>
    public DnaValueKind Kind { get; }

    /// <summary>The children (decisions under a choice, or siblings of a list node).</summary>
    public IReadOnlyList<Dna> Children => ChildArray;

    // Typed accessors throw on the wrong kind of node; formatters and debuggers that read every property skip them
    // (Value, Kind and Children describe any node).
    /// <summary>The choice index; throws when this node is not a choice.</summary>
    [System.Diagnostics.DebuggerBrowsable(System.Diagnostics.DebuggerBrowsableState.Never)]
    public int Index => Kind == DnaValueKind.Int ? _index : throw new InvalidOperationException($"DNA '{this}' is not a choice.");

    /// <summary>The float value; throws when this node is not a float.</summary>
    [System.Diagnostics.DebuggerBrowsable(System.Diagnostics.DebuggerBrowsableState.Never)]
    public double FloatValue => Kind == DnaValueKind.Float ? _float : throw new InvalidOperationException($"DNA '{this}' is not a float.");

    /// <summary>The custom string; throws when this node is not a custom decision.</summary>
    [System.Diagnostics.DebuggerBrowsable(System.Diagnostics.DebuggerBrowsableState.Never)]
    public string CustomValue => Kind == DnaValueKind.Custom ? _custom! : throw new InvalidOperationException($"DNA '{this}' is not a custom decision.");

    /// <summary>The value as an object: null, int, double or string.</summary>
    public object? Value => Kind switch { DnaValueKind.Int => _index, DnaValueKind.Float => _float, DnaValueKind.Custom => _custom, _ => null };

    /// <summary>User metadata (JSON-compatible values), persisted with the DNA; not part of equality.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; }

    /// <summary>A copy with one metadata entry set.</summary>
    public Dna WithMetadata(string key, object? value) =>
        new(Kind, _index, _float, _custom, ChildArray, ((ImmutableSortedDictionary<string, object?>)Metadata).SetItem(key, NormalizeMetadata(value)));

    /// <summary>A copy with the metadata replaced.</summary>
    public Dna WithMetadata(IEnumerable<KeyValuePair<string, object?>> metadata) =>
        new(Kind, _index, _float, _custom, ChildArray, NoMetadata.SetItems(metadata.Select(kv => new KeyValuePair<string, object?>(kv.Key, NormalizeMetadata(kv.Value)))));

    private static object? NormalizeMetadata(object? value) => value switch
    {
        null or string or bool or int or long or double => value,
        float f => (double)f,
        JsonNode n => FromJsonNode(n),
        System.Collections.IDictionary d => d.Keys.Cast<object>().ToImmutableSortedDictionary(k => k.ToString()!, k => NormalizeMetadata(d[k]), StringComparer.Ordinal),
        System.Collections.IEnumerable e => e.Cast<object?>().Select(NormalizeMetadata).ToImmutableArray(),
        _ when SymbolicValues.IsNumber(value) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"DNA metadata values must be JSON-compatible (null, bool, number, string, list, dictionary); got {value.GetType().Name}."),
    };

    /// <summary>All values in depth-first order (PyGlove <c>to_numbers</c>): <c>[(0,1),2] → [0,1,2]</c>.</summary>
    public IReadOnlyList<double> ToNumbers()
    {
        var list = new List<double>();
        void Walk(Dna d)
        {
            switch (d.Kind)
            {
                case DnaValueKind.Int: list.Add(d._index); break;
                case DnaValueKind.Float: list.Add(d._float); break;
                case DnaValueKind.Custom: throw new InvalidOperationException($"DNA '{this}' holds a custom decision ('{d._custom}'), which has no numeric form.");
            }
            foreach (var c in d.ChildArray) Walk(c);
        }
        Walk(this);
        return list;
    }

    /// <summary>Rebuilds a DNA from <see cref="ToNumbers"/> output using the spec for its shape.</summary>
    /// <exception cref="ArgumentException">Too few or too many numbers, or a number out of range; the message names the decision.</exception>
    public static Dna FromNumbers(IEnumerable<double> numbers, SpaceSpec spec) => spec.FromNumbers(numbers);

    /// <summary>Builds a DNA from a C# literal: ints, doubles, strings, tuples (chains) and arrays/lists (siblings).</summary>
    /// <example><code>Dna.FromLiteral(new object[] { (0, 1), 2, (3, new object[] { 4, 0.5 }) })</code></example>
    public static Dna FromLiteral(object? literal) => literal switch
    {
        null => Empty,
        Dna d => d,
        int i => Leaf(i),
        long l => Leaf(checked((int)l)),
        double v => new Dna(v),
        float f => new Dna((double)f),
        string s => new Dna(s),
        ITuple t => FromTuple(t, 0),
        System.Collections.IEnumerable e => List(e.Cast<object?>().Select(FromLiteral).ToArray()),
        _ => throw new ArgumentException($"Cannot read a DNA literal from {literal.GetType().Name}."),
    };

    private static Dna FromTuple(ITuple t, int start)
    {
        if (start == t.Length - 1) return FromLiteral(t[start]);
        var head = FromLiteral(t[start]);
        if (head.Kind != DnaValueKind.Int || head.ChildArray.Length > 0)
            throw new ArgumentException($"In a DNA tuple every item but the last must be a choice index; got '{head}'.");
        return new Dna(head._index, FromTuple(t, start + 1));
    }

    /// <summary>Parses the literal form, e.g. <c>[(0,1),2,(3,[4,0.5])]</c>; custom values are quoted: <c>'abc'</c>.</summary>
    /// <exception cref="FormatException">The text is not a DNA literal; the message gives the position.</exception>
    public static Dna Parse(string literal) => DnaLiteral.Parse(literal);

    /// <summary>The literal form.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb, this);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Dna d)
    {
        switch (d.Kind)
        {
            case DnaValueKind.None:
                sb.Append('[');
                for (int i = 0; i < d.ChildArray.Length; i++) { if (i > 0) sb.Append(','); Write(sb, d.ChildArray[i]); }
                sb.Append(']');
                return;
            case DnaValueKind.Int when d.ChildArray.Length > 0:
                sb.Append('(');
                var cur = d;
                while (true)
                {
                    sb.Append(cur._index).Append(',');
                    if (cur.ChildArray.Length == 1 && cur.ChildArray[0].Kind == DnaValueKind.Int && cur.ChildArray[0].ChildArray.Length > 0)
                    { cur = cur.ChildArray[0]; continue; }
                    if (cur.ChildArray.Length == 1) Write(sb, cur.ChildArray[0]);
                    else
                    {
                        sb.Append('[');
                        for (int i = 0; i < cur.ChildArray.Length; i++) { if (i > 0) sb.Append(','); Write(sb, cur.ChildArray[i]); }
                        sb.Append(']');
                    }
                    break;
                }
                sb.Append(')');
                return;
            default:
                WriteValue(sb, d);
                return;
        }
    }

    private static void WriteValue(StringBuilder sb, Dna d)
    {
        switch (d.Kind)
        {
            case DnaValueKind.Int: sb.Append(d._index); break;
            case DnaValueKind.Float: sb.Append(SymbolicValues.FormatNumber(d._float)); break;
            case DnaValueKind.Custom: sb.Append('\'').Append(d._custom!.Replace("\\", "\\\\").Replace("'", "\\'")).Append('\''); break;
        }
    }

    /// <summary>JSON form: <c>{"dna": "&lt;literal&gt;", "metadata": {...}}</c>.</summary>
    public string ToJson()
    {
        var o = new JsonObject { ["dna"] = ToString() };
        if (Metadata.Count > 0) o["metadata"] = ToJsonNode(Metadata);
        return o.ToJsonString();
    }

    /// <summary>Reads the JSON form written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The JSON has no <c>dna</c> string or the literal is malformed.</exception>
    public static Dna FromJson(string json)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new FormatException($"Invalid DNA JSON: {e.Message}", e); }
        if (node is not JsonObject o || o["dna"] is not JsonValue v || !v.TryGetValue(out string? literal))
            throw new FormatException("DNA JSON must be an object with a \"dna\" string, e.g. {\"dna\": \"[0,1]\"}.");
        var dna = Parse(literal);
        if (o["metadata"] is JsonObject meta)
            dna = dna.WithMetadata(meta.Select(kv => new KeyValuePair<string, object?>(kv.Key, FromJsonNode(kv.Value))));
        return dna;
    }

    internal static JsonNode? ToJsonNode(object? v) => v switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        IReadOnlyDictionary<string, object?> d => new JsonObject(d.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, ToJsonNode(kv.Value)))),
        System.Collections.IEnumerable e => new JsonArray(e.Cast<object?>().Select(ToJsonNode).ToArray()),
        _ => JsonValue.Create(v.ToString()),
    };

    internal static object? FromJsonNode(JsonNode? n) => n switch
    {
        null => null,
        JsonObject o => o.ToImmutableSortedDictionary(kv => kv.Key, kv => FromJsonNode(kv.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(FromJsonNode).ToImmutableArray(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.TryGetValue(out int i) => i,
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v => v.GetValue<double>(),
        _ => throw new FormatException($"Unsupported JSON node {n}."),
    };

    /// <inheritdoc />
    public bool Equals(Dna? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || Kind != other.Kind || ChildArray.Length != other.ChildArray.Length) return false;
        switch (Kind)
        {
            case DnaValueKind.Int when _index != other._index: return false;
            case DnaValueKind.Float when !_float.Equals(other._float): return false;
            case DnaValueKind.Custom when _custom != other._custom: return false;
        }
        for (int i = 0; i < ChildArray.Length; i++) if (!ChildArray[i].Equals(other.ChildArray[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Dna);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (_hash != 0) return _hash;
        var h = new HashCode();
        h.Add(Kind);
        h.Add(Kind switch { DnaValueKind.Int => _index.GetHashCode(), DnaValueKind.Float => _float.GetHashCode(), DnaValueKind.Custom => _custom!.GetHashCode(StringComparison.Ordinal), _ => 0 });
        foreach (var c in ChildArray) h.Add(c.GetHashCode());
        int v = h.ToHashCode();
        return _hash = v == 0 ? 1 : v;
    }

    /// <summary>Total order: by kind (none, int, float, custom), then value, then children lexicographically.</summary>
    public int CompareTo(Dna? other)
    {
        if (other is null) return 1;
        if (ReferenceEquals(this, other)) return 0;
        int c = Kind.CompareTo(other.Kind);
        if (c != 0) return c;
        c = Kind switch
        {
            DnaValueKind.Int => _index.CompareTo(other._index),
            DnaValueKind.Float => _float.CompareTo(other._float),
            DnaValueKind.Custom => string.CompareOrdinal(_custom, other._custom),
            _ => 0,
        };
        if (c != 0) return c;
        for (int i = 0; i < Math.Min(ChildArray.Length, other.ChildArray.Length); i++)
        {
            c = ChildArray[i].CompareTo(other.ChildArray[i]);
            if (c != 0) return c;
        }
        return ChildArray.Length.CompareTo(other.ChildArray.Length);
    }

    /// <summary>Equality operator (value semantics).</summary>
    public static bool operator ==(Dna? a, Dna? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(Dna? a, Dna? b) => !(a == b);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(Dna a, Dna b) => a.CompareTo(b) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(Dna a, Dna b) => a.CompareTo(b) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(Dna a, Dna b) => a.CompareTo(b) <= 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(Dna a, Dna b) => a.CompareTo(b) >= 0;

    /// <summary>A leaf choice.</summary>
    public static implicit operator Dna(int index) => Leaf(index);

    /// <summary>A float value.</summary>
    public static implicit operator Dna(double value) => new(value);
}
