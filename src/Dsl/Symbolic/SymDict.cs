using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace NasNotebooks.Dsl;

/// <summary>A symbolic dictionary: string keys in insertion order, values of any symbolic kind.</summary>
public sealed class SymDict : Symbolic, IDictionary<string, object?>, IReadOnlyDictionary<string, object?>
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>An empty dictionary.</summary>
    public SymDict() { }

    /// <summary>A dictionary with the given entries, in order.</summary>
    public SymDict(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        foreach (var (k, v) in entries) this[k] = v;
    }

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<PathKey, object?>> Fields
    {
        get { foreach (var k in _order) yield return new(new PathKey(k), _values[k]); }
    }

    /// <inheritdoc />
    public override bool TryGetField(PathKey key, out object? value)
    {
        if (!key.IsIndex && _values.TryGetValue(key.Key!, out value)) return true;
        value = null;
        return false;
    }

    /// <inheritdoc />
    protected internal override void SetField(PathKey key, object? value)
    {
        if (key.IsIndex) throw new ArgumentException($"a dictionary has no index [{key.Index}]; use a key.");
        this[key.Key!] = value;
    }

    /// <inheritdoc />
    public override Symbolic Clone()
    {
        var d = new SymDict();
        foreach (var k in _order) d[k] = SymbolicValues.Clone(_values[k]);
        return d;
    }

    /// <inheritdoc />
    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"Key '{key}' is not in the dictionary (keys: {string.Join(", ", _order)}).");
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            if (!_values.ContainsKey(key)) _order.Add(key);
            _values[key] = value;
        }
    }

    /// <inheritdoc />
    public ICollection<string> Keys => _order.AsReadOnly();

    /// <inheritdoc />
    public ICollection<object?> Values => _order.Select(k => _values[k]).ToList();

    IEnumerable<string> IReadOnlyDictionary<string, object?>.Keys => Keys;

    IEnumerable<object?> IReadOnlyDictionary<string, object?>.Values => Values;

    /// <inheritdoc />
    public int Count => _order.Count;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public void Add(string key, object? value)
    {
        if (_values.ContainsKey(key)) throw new ArgumentException($"Key '{key}' is already in the dictionary.", nameof(key));
        this[key] = value;
    }

    /// <inheritdoc />
    public void Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);

    /// <inheritdoc />
    public void Clear() { _order.Clear(); _values.Clear(); }

    /// <inheritdoc />
    public bool Contains(KeyValuePair<string, object?> item) => _values.TryGetValue(item.Key, out var v) && SymbolicValues.AreEqual(v, item.Value);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
    {
        foreach (var kv in this) array[arrayIndex++] = kv;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var k in _order) yield return new(k, _values[k]);
    }

    /// <inheritdoc />
    public bool Remove(string key)
    {
        if (!_values.Remove(key)) return false;
        _order.Remove(key);
        return true;
    }

    /// <inheritdoc />
    public bool Remove(KeyValuePair<string, object?> item) => Contains(item) && Remove(item.Key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _values.TryGetValue(key, out value);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
