using System.Globalization;

namespace NasNotebooks.Runtime;

/// <summary>
/// The objective value(s) of a trial, larger is better. A single objective is a reward of one value;
/// multi-objective searches (e.g. accuracy vs. parameters) use several.
/// </summary>
public readonly record struct Reward
{
    private readonly double[]? _values;

    /// <summary>Creates a reward from one or more objective values.</summary>
    /// <exception cref="ArgumentException">No values, or a NaN/infinite value (record such a trial as failed instead).</exception>
    public Reward(params double[] values)
    {
        if (values is null || values.Length == 0) throw new ArgumentException("A reward needs at least one value.", nameof(values));
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Reward value {i} is {values[i].ToString(CultureInfo.InvariantCulture)}; rewards must be finite (report the trial as failed instead).", nameof(values));
        _values = (double[])values.Clone();
    }

    /// <summary>The objective values.</summary>
    public IReadOnlyList<double> Values => _values ?? [];

    /// <summary>The single objective (the first one for multi-objective rewards); NaN for <c>default(Reward)</c>, which holds no value.</summary>
    public double Value => _values is { Length: > 0 } v ? v[0] : double.NaN;

    /// <summary>Number of objectives.</summary>
    public int Count => _values?.Length ?? 0;

    /// <summary>True for more than one objective.</summary>
    public bool IsMultiObjective => Count > 1;

    /// <summary>A single-objective reward.</summary>
    public static implicit operator Reward(double value) => new(value);

    /// <inheritdoc />
    public bool Equals(Reward other) => Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in Values) h.Add(v);
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Count == 1 ? Value.ToString("G6", CultureInfo.InvariantCulture)
        : "(" + string.Join(", ", Values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + ")";
}
