using System.Collections;
using System.Text;

namespace NasNotebooks.Magics;

/// <summary>Renders sequences and dictionaries as escaped HTML tables.</summary>
internal static class HtmlTable
{
    private static string Cell(object? value) => Formatter.HtmlEncode(Formatter.PlainText(value, depth: 1));

    public static string FromSequence(IEnumerable sequence, int maxRows)
    {
        var items = new List<object?>();
        bool more = false;
        foreach (var item in sequence)
        {
            if (items.Count == maxRows)
            {
                more = true;
                break;
            }
            items.Add(item);
        }
        var elementType = ElementType(sequence.GetType()) ?? items.FirstOrDefault(i => i is not null)?.GetType() ?? typeof(object);
        if (elementType == typeof(object) && items.FirstOrDefault(i => i is not null) is { } first)
        {
            elementType = first.GetType();
        }
        if (items.Count > 0 && items.All(i => i is IDictionary))
        {
            return FromRowsOfDictionaries(items.Cast<IDictionary>().ToList(), more, maxRows);
        }
        var members = Formatter.IsScalar(elementType) ? [] : Formatter.TableMembers(elementType);
        var sb = new StringBuilder("<table class=\"nas-table\"><thead><tr><th><i>index</i></th>");
        if (members.Count == 0)
        {
            sb.Append("<th>value</th>");
        }
        foreach (var m in members)
        {
            sb.Append("<th>").Append(Formatter.HtmlEncode(m.Name)).Append("</th>");
        }
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < items.Count; i++)
        {
            sb.Append("<tr><td>").Append(i).Append("</td>");
            var item = items[i];
            if (members.Count == 0)
            {
                sb.Append("<td>").Append(Cell(item)).Append("</td>");
            }
            else
            {
                foreach (var m in members)
                {
                    var v = item is not null && elementType.IsInstanceOfType(item) ? m.Get(item) : null;
                    sb.Append("<td>").Append(Cell(v)).Append("</td>");
                }
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (more)
        {
            sb.Append("<p><i>(only the first ").Append(maxRows).Append(" rows are shown)</i></p>");
        }
        return sb.ToString();
    }

    /// <summary>One row per dictionary, one column per key (in order of first appearance); a missing key is an empty cell.</summary>
    private static string FromRowsOfDictionaries(List<IDictionary> rows, bool more, int maxRows)
    {
        var keys = new List<object>();
        foreach (var row in rows)
        {
            foreach (DictionaryEntry e in row)
            {
                if (!keys.Contains(e.Key))
                {
                    keys.Add(e.Key);
                }
            }
        }
        var sb = new StringBuilder("<table class=\"nas-table\"><thead><tr><th><i>index</i></th>");
        foreach (var k in keys)
        {
            sb.Append("<th>").Append(Cell(k)).Append("</th>");
        }
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append("<tr><td>").Append(i).Append("</td>");
            foreach (var k in keys)
            {
                sb.Append("<td>").Append(rows[i].Contains(k) ? Cell(rows[i][k]) : "").Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
        if (more)
        {
            sb.Append("<p><i>(only the first ").Append(maxRows).Append(" rows are shown)</i></p>");
        }
        return sb.ToString();
    }

    public static string FromDictionary(IDictionary dictionary, int maxRows)
    {
        var sb = new StringBuilder("<table class=\"nas-table\"><thead><tr><th><i>key</i></th><th>value</th></tr></thead><tbody>");
        int n = 0;
        foreach (DictionaryEntry e in dictionary)
        {
            if (n++ == maxRows)
            {
                sb.Append("</tbody></table><p><i>(only the first ").Append(maxRows).Append(" rows are shown)</i></p>");
                return sb.ToString();
            }
            sb.Append("<tr><td>").Append(Cell(e.Key)).Append("</td><td>").Append(Cell(e.Value)).Append("</td></tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    private static Type? ElementType(Type t)
    {
        if (t.IsArray)
        {
            return t.GetElementType();
        }
        var ienum = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return ienum?.GetGenericArguments()[0];
    }
}
