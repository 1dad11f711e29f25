using System.Globalization;
using System.Numerics;

namespace NasNotebooks.Dsl;

/// <summary>One decision of a space: a choice, a float or a custom decision.</summary>
public abstract class DecisionPoint : DnaSpec
{
    private protected DecisionPoint(string id, KeyPath location, HyperValue? hyper, string? name) : base(id, location)
    {
        Hyper = hyper;
        Name = name;
    }

    /// <summary>The hyper value in the space this decision comes from.</summary>
    public HyperValue? Hyper { get; }

    /// <summary>The user's name for this decision (per-choice points of a ManyOf get <c>name[k]</c>).</summary>
    public string? Name { get; }

    internal string? DisplayName => Name;

    internal virtual IEnumerable<DecisionPoint> SelfAndDescendants => [this];

    /// <inheritdoc />
    public override IEnumerable<DecisionPoint> DecisionPoints => [this];

    internal abstract object? MaterializeValue(Dna dna);

    internal abstract bool TryEncodeValue(object? value, KeyPath valuePath, out Dna dna, out string? error);

    internal abstract object? FormatValue(Dna dna, DnaValueForm form);

    internal abstract Dna ParseValue(object? value, DnaValueForm form);

    internal override Dna Assemble(Func<DecisionPoint, Dna> decide) => decide(this);

    internal override void WalkActive(Dna dna, Action<DecisionPoint, Dna> visit) => visit(this, dna);

    private protected DnaValidationException Invalid(string message) => new(Id, $"Decision '{Id}'{(Name is null ? "" : $" ({Name})")}: {message}");

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Id}{(Name is null ? "" : $", name={Name}")}, size={SpaceSize?.ToString() ?? "infinite"})";
}

/// <summary>A float decision (PyGlove <c>geno.Float</c>).</summary>
public sealed class FloatSpec : DecisionPoint
{
    internal FloatSpec(string id, KeyPath location, FloatHyper hyper) : base(id, location, hyper, hyper.Name)
    {
        Min = hyper.Min; Max = hyper.Max; Scale = hyper.Scale;
    }

    /// <summary>Lower bound.</summary>
    public double Min { get; }

    /// <summary>Upper bound.</summary>
    public double Max { get; }

    /// <summary>Scale of the values.</summary>
    public Scale Scale { get; }

    /// <inheritdoc />
    public override BigInteger? SpaceSize => Min == Max ? BigInteger.One : null;

    /// <inheritdoc />
    public override Dna First() => Min == Max ? new Dna(Min) : throw new InvalidOperationException($"Float decision '{Id}' can't be enumerated.");

    /// <inheritdoc />
    public override Dna? Next(Dna dna) => Min == Max ? null : throw new InvalidOperationException($"Float decision '{Id}' can't be enumerated.");

    /// <inheritdoc />
    public override Dna Random(Random rng) => new(Sample(rng.NextDouble()));

    /// <summary>Maps u in [0,1) to a value on this decision's scale.</summary>
    public double Sample(double u)
    {
        double v = Scale switch
        {
            Scale.Log => Math.Exp(Math.Log(Min) + u * (Math.Log(Max) - Math.Log(Min))),
            Scale.ReverseLog => Max + Min - Math.Exp(Math.Log(Min) + (1 - u) * (Math.Log(Max) - Math.Log(Min))),
            _ => Min + u * (Max - Min),
        };
        return Math.Clamp(v, Min, Max);
    }

