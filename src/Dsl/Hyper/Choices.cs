namespace NasNotebooks.Dsl;

/// <summary>Common base of categorical hyper values (<see cref="OneOf"/>, <see cref="ManyOf"/>).</summary>
public abstract class ChoicesHyper : HyperValue
{
    private readonly SymList _candidates;

    /// <summary>The candidates; any candidate may itself contain hyper values (a conditional sub-space).</summary>
    public IReadOnlyList<object?> Candidates => _candidates;

    /// <summary>Creates a choice over <paramref name="candidates"/>.</summary>
    protected ChoicesHyper(IEnumerable<object?> candidates, string? name) : base(name)
    {
        _candidates = candidates as SymList ?? new SymList(candidates);
        if (_candidates.Count == 0)
            throw new ArgumentException($"{TypeKey}{(name is null ? "" : $" '{name}'")} needs at least one candidate.", nameof(candidates));
    }

    /// <summary>The candidates list node (for symbolic paths such as <c>x.candidates[0]</c>).</summary>
    protected SymList CandidateList => _candidates;

    /// <summary>Number of values chosen (1 for <see cref="OneOf"/>).</summary>
    public abstract int NumChoices { get; }

    /// <summary>Whether the chosen candidates must be different.</summary>
    public abstract bool Distinct { get; }

    /// <summary>Whether the chosen candidate indices must be in ascending order.</summary>
    public abstract bool Sorted { get; }
}

/// <summary>Choose one of several candidates (PyGlove <c>pg.oneof</c>).</summary>
/// <example><code>Hyper.OneOf("relu", "gelu", "swish")</code></example>
public sealed class OneOf : ChoicesHyper
{
    /// <summary>Creates a choice of one candidate.</summary>
    public OneOf(IEnumerable<object?> candidates, string? name = null) : base(candidates, name) { }

    /// <inheritdoc />
    public override string TypeKey => "OneOf";

    /// <inheritdoc />
    public override int NumChoices => 1;

    /// <inheritdoc />
    public override bool Distinct => true;

    /// <inheritdoc />
    public override bool Sorted => false;

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields => [new(new PathKey("candidates"), CandidateList)];

    /// <inheritdoc />
    public override OneOf Named(string? name) => new OneOf((SymList)CandidateList.Clone(), name);

    /// <inheritdoc />
    public override Symbolic Clone() => new OneOf((SymList)CandidateList.Clone(), Name);
}

/// <summary>
/// Choose <c>k</c> of several candidates (PyGlove <c>pg.manyof</c>); the value is a list of k items.
/// Defaults follow PyGlove: distinct, not sorted.
/// </summary>
public class ManyOf : ChoicesHyper
{
    /// <summary>Creates a multi-choice.</summary>
    /// <exception cref="ArgumentException">k is less than 1, or k exceeds the candidates when distinct.</exception>
    public ManyOf(int k, IEnumerable<object?> candidates, bool distinct = true, bool sorted = false, string? name = null) : base(candidates, name)
    {
        if (k < 1) throw new ArgumentException($"{TypeKey}{NameSuffix(name)}: k must be at least 1, got {k}.", nameof(k));
        if (distinct && k > Candidates.Count)
            throw new ArgumentException($"{TypeKey}{NameSuffix(name)}: cannot choose {k} distinct values out of {Candidates.Count} candidates.", nameof(k));
        K = k;
        Distinct = distinct;
        Sorted = sorted;
    }

    private static string NameSuffix(string? name) => name is null ? "" : $" '{name}'";

    /// <summary>Number of values chosen.</summary>
    public int K { get; }

    /// <inheritdoc />
    public override int NumChoices => K;

    /// <inheritdoc />
    public override bool Distinct { get; }

    /// <inheritdoc />
    public override bool Sorted { get; }

    /// <inheritdoc />
    public override string TypeKey => "ManyOf";

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields =>
    [
        new(new PathKey("k"), K), new(new PathKey("candidates"), CandidateList),
        new(new PathKey("distinct"), Distinct), new(new PathKey("sorted"), Sorted),
    ];

    /// <inheritdoc />
    public override ManyOf Named(string? name) => new ManyOf(K, (SymList)CandidateList.Clone(), Distinct, Sorted, name);

    /// <inheritdoc />
    public override Symbolic Clone() => new ManyOf(K, (SymList)CandidateList.Clone(), Distinct, Sorted, Name);
}

/// <summary>An ordering of all candidates (PyGlove <c>pg.permutate</c>): <c>ManyOf(n, candidates, distinct, not sorted)</c>.</summary>
public sealed class Permutation : ManyOf
{
    /// <summary>Creates a permutation of the candidates.</summary>
    public Permutation(IEnumerable<object?> candidates, string? name = null) : this(new SymList(candidates), name) { }

    private Permutation(SymList candidates, string? name) : base(candidates.Count == 0 ? 1 : candidates.Count, candidates, true, false, name) { }

    /// <inheritdoc />
    public override string TypeKey => "Permutation";

    /// <inheritdoc />
    protected override IEnumerable<KeyValuePair<PathKey, object?>> OwnFields => [new(new PathKey("candidates"), CandidateList)];

    /// <inheritdoc />
    public override Permutation Named(string? name) => new Permutation((SymList)CandidateList.Clone(), name);

    /// <inheritdoc />
    public override Symbolic Clone() => new Permutation((SymList)CandidateList.Clone(), Name);
}
