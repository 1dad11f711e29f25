using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>
/// Common plumbing for the built-in algorithms: the space set by <see cref="Setup"/>, a seeded
/// random source and the default replaying <see cref="Recover"/>.
/// </summary>
public abstract class SearchAlgorithmBase : ISearchAlgorithm
{
    private SpaceSpec? _spec;

    /// <summary>Creates the algorithm with a seed for its random source.</summary>
    protected SearchAlgorithmBase(int seed)
    {
        Seed = seed;
        Rng = new Random(seed);
    }

    /// <summary>The seed given to the constructor.</summary>
    public int Seed { get; }

    /// <summary>The seeded random source (reset by <see cref="Setup"/>).</summary>
    protected Random Rng { get; private set; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>The space set by <see cref="Setup"/>.</summary>
    /// <exception cref="InvalidOperationException">Setup was not called.</exception>
    protected SpaceSpec Spec => _spec ?? throw new InvalidOperationException($"Algorithm '{Name}': call Setup(spec) before Propose/Feedback.");

    /// <summary>True once <see cref="Setup"/> has run.</summary>
    protected bool IsSetUp => _spec is not null;

    /// <inheritdoc />
    public void Setup(SpaceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        Rng = new Random(Seed);
        OnSetup(spec);
    }

    /// <summary>Called by <see cref="Setup"/> after the space and random source are set: reset the state here.</summary>
    protected virtual void OnSetup(SpaceSpec spec) { }

    /// <inheritdoc />
    public abstract Dna Propose();

    /// <inheritdoc />
    public abstract void Feedback(Dna dna, Reward reward);

    /// <summary>
    /// Rebuilds the state from finished trials in proposal order by replaying
    /// <see cref="Propose"/> and <see cref="Feedback"/> (so a seeded run continues exactly as an
    /// uninterrupted one would).
    /// </summary>
    public virtual void Recover(IEnumerable<(Dna Dna, Reward Reward)> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        foreach (var (dna, reward) in history)
        {
            Propose();
            Feedback(dna, reward);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="option"/> unless <paramref name="ok"/>.</summary>
    protected internal static void Require(bool ok, string option, string expected, object? actual)
    {
        if (!ok) throw new ArgumentException($"Option '{option}' must be {expected}; got {actual}.", option);
    }
}

/// <summary>Uniform random search (PyGlove's <c>pg.geno.Random</c>): every proposal is an independent uniform DNA.</summary>
public sealed class RandomSearch(int seed = 0) : SearchAlgorithmBase(seed)
{
    /// <inheritdoc />
    public override string Name => "random";

    /// <inheritdoc />
    public override Dna Propose() => Spec.Random(Rng);

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward) { }
}

/// <summary>
/// Exhaustive search in the space's enumeration order (PyGlove's <c>pg.geno.Sweeping</c>):
/// rightmost decision fastest. Resumable: <see cref="Recover"/> marks finished DNAs as done and the
/// grid continues with the first DNA not yet proposed. Throws
/// <see cref="SearchSpaceExhaustedException"/> when every DNA has been proposed.
/// </summary>
public sealed class GridSearch : SearchAlgorithmBase
{
    private IEnumerator<Dna>? _cursor;
    private readonly HashSet<Dna> _done = [];

    /// <summary>Creates a grid search (the seed is unused: enumeration is deterministic).</summary>
    public GridSearch(int seed = 0) : base(seed) { }

    /// <inheritdoc />
    public override string Name => "grid";

    /// <summary>Number of DNAs proposed or recovered so far.</summary>
    public int Done => _done.Count;

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        if (spec.SpaceSize is null)
        {
            var dp = spec.DecisionPoints.FirstOrDefault(d => d.SpaceSize is null);
            throw new ArgumentException($"Grid search needs an enumerable space; decision '{dp?.Id}' ({dp?.GetType().Name}) is not.", nameof(spec));
        }
        _done.Clear();
        _cursor = spec.Enumerate().GetEnumerator();
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        var cursor = _cursor ?? throw new InvalidOperationException($"Algorithm '{Name}': call Setup(spec) before Propose.");
        while (cursor.MoveNext())
            if (_done.Add(cursor.Current)) return cursor.Current;
        throw new SearchSpaceExhaustedException($"Grid search has proposed all {Spec.SpaceSize} DNAs of the space.");
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward) => _done.Add(dna);

    /// <summary>Marks the finished DNAs as done; the next proposal is the first DNA in order not among them.</summary>
    public override void Recover(IEnumerable<(Dna Dna, Reward Reward)> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _ = Spec;
        foreach (var (dna, _) in history) _done.Add(dna);
    }
}

/// <summary>
/// Wraps an algorithm so that it never proposes the same DNA twice within a run (PyGlove's
/// <c>pg.geno.Deduping</c>): a repeated proposal does not reach the evaluator and does not use
/// budget. A repeat of a DNA already fed back is answered from history (the inner algorithm gets the
/// recorded reward as feedback, as if it had been evaluated again, so its state moves on exactly as
/// without deduplication); a repeat of a DNA still being evaluated is discarded. Either way the inner
/// algorithm is asked again, up to <c>maxRetries</c> times; then (when <c>randomFallback</c>) unseen
/// uniform DNAs are tried as many times, and finally <see cref="SearchSpaceExhaustedException"/> is thrown.
/// </summary>
public sealed class Deduping : ISearchAlgorithm
{
    private readonly ISearchAlgorithm _inner;
    private readonly int _maxRetries;
    private readonly bool _randomFallback;
    private SpaceSpec? _spec;
    private Random _rng = new(0);
    private readonly HashSet<Dna> _seen = [];
    private readonly Dictionary<Dna, Reward> _known = [];
    private System.Numerics.BigInteger? _size;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The algorithm to deduplicate.</param>
    /// <param name="maxRetries">How many repeated proposals to discard in a row before falling back or giving up (at least 1).</param>
    /// <param name="randomFallback">After <paramref name="maxRetries"/> repeats, try uniform random DNAs (seeded by <paramref name="seed"/>).</param>
    /// <param name="seed">Seed of the fallback sampler.</param>
    public Deduping(ISearchAlgorithm inner, int maxRetries = 100, bool randomFallback = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        SearchAlgorithmBase.Require(maxRetries >= 1, nameof(maxRetries), "at least 1", maxRetries);
        _inner = inner;
        _maxRetries = maxRetries;
        _randomFallback = randomFallback;
        Seed = seed;
    }

