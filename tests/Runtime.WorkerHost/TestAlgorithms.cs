using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.WorkerHost;

/// <summary>Seeded random search (test double of the real algorithms).</summary>
public sealed class SeededRandomSearch(int seed) : ISearchAlgorithm
{
    private SpaceSpec? _spec;
    private Random _rng = new(seed);

    /// <summary>Number of Propose calls since Setup.</summary>
    public int Proposals { get; private set; }

    /// <summary>Number of Feedback calls since Setup.</summary>
    public int Feedbacks { get; private set; }

    /// <inheritdoc />
    public string Name => "test-random";

    /// <inheritdoc />
    public void Setup(SpaceSpec spec)
    {
        _spec = spec;
        _rng = new Random(seed);
        Proposals = Feedbacks = 0;
    }

    /// <inheritdoc />
    public Dna Propose()
    {
        Proposals++;
        return _spec!.Random(_rng);
    }

    /// <inheritdoc />
    public void Feedback(Dna dna, Reward reward) => Feedbacks++;
}

/// <summary>
/// Seeded hill climber whose proposals depend on the feedback (half the time it mutates one decision of
/// the best DNA so far): a resumed study proposes what an uninterrupted one would only when the history
/// is replayed exactly. Works on spaces without conditional decisions.
/// </summary>
public sealed class SeededHillClimber(int seed) : ISearchAlgorithm
{
    private SpaceSpec? _spec;
    private Random _rng = new(seed);
    private Dna? _best;
    private double _bestReward;

    /// <inheritdoc />
    public string Name => "test-hill";

    /// <inheritdoc />
    public void Setup(SpaceSpec spec)
    {
        _spec = spec;
        _rng = new Random(seed);
        _best = null;
    }

    /// <inheritdoc />
    public Dna Propose()
    {
        var random = _spec!.Random(_rng);
        if (_best is null || _rng.NextDouble() < 0.5) return random;
        var numbers = _best.ToNumbers().ToArray();
        var fresh = random.ToNumbers();
        int i = _rng.Next(numbers.Length);
        numbers[i] = fresh[i];
        return _spec.FromNumbers(numbers);
    }

    /// <inheritdoc />
    public void Feedback(Dna dna, Reward reward)
    {
        if (_best is null || reward.Value > _bestReward)
        {
            _best = dna;
            _bestReward = reward.Value;
        }
    }
}
