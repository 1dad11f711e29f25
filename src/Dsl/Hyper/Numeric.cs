namespace NasNotebooks.Dsl;

/// <summary>A float decision in [min, max] on a linear, log or reverse-log scale (PyGlove <c>pg.floatv</c>).</summary>
public sealed class FloatHyper : HyperValue
{
    /// <summary>Creates a float decision.</summary>
    /// <exception cref="ArgumentException">min &gt; max, non-finite bounds, or a log scale with min &lt;= 0.</exception>
    public FloatHyper(double min, double max, Scale scale = Scale.Linear, string? name = null) : base(name)
    {
        string who = name is null ? "Float" : $"Float '{name}'";
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentException($"{who}: bounds must be finite, got [{min}, {max}].", nameof(min));
        if (min > max) throw new ArgumentException($"{who}: min ({min}) must not exceed max ({max}).", nameof(min));
        if (scale != Scale.Linear && min <= 0)
            throw new ArgumentException($"{who}: a {scale} scale needs min > 0, got min = {min}.", nameof(min));
        Min = min; Max = max; Scale = scale;
    }

    /// <summary>Lower bound (inclusive).</summary>
    public double Min { get; }

    /// <summary>Upper bound (inclusive).</summary>
    public double Max { get; }

    /// <summary>How values are spread.</summary>
    public Scale Scale { get; }

    /// <inheritdoc />
    public override string TypeKey => "Float";

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields =>
        [new(new PathKey("min"), Min), new(new PathKey("max"), Max), new(new PathKey("scale"), Scale.ToString())];

    /// <inheritdoc />
    public override FloatHyper Named(string? name) => new FloatHyper(Min, Max, Scale, name);

    /// <inheritdoc />
    public override Symbolic Clone() => new FloatHyper(Min, Max, Scale, Name);
}

/// <summary>An integer decision <c>min, min+step, ..., max</c>; ordinal, so algorithms may treat neighbours as close.</summary>
public sealed class IntHyper : HyperValue
{
    /// <summary>Creates an integer decision.</summary>
    /// <exception cref="ArgumentException">min &gt; max, or step &lt; 1.</exception>
    public IntHyper(int min, int max, int step = 1, string? name = null) : base(name)
    {
        string who = name is null ? "Int" : $"Int '{name}'";
        if (min > max) throw new ArgumentException($"{who}: min ({min}) must not exceed max ({max}).", nameof(min));
        if (step < 1) throw new ArgumentException($"{who}: step must be at least 1, got {step}.", nameof(step));
        Min = min; Max = max; Step = step;
    }

    /// <summary>Smallest value.</summary>
    public int Min { get; }

    /// <summary>Largest value allowed (the last value is the largest <c>min + i*step</c> not above it).</summary>
    public int Max { get; }

    /// <summary>Distance between values.</summary>
    public int Step { get; }

    /// <summary>Number of values.</summary>
    public int Count => (int)(((long)Max - Min) / Step + 1);

    /// <inheritdoc />
    public override string TypeKey => "Int";

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields =>
        Step == 1 ? [new(new PathKey("min"), Min), new(new PathKey("max"), Max)]
                  : [new(new PathKey("min"), Min), new(new PathKey("max"), Max), new(new PathKey("step"), Step)];

    /// <inheritdoc />
    public override IntHyper Named(string? name) => new IntHyper(Min, Max, Step, name);

    /// <inheritdoc />
    public override Symbolic Clone() => new IntHyper(Min, Max, Step, Name);
}

/// <summary>A decision implemented by user code (<see cref="ICustomHyper"/>), e.g. an evolvable structure.</summary>
public sealed class CustomHyper : HyperValue
{
    /// <summary>Creates a custom decision.</summary>
    public CustomHyper(ICustomHyper implementation, string? name = null) : base(name) =>
        Implementation = implementation ?? throw new ArgumentNullException(nameof(implementation));

    /// <summary>The user implementation.</summary>
    public ICustomHyper Implementation { get; }

    /// <inheritdoc />
    public override string TypeKey => "Custom";

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields => [new(new PathKey("implementation"), Implementation)];

    /// <inheritdoc />
    public override CustomHyper Named(string? name) => new CustomHyper(Implementation, name);

    /// <inheritdoc />
    public override Symbolic Clone() => new CustomHyper(Implementation, Name);
}

/// <summary>Factory methods for hyper values: the vocabulary of search spaces.</summary>
public static class Hyper
{
    /// <summary>
    /// Choose one of the candidates: <c>OneOf(3, 5, 7)</c>, or one collection argument that holds
    /// them, <c>OneOf(Enumerable.Range(1, 8))</c>. Name the decision with <c>.Named("kernel")</c>.
    /// </summary>
    public static OneOf OneOf(params object?[] candidates) => new(Expand(candidates));

    internal static IEnumerable<object?> Expand(object?[] candidates) =>
        candidates.Length == 1 && candidates[0] is System.Collections.IEnumerable e and not string and not Symbolic
            ? e.Cast<object?>() : candidates;

    /// <summary>Choose k of the candidates (distinct and unsorted by default, as in PyGlove).</summary>
    public static ManyOf ManyOf<T>(int k, IEnumerable<T> candidates, bool distinct = true, bool sorted = false, string? name = null) =>
        new(k, candidates.Cast<object?>(), distinct, sorted, name);

    /// <summary>An ordering of all candidates.</summary>
    public static Permutation Permutation<T>(IEnumerable<T> candidates, string? name = null) => new(candidates.Cast<object?>(), name);

    /// <summary>A float in [min, max].</summary>
    public static FloatHyper Float(double min, double max, Scale scale = Scale.Linear, string? name = null) => new(min, max, scale, name);

    /// <summary>An integer in [min, max] with a step.</summary>
    public static IntHyper Int(int min, int max, int step = 1, string? name = null) => new(min, max, step, name);

    /// <summary>A custom decision.</summary>
    public static CustomHyper Custom(ICustomHyper implementation, string? name = null) => new(implementation, name);
}
