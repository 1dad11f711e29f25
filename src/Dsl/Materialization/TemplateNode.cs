namespace NasNotebooks.Dsl;

/// <summary>
/// A compiled view of a space's symbolic value (PyGlove's <c>ObjectTemplate</c>): builds the concrete
/// value from decision DNAs and, in reverse, finds the decision DNAs of a concrete value.
/// </summary>
internal abstract class TemplateNode
{
    public abstract object? Build(Dna[] elements);

    public abstract bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error);

    protected static string Where(KeyPath path) => path.IsRoot ? "<root>" : path.ToString();
}

/// <summary>A part of the space without decisions: built by cloning (symbolic) or sharing (immutable) the value.</summary>
internal sealed class ConstNode(object? value) : TemplateNode
{
    public object? Value { get; } = value;

    public override object? Build(Dna[] elements) => SymbolicValues.Clone(Value);

    public override bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error)
    {
        if (SymbolicValues.AreEqual(Value, value)) { error = null; return true; }
        error = $"at '{Where(path)}' the space has the constant {SymbolicValues.Describe(Value)}, but the value is {SymbolicValues.Describe(value)}.";
        return false;
    }
}

/// <summary>A decision: its value comes from the element DNA at <see cref="Element"/>.</summary>
internal sealed class DecisionNode(int element, DecisionPoint decision) : TemplateNode
{
    public int Element { get; } = element;

    public DecisionPoint Decision { get; } = decision;

    public override object? Build(Dna[] elements) => Decision.MaterializeValue(elements[Element]);

    public override bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error) =>
        Decision.TryEncodeValue(value, path, out elements[Element], out error);
}

internal sealed class ListNode(TemplateNode[] items) : TemplateNode
{
    public override object? Build(Dna[] elements)
    {
        var list = new List<object?>(items.Length);
        foreach (var item in items) list.Add(item.Build(elements));
        return new SymList(list, adopt: true);
    }

    public override bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error)
    {
        if (value is not System.Collections.IList list || value is string || list.Count != items.Length)
        {
            error = $"at '{Where(path)}' the space has a list of {items.Length} items, but the value is {SymbolicValues.Describe(value)}.";
            return false;
        }
        for (int i = 0; i < items.Length; i++)
            if (!items[i].TryEncode(list[i], path.Append(i), elements, out error)) return false;
        error = null;
        return true;
    }
}

internal sealed class DictNode(string[] keys, TemplateNode[] values) : TemplateNode
{
    public override object? Build(Dna[] elements)
    {
        var d = new SymDict();
        for (int i = 0; i < keys.Length; i++) d[keys[i]] = values[i].Build(elements);
        return d;
    }

    public override bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error)
    {
        int count = value switch { SymDict sd => sd.Count, System.Collections.IDictionary id => id.Count, IReadOnlyDictionary<string, object?> rd => rd.Count, _ => -1 };
        if (count < 0)
        {
            error = $"at '{Where(path)}' the space has a dictionary, but the value is {SymbolicValues.Describe(value)}.";
            return false;
        }
        for (int i = 0; i < keys.Length; i++)
        {
            if (!SymbolicValues.TryGetChild(value, new PathKey(keys[i]), out var child))
            {
                error = $"at '{Where(path)}' the value has no key '{keys[i]}'.";
                return false;
            }
            if (!values[i].TryEncode(child, path.Append(keys[i]), elements, out error)) return false;
        }
        if (count != keys.Length)
        {
            error = $"at '{Where(path)}' the value has keys the space does not have (space keys: {string.Join(", ", keys)}).";
            return false;
        }
        error = null;
        return true;
    }
}

/// <summary>A typed object; builds its CLR instance when <see cref="_toClr"/> (no hyper values left in it).</summary>
internal sealed class ObjectNode(SymObject prototype, string[] keys, TemplateNode[] values, bool toClr) : TemplateNode
{
    private readonly bool _toClr = toClr;

    public override object? Build(Dna[] elements)
    {
        var o = prototype.ClrType is not null ? new SymObject(prototype.ClrType) : new SymObject(prototype.TypeKey);
        for (int i = 0; i < keys.Length; i++) o[keys[i]] = values[i].Build(elements);
        return _toClr ? o.ToClr() : o;
    }

    public override bool TryEncode(object? value, KeyPath path, Dna[] elements, out string? error)
    {
        bool ok = value is SymObject so ? so.TypeKey == prototype.TypeKey
            : prototype.ClrType is not null && prototype.ClrType.IsInstanceOfType(value);
        if (!ok)
        {
            error = $"at '{Where(path)}' the space has a {prototype.ClrType?.Name ?? prototype.TypeKey}, but the value is {SymbolicValues.Describe(value)}.";
            return false;
        }
        for (int i = 0; i < keys.Length; i++)
        {
            if (!SymbolicValues.TryGetChild(value, new PathKey(keys[i]), out var child))
            {
                error = $"at '{Where(path)}' the value has no field '{keys[i]}'.";
                return false;
            }
            if (!values[i].TryEncode(child, path.Append(keys[i]), elements, out error)) return false;
        }
        error = null;
        return true;
    }
}