    /// <summary>Maps a value to [0,1] on this decision's scale (inverse of <see cref="Sample"/>).</summary>
    public double Normalize(double value)
    {
        if (Max == Min) return 0;
        return Scale switch
        {
            Scale.Log => (Math.Log(value) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)),
            Scale.ReverseLog => 1 - (Math.Log(Max + Min - value) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)),
            _ => (value - Min) / (Max - Min),
        };
    }

    /// <inheritdoc />
    public override void Validate(Dna dna)
    {
        if (dna.Kind != DnaValueKind.Float) throw Invalid($"expects a float, got '{dna}'.");
        if (dna.Children.Count != 0) throw Invalid($"a float has no children, got '{dna}'.");
        double v = dna.FloatValue;
        if (double.IsNaN(v) || v < Min || v > Max) throw Invalid($"value {SymbolicValues.FormatNumber(v)} is outside [{SymbolicValues.FormatNumber(Min)}, {SymbolicValues.FormatNumber(Max)}].");
    }

    internal override Dna ReadNumbers(IReadOnlyList<double> numbers, ref int position)
    {
        if (position >= numbers.Count) throw new ArgumentException($"Too few numbers: decision '{Id}' has none (only {numbers.Count} given).");
        var d = new Dna(numbers[position++]);
        Validate(d);
        return d;
    }

    internal override object? MaterializeValue(Dna dna) => dna.FloatValue;

    internal override bool TryEncodeValue(object? value, KeyPath valuePath, out Dna dna, out string? error)
    {
        dna = Dna.Empty;
        if (!SymbolicValues.IsNumber(value)) { error = $"'{valuePath}' (decision '{Id}') expects a number in [{Min}, {Max}], got {SymbolicValues.Describe(value)}."; return false; }
        double v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        if (v < Min || v > Max || double.IsNaN(v)) { error = $"'{valuePath}' (decision '{Id}'): {v} is outside [{Min}, {Max}]."; return false; }
        dna = new Dna(v);
        error = null;
        return true;
    }

    internal override object? FormatValue(Dna dna, DnaValueForm form) => dna.FloatValue;

    internal override Dna ParseValue(object? value, DnaValueForm form) => SymbolicValues.IsNumber(value)
        ? new Dna(Convert.ToDouble(value, CultureInfo.InvariantCulture))
        : value is string s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? new Dna(d)
        : throw new ArgumentException($"Decision '{Id}' expects a float, got {SymbolicValues.Describe(value)}.");
}

/// <summary>A decision implemented by user code; its DNA is a string.</summary>
public sealed class CustomSpec : DecisionPoint
{
    internal CustomSpec(string id, KeyPath location, CustomHyper hyper) : base(id, location, hyper, hyper.Name) => Implementation = hyper.Implementation;

    /// <summary>The user implementation.</summary>
    public ICustomHyper Implementation { get; }

    /// <inheritdoc />
    public override BigInteger? SpaceSize => Implementation.SpaceSize;

    /// <inheritdoc />
    public override Dna First() => new(Implementation.Next(null) ?? throw new InvalidOperationException($"Custom decision '{Id}' can't be enumerated."));

    /// <inheritdoc />
    public override Dna? Next(Dna dna) => Implementation.Next(dna.CustomValue) is { } n ? new Dna(n) : null;

    /// <inheritdoc />
    public override Dna Random(Random rng) => new(Implementation.Random(rng));

    /// <inheritdoc />
    public override void Validate(Dna dna)
    {
        if (dna.Kind != DnaValueKind.Custom || dna.Children.Count != 0) throw Invalid($"expects a custom string DNA such as 'abc', got '{dna}'.");
    }

    internal override Dna ReadNumbers(IReadOnlyList<double> numbers, ref int position) =>
        throw new ArgumentException($"Custom decision '{Id}' has no numeric form; use ToDictionary/FromDictionary or JSON.");

    internal override object? MaterializeValue(Dna dna) => Implementation.Decode(dna.CustomValue);

    internal override bool TryEncodeValue(object? value, KeyPath valuePath, out Dna dna, out string? error)
    {
        try { dna = new Dna(Implementation.Encode(value)); error = null; return true; }
        catch (ArgumentException e) { dna = Dna.Empty; error = $"'{valuePath}' (decision '{Id}'): {e.Message}"; return false; }
    }

    internal override object? FormatValue(Dna dna, DnaValueForm form) => dna.CustomValue;

    internal override Dna ParseValue(object? value, DnaValueForm form) => value is string s ? new Dna(s)
        : throw new ArgumentException($"Custom decision '{Id}' expects a string DNA, got {SymbolicValues.Describe(value)}.");
}
