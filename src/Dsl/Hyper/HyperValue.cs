using System.Numerics;

namespace NasNotebooks.Dsl;

/// <summary>
/// A placeholder for a decision in a search space: the symbolic leaf that a DNA decides.
/// Hyper values are validated when created and are otherwise plain symbolic nodes.
/// </summary>
public abstract class HyperValue : Symbolic
{
    /// <summary>Optional user name of the decision, used in DNA dictionaries and displays.</summary>
    public string? Name { get; }

    /// <summary>Key used in formatting and JSON (<c>OneOf</c>, <c>ManyOf</c>, ...).</summary>
    public abstract string TypeKey { get; }

    /// <summary>Creates a hyper value with an optional name.</summary>
    protected HyperValue(string? name)
    {
        if (name is not null && string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A decision name must not be blank.", nameof(name));
        Name = name;
    }

    /// <summary>A copy of this hyper value with another name.</summary>
    public abstract HyperValue Named(string? name);

    /// <summary>Fields other than the name, in order.</summary>
    protected abstract IEnumerable<KeyValuePair<PathKey, object?>> OwnFields { get; }

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<PathKey, object?>> Fields
    {
        get
        {
            foreach (var f in OwnFields) yield return f;
            if (Name is not null) yield return new(new PathKey("name"), Name);
        }
    }

    /// <inheritdoc />
    public override bool TryGetField(PathKey key, out object? value)
    {
        foreach (var (k, v) in Fields) if (k == key) { value = v; return true; }
        value = null;
        return false;
    }

    /// <inheritdoc />
    protected internal override void SetField(PathKey key, object? value) =>
        throw new ArgumentException($"{TypeKey} fields are immutable; rebind the whole {TypeKey} (or an element of its candidates) instead.");
}

/// <summary>Scale of a float decision: how values are spread between min and max.</summary>
public enum Scale
{
    /// <summary>Uniform in [min, max].</summary>
    Linear,
    /// <summary>Uniform in log space (min must be positive): dense near min.</summary>
    Log,
    /// <summary>Mirror of log (min must be positive): dense near max.</summary>
    ReverseLog,
}

/// <summary>
/// A user-defined decision whose DNA is a string (e.g. an evolvable graph). Implementations must be
/// deterministic for a given <see cref="Random"/>.
/// </summary>
public interface ICustomHyper
{
    /// <summary>A random DNA string.</summary>
    string Random(Random rng);

    /// <summary>The DNA after <paramref name="current"/> in enumeration order (the first when null); null when exhausted or not enumerable.</summary>
    string? Next(string? current) => null;

    /// <summary>The value a DNA string stands for.</summary>
    object? Decode(string dna);

    /// <summary>The DNA string of a value; throw <see cref="ArgumentException"/> when the value is not in the space.</summary>
    string Encode(object? value);

    /// <summary>A small random change of a DNA string, for evolution (default: a new random one).</summary>
    string Mutate(string dna, Random rng) => Random(rng);

    /// <summary>Number of distinct DNA strings, or null when unknown or infinite.</summary>
    BigInteger? SpaceSize => null;
}
