using System.Collections;

namespace NasNotebooks.Dsl;

/// <summary>A symbolic list: an ordered list of values (primitives, symbolic nodes or hyper values).</summary>
public sealed class SymList : Symbolic, IList<object?>, IReadOnlyList<object?>, IList
{
    private readonly List<object?> _items;

    /// <summary>An empty list.</summary>
    public SymList() => _items = [];

    /// <summary>A list of the given items.</summary>
    public SymList(IEnumerable<object?> items) => _items = [.. items];

    internal SymList(List<object?> items, bool adopt) => _items = adopt ? items : [.. items];

    /// <summary>Creates a list of the given items.</summary>
    public static SymList Of(params object?[] items) => new(items);

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<PathKey, object?>> Fields
    {
        get { for (int i = 0; i < _items.Count; i++) yield return new(new PathKey(i), _items[i]); }
    }

    /// <inheritdoc />
    public override bool TryGetField(PathKey key, out object? value)
    {
        if (key.IsIndex && key.Index < _items.Count) { value = _items[key.Index]; return true; }
        value = null;
        return false;
    }

    /// <inheritdoc />
    protected internal override void SetField(PathKey key, object? value)
    {
        if (!key.IsIndex) throw new ArgumentException($"a list has no key '{key.Key}'; use an index such as [0].");
        if (key.Index == _items.Count) _items.Add(value);
        else if (key.Index < _items.Count) _items[key.Index] = value;
        else throw new ArgumentException($"index {key.Index} is out of range for a list of {_items.Count} items.");
    }

    /// <inheritdoc />
    public override Symbolic Clone()
    {
        var copy = new List<object?>(_items.Count);
        foreach (var v in _items) copy.Add(SymbolicValues.Clone(v));
        return new SymList(copy, adopt: true);
    }

    /// <inheritdoc />
    public object? this[int index] { get => _items[index]; set => _items[index] = value; }

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public void Add(object? item) => _items.Add(item);

    /// <inheritdoc />
    public void Clear() => _items.Clear();

    /// <inheritdoc />
    public bool Contains(object? item) => IndexOf(item) >= 0;

    /// <inheritdoc />
    public void CopyTo(object?[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public int IndexOf(object? item)
    {
        for (int i = 0; i < _items.Count; i++) if (SymbolicValues.AreEqual(_items[i], item)) return i;
        return -1;
    }

    /// <inheritdoc />
    public void Insert(int index, object? item) => _items.Insert(index, item);

    /// <inheritdoc />
    public bool Remove(object? item)
    {
        int i = IndexOf(item);
        if (i < 0) return false;
        _items.RemoveAt(i);
        return true;
    }

    /// <inheritdoc />
    public void RemoveAt(int index) => _items.RemoveAt(index);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    bool IList.IsFixedSize => false;

    bool ICollection.IsSynchronized => false;

    object ICollection.SyncRoot => ((ICollection)_items).SyncRoot;

    int IList.Add(object? value) { _items.Add(value); return _items.Count - 1; }

    void IList.Remove(object? value) => Remove(value);

    void ICollection.CopyTo(Array array, int index) => ((ICollection)_items).CopyTo(array, index);
}
