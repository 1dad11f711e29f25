using System.Text;

namespace NasNotebooks.Dsl;

/// <summary>One step of a <see cref="KeyPath"/>: a field/dictionary key or a list index.</summary>
public readonly record struct PathKey
{
    /// <summary>The key for field and dictionary steps; <c>null</c> for an index step.</summary>
    public string? Key { get; }

    /// <summary>The index for list steps; -1 for a key step.</summary>
    public int Index { get; }

    /// <summary>Creates a key step.</summary>
    public PathKey(string key) { Key = key ?? throw new ArgumentNullException(nameof(key)); Index = -1; }

    /// <summary>Creates an index step.</summary>
    public PathKey(int index) { if (index < 0) throw new ArgumentOutOfRangeException(nameof(index)); Key = null; Index = index; }

    /// <summary>True for an index step.</summary>
    public bool IsIndex => Key is null;

    /// <inheritdoc />
    public override string ToString() => IsIndex ? $"[{Index}]" : Key!;

    /// <summary>Implicit key step.</summary>
    public static implicit operator PathKey(string key) => new(key);

    /// <summary>Implicit index step.</summary>
    public static implicit operator PathKey(int index) => new(index);
}

/// <summary>
/// A location in a symbolic tree, written like <c>layers[2].kernel</c>. Immutable.
/// </summary>
public sealed class KeyPath : IEquatable<KeyPath>, IComparable<KeyPath>
{
    private readonly PathKey[] _keys;
    private string? _text;

    /// <summary>The root path (empty).</summary>
    public static KeyPath Root { get; } = new([]);

    private KeyPath(PathKey[] keys) => _keys = keys;

    /// <summary>Creates a path from steps.</summary>
    public static KeyPath Of(params PathKey[] keys) => keys.Length == 0 ? Root : new((PathKey[])keys.Clone());

    /// <summary>The steps of this path.</summary>
    public IReadOnlyList<PathKey> Keys => _keys;

    /// <summary>Number of steps.</summary>
    public int Depth => _keys.Length;

    /// <summary>True for the root path.</summary>
    public bool IsRoot => _keys.Length == 0;

    /// <summary>The last step; throws on the root (hidden from formatters and debuggers that read every property).</summary>
    [System.Diagnostics.DebuggerBrowsable(System.Diagnostics.DebuggerBrowsableState.Never)]
    public PathKey Last => _keys.Length > 0 ? _keys[^1] : throw new InvalidOperationException("The root path has no last key.");

    /// <summary>The path without its last step; throws on the root (hidden from formatters and debuggers that read every property).</summary>
    [System.Diagnostics.DebuggerBrowsable(System.Diagnostics.DebuggerBrowsableState.Never)]
    public KeyPath Parent => _keys.Length == 0 ? throw new InvalidOperationException("The root path has no parent.") : new(_keys[..^1]);

    /// <summary>This path followed by <paramref name="key"/>.</summary>
    public KeyPath Append(PathKey key)
    {
        var keys = new PathKey[_keys.Length + 1];
        _keys.CopyTo(keys, 0);
        keys[^1] = key;
        return new(keys);
    }

    /// <summary>This path followed by <paramref name="other"/>.</summary>
    public KeyPath Append(KeyPath other) => other.IsRoot ? this : IsRoot ? other : new([.. _keys, .. other._keys]);

    /// <summary>Parses <c>a.b[2].c</c>; the empty string is the root.</summary>
    /// <exception cref="FormatException">The text is not a valid path; the message names the position.</exception>
    public static KeyPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<PathKey>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '[')
            {
                int close = text.IndexOf(']', i);
                if (close < 0 || !int.TryParse(text.AsSpan(i + 1, close - i - 1), out int idx) || idx < 0)
                    throw new FormatException($"Invalid key path '{text}': expected '[<non-negative index>]' at position {i}.");
                keys.Add(new PathKey(idx));
                i = close + 1;
            }
            else if (c == '.')
            {
                if (i == 0 || i == text.Length - 1 || text[i + 1] == '.' || text[i + 1] == '[')
                    throw new FormatException($"Invalid key path '{text}': empty key at position {i}.");
                i++;
            }
            else
            {
                int start = i;
                while (i < text.Length && text[i] != '.' && text[i] != '[') i++;
                keys.Add(new PathKey(text[start..i]));
            }
        }
        return keys.Count == 0 ? Root : new(keys.ToArray());
    }

    /// <summary>Formats a path relative to a parent id: <c>Join("a[=0/3]", "b") == "a[=0/3].b"</c>.</summary>
    internal static string Join(string prefix, KeyPath relative)
    {
        if (relative.IsRoot) return prefix;
        if (prefix.Length == 0) return relative.ToString();
        return relative._keys[0].IsIndex ? prefix + relative : prefix + "." + relative;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        if (_text is not null) return _text;
        var sb = new StringBuilder();
        foreach (var k in _keys)
        {
            if (k.IsIndex) sb.Append('[').Append(k.Index).Append(']');
            else { if (sb.Length > 0) sb.Append('.'); sb.Append(k.Key); }
        }
        return _text = sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(KeyPath? other) => other is not null && _keys.AsSpan().SequenceEqual(other._keys);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KeyPath);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var k in _keys) h.Add(k);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public int CompareTo(KeyPath? other) => string.CompareOrdinal(ToString(), other?.ToString());
}
