using System.Collections;
using System.Globalization;
using System.Text;

namespace NasNotebooks.Dsl;

/// <summary>Equality, hashing, cloning and formatting of values that may appear in symbolic trees.</summary>
public static class SymbolicValues
{
    /// <summary>Structural equality: symbolic nodes by content, numbers by value (3 == 3L == 3.0), lists element-wise.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (IsNumber(a) && IsNumber(b))
        {
            if (IsIntegral(a) && IsIntegral(b)) return Convert.ToInt64(a, CultureInfo.InvariantCulture) == Convert.ToInt64(b, CultureInfo.InvariantCulture);
            return Convert.ToDouble(a, CultureInfo.InvariantCulture).Equals(Convert.ToDouble(b, CultureInfo.InvariantCulture));
        }
        switch (a)
        {
            case HyperValue ha:
                return b is HyperValue hb && ha.GetType() == hb.GetType() && FieldsEqual(ha, hb);
            case SymObject oa:
                if (b is SymObject ob) return oa.TypeKey == ob.TypeKey && FieldsEqual(oa, ob);
                if (oa.ClrType is not null && oa.ClrType.IsInstanceOfType(b) && !oa.ContainsHyper) return AreEqual(oa, ClrBinding.ToSymbolic(b));
                return false;
            case SymDict da:
                if (b is SymDict db) return FieldsEqual(da, db);
                return false;
            case IList la when a is not string:
                if (b is not IList lb || b is string || la.Count != lb.Count) return false;
                for (int i = 0; i < la.Count; i++) if (!AreEqual(la[i], lb[i])) return false;
                return true;
        }
        if (b is SymObject) return AreEqual(b, a);
        return a.Equals(b);
    }

    private static bool FieldsEqual(Symbolic a, Symbolic b)
    {
        int count = 0;
        foreach (var (k, v) in a.Fields)
        {
            count++;
            if (!b.TryGetField(k, out var w) || !AreEqual(v, w)) return false;
        }
        return count == b.Fields.Count();
    }

    /// <summary>A hash consistent with <see cref="AreEqual"/>.</summary>
    public static int Hash(object? v)
    {
        switch (v)
        {
            case null: return 0;
            case string s: return s.GetHashCode(StringComparison.Ordinal);
            case IList l when v is not string:
                var h = new HashCode();
                foreach (var x in l) h.Add(Hash(x));
                return h.ToHashCode();
            case Symbolic sym:
                int acc = sym is SymObject so ? so.TypeKey.GetHashCode(StringComparison.Ordinal) : sym.GetType().GetHashCode();
                foreach (var (k, x) in sym.Fields) acc ^= HashCode.Combine(k, Hash(x));
                return acc;
        }
        if (IsNumber(v)) return Convert.ToDouble(v, CultureInfo.InvariantCulture).GetHashCode();
        return v.GetHashCode();
    }

    /// <summary>Deep-copies symbolic nodes; other values are returned as they are.</summary>
    public static object? Clone(object? v) => v is Symbolic s ? s.Clone() : v;

    internal static bool IsNumber(object? v) => v is int or long or double or float or short or byte or sbyte or uint or ulong or ushort or decimal;

    internal static bool IsIntegral(object? v) => v is int or long or short or byte or sbyte or uint or ulong or ushort
        || v is double d && Math.Floor(d) == d && !double.IsInfinity(d) || v is float f && MathF.Floor(f) == f && !float.IsInfinity(f);

    internal static bool IsNumberType(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float)
        || t == typeof(short) || t == typeof(byte) || t == typeof(decimal) || t == typeof(uint) || t == typeof(ulong);

    internal static bool IsIntegralType(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(uint) || t == typeof(ulong);

    /// <summary>Reads a child of a symbolic node, list, dictionary or CLR object (properties by name).</summary>
    internal static bool TryGetChild(object? value, PathKey key, out object? child)
    {
        switch (value)
        {
            case Symbolic s: return s.TryGetField(key, out child);
            case string: break;
            case IList l when key.IsIndex:
                if (key.Index < l.Count) { child = l[key.Index]; return true; }
                break;
            case IDictionary d when !key.IsIndex:
                if (d.Contains(key.Key!)) { child = d[key.Key!]; return true; }
                break;
            case IReadOnlyDictionary<string, object?> rd when !key.IsIndex:
                return rd.TryGetValue(key.Key!, out child);
            case not null when !key.IsIndex && !IsNumber(value) && value is not bool:
                return ClrBinding.TryGetMember(value, key.Key!, out child);
        }
        child = null;
        return false;
    }

    /// <summary>A short description of a value for error messages.</summary>
    public static string Describe(object? v) => v switch
    {
        null => "null",
        Symbolic s => $"{Format(s, true)}",
        string s => $"\"{s}\"",
        _ when IsNumber(v) => $"{Format(v, true)} ({v.GetType().Name})",
        _ => $"{v} ({v.GetType().Name})",
    };

    /// <summary>Formats a value: compact on one line, or indented over several lines.</summary>
    public static string Format(object? value, bool compact = true)
    {
        var sb = new StringBuilder();
        Write(sb, value, compact, 0);
        return sb.ToString();
    }

    internal static string FormatNumber(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }

    private static void Write(StringBuilder sb, object? v, bool compact, int indent)
    {
        switch (v)
        {
            case null: sb.Append("null"); return;
            case string s: sb.Append('"').Append(s.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"'); return;
            case bool b: sb.Append(b ? "true" : "false"); return;
            case double d: sb.Append(FormatNumber(d)); return;
            case float f: sb.Append(FormatNumber(f)); return;
            case SymList l: WriteItems(sb, "[", "]", l.Select(x => (default(string), x)), compact, indent); return;
            case SymDict d: WriteItems(sb, "{", "}", d.Select(kv => ((string?)kv.Key, kv.Value)), compact, indent, ": "); return;
            case SymObject o: WriteItems(sb, ShortName(o.TypeKey) + "(", ")", o.Fields.Select(kv => (kv.Key.Key, kv.Value)), compact, indent); return;
            case HyperValue h: WriteItems(sb, h.TypeKey + "(", ")", h.Fields.Select(kv => (kv.Key.Key, kv.Value)), compact, indent); return;
            case IFormattable fm: sb.Append(fm.ToString(null, CultureInfo.InvariantCulture)); return;
            case IList list: WriteItems(sb, "[", "]", list.Cast<object?>().Select(x => (default(string), x)), compact, indent); return;
            default: sb.Append(v); return;
        }
    }

    private static string ShortName(string typeKey)
    {
        int i = typeKey.LastIndexOfAny(['.', '+']);
        return i >= 0 ? typeKey[(i + 1)..] : typeKey;
    }

    private static void WriteItems(StringBuilder sb, string open, string close, IEnumerable<(string? Key, object? Value)> items, bool compact, int indent, string sep = "=")
    {
        var list = items.ToList();
        sb.Append(open);
        if (list.Count == 0) { sb.Append(close); return; }
        bool nested = !compact && list.Any(i => i.Value is Symbolic);
        for (int i = 0; i < list.Count; i++)
        {
            if (nested) sb.Append('\n').Append(' ', (indent + 1) * 2);
            else if (i > 0) sb.Append(' ');
            if (list[i].Key is not null) sb.Append(list[i].Key).Append(sep);
            Write(sb, list[i].Value, compact, indent + 1);
            if (i < list.Count - 1 || nested) sb.Append(',');
        }
        if (nested) sb.Append('\n').Append(' ', indent * 2);
        sb.Append(close);
    }

    internal static IReadOnlyList<SymbolicDifference> Diff(object? left, object? right)
    {
        var result = new List<SymbolicDifference>();
        void Walk(KeyPath path, object? a, object? b)
        {
            if (a is Symbolic sa && b is Symbolic sb && sa.GetType() == sb.GetType()
                && (sa is not SymObject oa || oa.TypeKey == ((SymObject)sb).TypeKey)
                && (sa is not HyperValue))
            {
                var keys = sa.Fields.Select(f => f.Key).ToList();
                foreach (var k in sb.Fields.Select(f => f.Key)) if (!keys.Contains(k)) keys.Add(k);
                foreach (var k in keys)
                {
                    bool ha = sa.TryGetField(k, out var va), hb = sb.TryGetField(k, out var vb);
                    if (!ha) result.Add(new(path.Append(k), SymbolicDifference.Missing, vb));
                    else if (!hb) result.Add(new(path.Append(k), va, SymbolicDifference.Missing));
                    else Walk(path.Append(k), va, vb);
                }
            }
            else if (!AreEqual(a, b)) result.Add(new(path, a, b));
        }
        Walk(KeyPath.Root, left, right);
        return result;
    }
}