    /// <summary>The wrapped algorithm.</summary>
    public ISearchAlgorithm Inner => _inner;

    /// <inheritdoc />
    public string Name => _inner.Name + "+dedup";

    /// <summary>Seed of the fallback sampler.</summary>
    public int Seed { get; }

    /// <summary>Number of distinct DNAs proposed so far.</summary>
    public int Count => _seen.Count;

    /// <summary>Repeated proposals of the inner algorithm answered from history so far (none of them was evaluated).</summary>
    public int RepeatsAnswered { get; private set; }

    /// <summary>Repeated proposals discarded because the DNA was still being evaluated.</summary>
    public int RepeatsDiscarded { get; private set; }

    /// <inheritdoc />
    public void Setup(SpaceSpec spec)
    {
        _inner.Setup(spec);
        _spec = spec;
        _rng = new Random(Seed);
        _seen.Clear();
        _known.Clear();
        RepeatsAnswered = RepeatsDiscarded = 0;
        _size = spec.SpaceSize;
    }

    /// <inheritdoc />
    public Dna Propose()
    {
        if (_size is { } size && _seen.Count >= size)
            throw new SearchSpaceExhaustedException($"Deduping: all {size} DNAs of the space have been proposed.");
        for (int i = 0; i <= _maxRetries; i++)
        {
            var dna = _inner.Propose();
            if (_seen.Add(dna)) return dna;
            if (_known.TryGetValue(dna, out var reward))
            {
                RepeatsAnswered++;
                _inner.Feedback(dna, reward);
            }
            else RepeatsDiscarded++;
        }
        if (_randomFallback && _spec is not null)
            for (int i = 0; i <= _maxRetries; i++)
            {
                var dna = _spec.Random(_rng);
                if (_seen.Add(dna)) return dna;
            }
        throw new SearchSpaceExhaustedException($"Deduping: '{_inner.Name}' proposed only repeated DNAs in {_maxRetries + 1} tries.");
    }

    /// <inheritdoc />
    public void Feedback(Dna dna, Reward reward)
    {
        _seen.Add(dna);
        _known[dna] = reward;
        _inner.Feedback(dna, reward);
    }

    /// <summary>Replays proposals and feedback (deterministic, so the run continues exactly).</summary>
    public void Recover(IEnumerable<(Dna Dna, Reward Reward)> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        foreach (var (dna, reward) in history)
        {
            Propose();
            Feedback(dna, reward);
        }
    }
}
