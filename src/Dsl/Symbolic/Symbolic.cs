using System.Text.RegularExpressions;

namespace NasNotebooks.Dsl;

/// <summary>
/// A node of a symbolic tree (object, list, dictionary or hyper value). Symbolic trees can be
/// cloned, rebound by path, queried, diffed, formatted and serialized to JSON. A search space is a
/// symbolic tree with hyper values (<see cref="HyperValue"/>) in it.
/// </summary>
public abstract class Symbolic : IEquatable<Symbolic>
{
    /// <summary>The child fields of this node, in order.</summary>
    public abstract IEnumerable<KeyValuePair<PathKey, object?>> Fields { get; }

    /// <summary>Reads a child; returns false when there is no such child.</summary>
    public abstract bool TryGetField(PathKey key, out object? value);

    /// <summary>Replaces a child after validating it; throws with a message naming the key.</summary>
    protected internal abstract void SetField(PathKey key, object? value);

    /// <summary>A deep copy of this node (primitive leaves are shared).</summary>
    public abstract Symbolic Clone();

    /// <summary>Reads the value at a path below this node.</summary>
    /// <exception cref="KeyNotFoundException">The path does not exist; the message names the first missing step.</exception>
    public object? Get(KeyPath path)
    {
        object? current = this;
        var walked = KeyPath.Root;
        foreach (var key in path.Keys)
        {
            walked = walked.Append(key);
            if (current is not Symbolic node || !node.TryGetField(key, out current))
                throw new KeyNotFoundException($"Path '{path}' does not exist: no '{walked}' in {SymbolicValues.Describe(current)}.");
        }
        return current;
    }

    /// <summary>Reads the value at a path written as text (e.g. <c>layers[1].kernel</c>).</summary>
    public object? Get(string path) => Get(KeyPath.Parse(path));

    /// <summary>Rebinds the value at a path written as text (e.g. <c>layers[1].kernel</c>); see <see cref="Rebind(KeyPath, object?)"/>.</summary>
    public Symbolic Rebind(string path, object? value) => Rebind(KeyPath.Parse(path), value);

    /// <summary>
    /// Rebinds the value at <paramref name="path"/> in place and returns this node. The parent
    /// validates the new value (e.g. a typed object field checks the field type).
    /// </summary>
    public Symbolic Rebind(KeyPath path, object? value)
    {
        if (path.IsRoot) throw new ArgumentException("Cannot rebind the root of a symbolic tree; build a new one instead.", nameof(path));
        object? parent = path.Depth == 1 ? this : Get(path.Parent);
        if (parent is not Symbolic node)
            throw new ArgumentException($"Cannot rebind '{path}': its parent '{path.Parent}' is {SymbolicValues.Describe(parent)}, not a symbolic node.", nameof(path));
        if (!node.TryGetField(path.Last, out _) && node is not SymDict && !(node is SymList l && path.Last.IsIndex && path.Last.Index == l.Count))
            throw new ArgumentException($"Cannot rebind '{path}': {SymbolicValues.Describe(node)} has no field '{path.Last}'.", nameof(path));
        try { node.SetField(path.Last, value); }
        catch (ArgumentException e) { throw new ArgumentException($"Cannot rebind '{path}': {e.Message}", nameof(value), e); }
        return this;
    }

    /// <summary>Rebinds several paths at once (all are validated before any is applied).</summary>
    public Symbolic Rebind(IEnumerable<KeyValuePair<string, object?>> updates)
    {
        var list = updates.Select(u => (Path: KeyPath.Parse(u.Key), u.Value)).ToList();
        var trial = Clone();
        foreach (var (p, v) in list) trial.Rebind(p, v);
        foreach (var (p, v) in list) Rebind(p, v);
        return this;
    }

    /// <summary>
    /// All nodes and leaves below this node (depth first, parents before children) whose path
    /// matches <paramref name="pathRegex"/> (when given) and satisfy <paramref name="where"/> (when given).
    /// </summary>
    public IReadOnlyList<KeyValuePair<KeyPath, object?>> Query(string? pathRegex = null, Func<KeyPath, object?, bool>? where = null)
    {
        var regex = pathRegex is null ? null : new Regex(pathRegex, RegexOptions.CultureInvariant);
        var result = new List<KeyValuePair<KeyPath, object?>>();
        void Visit(KeyPath path, object? value)
        {
            if (!path.IsRoot && (regex is null || regex.IsMatch(path.ToString())) && (where is null || where(path, value)))
                result.Add(new(path, value));
            if (value is Symbolic s)
                foreach (var (k, v) in s.Fields) Visit(path.Append(k), v);
        }
        Visit(KeyPath.Root, this);
        return result;
    }

    /// <summary>The leaves and nodes where this tree and <paramref name="other"/> differ.</summary>
    public IReadOnlyList<SymbolicDifference> Diff(Symbolic other) => SymbolicValues.Diff(this, other);

    /// <summary>Formats the tree: compact on one line, or indented over several lines.</summary>
    public string Format(bool compact = true) => SymbolicValues.Format(this, compact);

    /// <summary>True when a hyper value occurs anywhere in this tree.</summary>
    public bool ContainsHyper => this is HyperValue || Fields.Any(f => f.Value is Symbolic s && s.ContainsHyper);

    /// <summary>Serializes this tree to JSON (objects carry a registered <c>_type</c> key).</summary>
    public string ToJson(bool indented = false) => SymbolicJson.Serialize(this, indented);

    /// <summary>Reads a symbolic tree (or plain value) from JSON written by <see cref="ToJson"/>.</summary>
    public static object? FromJson(string json) => SymbolicJson.Deserialize(json);

    /// <inheritdoc />
    public override string ToString() => Format();

    /// <inheritdoc />
    public bool Equals(Symbolic? other) => SymbolicValues.AreEqual(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Symbolic s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode() => SymbolicValues.Hash(this);
}

/// <summary>One difference found by <see cref="Symbolic.Diff"/>; a missing side is <see cref="Missing"/>.</summary>
public sealed record SymbolicDifference(KeyPath Path, object? Left, object? Right)
{
    /// <summary>Marker for a value present on one side only.</summary>
    public static readonly object Missing = new MissingValue();

    private sealed class MissingValue { public override string ToString() => "<missing>"; }

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {SymbolicValues.Format(Left, true)} -> {SymbolicValues.Format(Right, true)}";
}
