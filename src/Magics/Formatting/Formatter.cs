using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace NasNotebooks.Magics;

/// <summary>
/// Registry that turns objects into Jupyter MIME bundles. <c>text/plain</c> is always present;
/// registered formatters and the built-in ones (IMimeFormattable, IHtmlFormattable, Plotly.NET charts,
/// dictionaries and sequences as HTML tables) add richer representations.
/// </summary>
/// <example>
/// <code>
/// Formatter.Register&lt;StudyResult&gt;((r, bundle) =&gt; bundle.Set("text/html", r.ToHtmlTable()));
/// </code>
/// </example>
public static class Formatter
{
    private static readonly object Gate = new();
    private static (Type Type, Action<object, MimeBundle> Format)[] _formatters = [];
    private static (Type Type, Func<object, string> Format)[] _plainText = [];

    /// <summary>Maximum number of rows rendered by the HTML table formatter.</summary>
    public static int MaxTableRows { get; set; } = 100;

    /// <summary>Maximum number of items listed by the plain-text formatter for sequences.</summary>
    public static int MaxPlainTextItems { get; set; } = 20;

    /// <summary>
    /// Registers a formatter for <typeparamref name="T"/> and its subtypes. It runs after
    /// <c>text/plain</c> is set and may add or replace representations. Formatters registered later
    /// take precedence over earlier ones and over the built-in formatters.
    /// </summary>
    public static void Register<T>(Action<T, MimeBundle> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Gate)
        {
            _formatters = [.. _formatters, (typeof(T), (o, b) => format((T)o, b))];
        }
    }

    /// <summary>Registers a single textual MIME representation (e.g. <c>text/html</c>) for <typeparamref name="T"/>.</summary>
    public static void Register<T>(string mimeType, Func<T, string> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        Register<T>((v, b) => b.Set(mimeType, format(v)));
    }

    /// <summary>Registers the <c>text/plain</c> representation of <typeparamref name="T"/>.</summary>
    public static void RegisterPlainText<T>(Func<T, string> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Gate)
        {
            _plainText = [.. _plainText, (typeof(T), o => format((T)o))];
        }
    }

    /// <summary>Removes every registered (non built-in) formatter.</summary>
    public static void ResetRegistrations()
    {
        lock (Gate)
        {
            _formatters = [];
            _plainText = [];
        }
    }

    /// <summary>Formats <paramref name="value"/> as a MIME bundle.</summary>
    public static MimeBundle ToMimeBundle(object? value)
    {
        var bundle = new MimeBundle();
        bundle.Set("text/plain", ToPlainText(value));
        if (value is null)
        {
            return bundle;
        }
        var custom = _formatters;
        for (int i = custom.Length - 1; i >= 0; i--)
        {
            if (custom[i].Type.IsInstanceOfType(value))
            {
                custom[i].Format(value, bundle);
                return bundle;
            }
        }
        FormatBuiltIn(value, bundle);
        return bundle;
    }

    private static void FormatBuiltIn(object value, MimeBundle bundle)
    {
        switch (value)
        {
            case IMimeFormattable mf:
                mf.Format(bundle);
                return;
            case IHtmlFormattable hf:
                bundle.Set("text/html", hf.ToHtml());
                return;
            case string:
                return;
        }
        var typeName = value.GetType().FullName ?? "";
        if (typeName.StartsWith("Plotly.NET.", StringComparison.Ordinal) && PlotlyFormatter.TryFormat(value, bundle))
        {
            return;
        }
        if (value is IDictionary dict)
        {
            bundle.Set("text/html", HtmlTable.FromDictionary(dict, MaxTableRows));
        }
        else if (value is IEnumerable seq)
        {
            bundle.Set("text/html", HtmlTable.FromSequence(seq, MaxTableRows));
        }
    }

    /// <summary>The <c>text/plain</c> representation of <paramref name="value"/>.</summary>
    public static string ToPlainText(object? value)
    {
        if (value is null)
        {
            return "null";
        }
        var plain = _plainText;
        for (int i = plain.Length - 1; i >= 0; i--)
        {
            if (plain[i].Type.IsInstanceOfType(value))
            {
                return plain[i].Format(value);
            }
        }
        return PlainText(value, depth: 0);
    }

    /// <summary>HTML-escapes text for element content and attribute values.</summary>
    public static string HtmlEncode(string? text) => WebUtility.HtmlEncode(text ?? "");

    internal static string PlainText(object? value, int depth)
    {
        switch (value)
        {
            case null:
                return "null";
            case string s:
                return s;
            case bool b:
                return b ? "true" : "false";
            case char c:
                return c.ToString();
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            case IDictionary d when depth < 2:
                return Join(Entries(d).Select(e => PlainText(e.Key, depth + 1) + ": " + PlainText(e.Value, depth + 1)), "{ ", " }");
            case IEnumerable e when depth < 2 && !HasCustomToString(value.GetType()):
                return Join(e.Cast<object?>().Select(x => PlainText(x, depth + 1)), "[", "]");
        }
        var type = value.GetType();
        if (type.FullName?.StartsWith("Plotly.NET.GenericChart", StringComparison.Ordinal) == true)
        {
            // F#'s structural ToString of charts is slow (hundreds of ms) and unreadable.
            return "Plotly.NET chart";
        }
        var text = value.ToString();
        if (text is null || text == type.FullName || text == type.ToString())
        {
            return depth < 2 ? DescribeMembers(value, depth) : FriendlyName(type);
        }
        return text;
    }

    private static IEnumerable<DictionaryEntry> Entries(IDictionary d)
    {
        var e = d.GetEnumerator();
        while (e.MoveNext())
        {
            yield return e.Entry;
        }
    }

    private static bool HasCustomToString(Type t)
    {
        var m = t.GetMethod("ToString", Type.EmptyTypes);
        return m is not null && m.DeclaringType != typeof(object) && !(m.DeclaringType?.IsGenericType ?? false) && m.DeclaringType?.Namespace?.StartsWith("System", StringComparison.Ordinal) == false;
    }

    private static string Join(IEnumerable<string> items, string open, string close)
    {
        var sb = new StringBuilder(open);
        int n = 0;
        using var it = items.GetEnumerator();
        while (it.MoveNext())
        {
            if (n == MaxPlainTextItems)
            {
                sb.Append(", ...");
                break;
            }
            if (n > 0)
            {
                sb.Append(", ");
            }
            sb.Append(it.Current);
            n++;
        }
        return sb.Append(close).ToString();
    }

    private static string DescribeMembers(object value, int depth)
    {
        var members = TableMembers(value.GetType());
        if (members.Count == 0)
        {
            return FriendlyName(value.GetType());
        }
        return FriendlyName(value.GetType()) + " " + Join(members.Select(m => m.Name + " = " + PlainText(m.Get(value), depth + 1)), "{ ", " }");
    }

    internal static string FriendlyName(Type t)
    {
        if (!t.IsGenericType)
        {
            return t.Name;
        }
        var name = t.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }
        return name + "<" + string.Join(", ", t.GetGenericArguments().Select(FriendlyName)) + ">";
    }

    internal sealed record Member(string Name, Func<object, object?> Get);

    internal static IReadOnlyList<Member> TableMembers(Type t)
    {
        var list = new List<Member>();
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length == 0 && p.CanRead && p.GetMethod!.IsPublic && p.Name != "EqualityContract")
            {
                list.Add(new Member(p.Name, o => SafeGet(() => p.GetValue(o))));
            }
        }
        foreach (var f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            list.Add(new Member(f.Name, o => SafeGet(() => f.GetValue(o))));
        }
        return list;
    }

    private static object? SafeGet(Func<object?> get)
    {
        try
        {
            return get();
        }
        catch (Exception e)
        {
            return "<" + (e is TargetInvocationException { InnerException: { } inner } ? inner.GetType().Name : e.GetType().Name) + ">";
        }
    }

    internal static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) ||
        t == typeof(DateTimeOffset) || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(DateOnly) ||
        t == typeof(TimeOnly) || t == typeof(System.Numerics.BigInteger) || (Nullable.GetUnderlyingType(t) is { } u && IsScalar(u));
}
