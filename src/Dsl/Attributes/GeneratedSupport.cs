using System.ComponentModel;
using System.Globalization;

namespace NasNotebooks.Dsl;

/// <summary>
/// Helpers called by code that the NasNotebooks source generator emits for <c>[Searchable]</c> types.
/// Not meant to be called by hand; the DNA layout they read and write is the one of <see cref="SpaceSpec"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedSupport
{
    /// <summary>The element DNAs of a space with <paramref name="count"/> top-level decisions.</summary>
    public static Dna[] Elements(Dna dna, int count, string where)
    {
        ArgumentNullException.ThrowIfNull(dna);
        switch (count)
        {
            case 0:
                if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != 0)
                    throw new DnaValidationException(where, $"Space '{where}' has no decisions, but the DNA is '{dna}'.");
                return [];
            case 1: return [dna];
            default:
                if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != count)
                    throw new DnaValidationException(where, $"Space '{where}' has {count} decisions, but the DNA '{dna}' has {(dna.Kind == DnaValueKind.None ? dna.ChildArray.Length : 1)}.");
                return dna.ChildArray;
        }
    }

    /// <summary>The index of a choice DNA among <paramref name="candidates"/> candidates.</summary>
    public static int Index(Dna dna, int candidates, string where)
    {
        if (dna.Kind != DnaValueKind.Int) throw new DnaValidationException(where, $"Decision '{where}': expects a choice index, got '{dna}'.");
        int j = dna.Index;
        if (j >= candidates) throw new DnaValidationException(where, $"Decision '{where}': choice {j} is out of range: there are {candidates} candidates.");
        return j;
    }

    /// <summary>The element DNAs of the sub-space under a choice DNA (the chosen candidate has <paramref name="count"/> decisions).</summary>
    public static Dna[] ChoiceElements(Dna choice, int count, string where)
    {
        var children = choice.ChildArray;
        switch (count)
        {
            case 0:
                if (children.Length != 0) throw new DnaValidationException(where, $"Decision '{where}': candidate {choice.Index} has no decisions, but the DNA has children '{choice}'.");
                return [];
            case 1: return [children.Length == 1 ? children[0] : Dna.ListOwned(children)];
            default:
                if (children.Length != count)
                    throw new DnaValidationException(where, $"Decision '{where}': candidate {choice.Index} has {count} decisions, but the DNA '{choice}' has {children.Length}.");
                return children;
        }
    }

    /// <summary>The k choice DNAs of a ManyOf decision.</summary>
    public static Dna[] Multi(Dna dna, int k, string where)
    {
        if (k == 1) return [dna];
        if (dna.Kind != DnaValueKind.None || dna.ChildArray.Length != k)
            throw new DnaValidationException(where, $"Decision '{where}': expects a list of {k} choices, got '{dna}'.");
        return dna.ChildArray;
    }

    /// <summary>The value of a float DNA.</summary>
    public static double Float(Dna dna, string where)
    {
        if (dna.Kind != DnaValueKind.Float) throw new DnaValidationException(where, $"Decision '{where}': expects a float, got '{dna}'.");
        return dna.FloatValue;
    }

    /// <summary>A fresh element array for a space with <paramref name="count"/> decisions.</summary>
    public static Dna[] NewElements(int count) => count == 0 ? [] : new Dna[count];

    /// <summary>Joins the element DNAs of a space (as <see cref="SpaceSpec"/> does).</summary>
    public static Dna Join(Dna[] elements) => Dna.ListOwned(elements);

    /// <summary>A choice DNA: index <paramref name="index"/> with the element DNAs of the chosen candidate's sub-space.</summary>
    public static Dna Choice(int index, Dna[] subElements) => subElements.Length == 0 ? Dna.Leaf(index) : Dna.Choice(index, Dna.ListOwned(subElements));

    /// <summary>Materializes a ManyOf/Permutation over constants.</summary>
    public static T[] MaterializeMany<T>(Dna dna, T[] candidates, int k, string where)
    {
        var children = Multi(dna, k, where);
        var result = new T[k];
        for (int q = 0; q < k; q++)
        {
            if (children[q].ChildArray.Length != 0) throw new DnaValidationException(where, $"Decision '{where}[{q}]': candidate has no decisions, but the DNA is '{children[q]}'.");
            result[q] = candidates[Index(children[q], candidates.Length, where)];
        }
        return result;
    }

    /// <summary>Encodes a ManyOf/Permutation over constants; throws when the value is not in the space.</summary>
    public static Dna EncodeMany<T>(IEnumerable<T>? value, T[] candidates, int k, bool distinct, bool sorted, string member)
    {
        var list = value as IReadOnlyList<T> ?? value?.ToList();
        if (list is null || list.Count != k)
            throw new ArgumentException($"{member} expects a list of {k} values out of [{FormatAll(candidates)}], got {(list is null ? "null" : $"{list.Count} values")}.", "value");
        var cmp = EqualityComparer<T>.Default;
        var children = new Dna[k];
        var used = new int[k];
        for (int q = 0; q < k; q++)
        {
            int found = -1;
            for (int j = 0; j < candidates.Length && found < 0; j++)
            {
                if (!cmp.Equals(candidates[j], list[q])) continue;
                bool taken = false;
                if (distinct) for (int p = 0; p < q; p++) if (used[p] == j) taken = true;
                if (!taken) found = j;
            }
            if (found < 0)
                throw new ArgumentException($"{member}[{q}]: {Format(list[q])} is not {(distinct ? "an unused value" : "one")} of the allowed values [{FormatAll(candidates)}].", "value");
            used[q] = found;
            if (q > 0 && sorted && (distinct ? found <= used[q - 1] : found < used[q - 1]))
                throw new ArgumentException($"{member} must keep the order of the allowed values [{FormatAll(candidates)}].", "value");
            children[q] = Dna.Leaf(found);
        }
        return Dna.ListOwned(children);
    }

    /// <summary>Copies items into a list of the member's collection kind.</summary>
    public static List<T> ToList<T>(T[] items) => [.. items];

    /// <summary>A symbolic list of plain values.</summary>
    public static SymList ToSymList<T>(IEnumerable<T>? items) => items is null ? new SymList() : new SymList(items.Select(x => (object?)x));

    /// <summary>A symbolic list of searchable children.</summary>
    public static SymList ToSymList<T>(IEnumerable<T>? items, Func<T, SymObject> toSymbolic) => items is null ? new SymList() : new SymList(items.Select(x => (object?)toSymbolic(x)));

    /// <summary>The repeat candidates: lists of <c>min..max</c> child spaces.</summary>
    public static object?[] RepeatCandidates(int min, int max, Func<SymObject> childSpace)
    {
        var result = new object?[max - min + 1];
        for (int n = min; n <= max; n++)
        {
            var list = new SymList();
            for (int i = 0; i < n; i++) list.Add(childSpace());
            result[n - min] = list;
        }
        return result;
    }

    /// <summary>Checks that <paramref name="o"/> stands for <paramref name="type"/>.</summary>
    public static void CheckType(SymObject o, Type type)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.ClrType != type && o.TypeKey != SymbolicTypes.KeyOf(type))
            throw new ArgumentException($"Expected a symbolic {type.Name}, got {o.TypeKey}.", nameof(o));
    }

    /// <summary>Whether <paramref name="o"/> stands for <paramref name="type"/>.</summary>
    public static bool IsType(SymObject o, Type type) => o.ClrType == type || o.TypeKey == SymbolicTypes.KeyOf(type);

    /// <summary>Reads a field of a symbolic object, naming it when missing.</summary>
    public static object? Field(SymObject o, string field, string where) =>
        o.TryGetField(new PathKey(field), out var v) ? v : throw new ArgumentException($"Symbolic {where.Split('.')[0]} has no field '{field}'.", nameof(o));

    /// <summary>A field holding a symbolic object.</summary>
    public static SymObject ObjectField(SymObject o, string field, string where) =>
        Field(o, field, where) as SymObject ?? throw new ArgumentException($"'{where}' must be a symbolic object.", nameof(o));

    /// <summary>A field holding a symbolic list of objects.</summary>
    public static IEnumerable<SymObject> ObjectListField(SymObject o, string field, string where) =>
        (Field(o, field, where) as SymList ?? throw new ArgumentException($"'{where}' must be a symbolic list.", nameof(o)))
        .Select((x, i) => x as SymObject ?? throw new ArgumentException($"'{where}[{i}]' must be a symbolic object.", nameof(o)));

    /// <summary>A field holding a list of plain values.</summary>
    public static T[] ListField<T>(SymObject o, string field, string where) =>
        (Field(o, field, where) as System.Collections.IEnumerable ?? throw new ArgumentException($"'{where}' must be a list.", nameof(o)))
        .Cast<object?>().Select((x, i) => As<T>(x, $"{where}[{i}]")).ToArray();

    /// <summary>Converts a plain value read from a symbolic tree (e.g. after JSON) to <typeparamref name="T"/>.</summary>
    public static T As<T>(object? value, string where)
    {
        if (value is T t) return t;
        var target = typeof(T);
        try
        {
            if (target.IsEnum)
            {
                if (value is string s) return (T)Enum.Parse(target, s);
                if (value is not null && SymbolicValues.IsIntegral(value)) return (T)Enum.ToObject(target, Convert.ToInt64(value, CultureInfo.InvariantCulture));
            }
            else if (value is not null && SymbolicValues.IsNumber(value) && SymbolicValues.IsNumberType(target)
                     && (!SymbolicValues.IsIntegralType(target) || SymbolicValues.IsIntegral(value)))
                return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or InvalidCastException or FormatException) { }
        throw new ArgumentException($"'{where}' expects a {target.Name}, got {SymbolicValues.Describe(value)}.", nameof(value));
    }

    /// <summary>The exception thrown when a member value is outside the space.</summary>
    public static ArgumentException NotInSpace(string member, object? value, string allowed) =>
        new($"{member}: {Format(value)} is not in the space; allowed: {allowed}.", "value");

    /// <summary>An exception for <paramref name="member"/> whose nested value is outside its space.</summary>
    public static ArgumentException Within(string member, ArgumentException inner) =>
        inner.Message.StartsWith(member, StringComparison.Ordinal) ? inner : new ArgumentException($"{member}: {inner.Message}", "value", inner);

    /// <summary>Formats a value for messages.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        double d => SymbolicValues.FormatNumber(d),
        float f => SymbolicValues.FormatNumber(f),
        IFormattable fm => fm.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static string FormatAll<T>(T[] values) => string.Join(", ", values.Select(v => Format(v)));
}
