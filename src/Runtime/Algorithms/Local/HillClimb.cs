using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Local;

/// <summary>
/// Local search / hill climbing as in White, Nolen, Savani &amp; Hutter, "Exploring the Loss Landscape
/// in Neural Architecture Search", UAI 2021: evaluate the whole one-edit neighbourhood
/// (<see cref="DnaOps.Neighbours"/>) of the best DNA so far, move to the best neighbour when it
/// improves on it, and restart from a fresh random DNA at a local optimum. DNAs already evaluated
/// are never proposed again by the neighbourhood walk (their known reward is reused).
/// </summary>
public sealed class HillClimb : SearchAlgorithmBase
{
    private readonly Dictionary<Dna, double> _known = [];
    private readonly Queue<Dna> _queue = new();
    private readonly HashSet<Dna> _pending = [];
    private readonly int _initialRandom;
    private readonly double _floatStep;
    private Dna? _current;
    private Dna? _start;
    private List<Dna> _neighbourhood = [];
    private double _currentValue = double.NegativeInfinity;
    private int _randomLeft;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="initialRandom">Random DNAs evaluated before the first climb, which starts from the best of them (at least 1).</param>
    /// <param name="floatStep">Neighbourhood step for float decisions, as a fraction of their normalized range (0, 1].</param>
    public HillClimb(int seed = 0, int initialRandom = 1, double floatStep = 0.1) : base(seed)
    {
        Require(initialRandom >= 1, nameof(initialRandom), "at least 1", initialRandom);
        Require(floatStep is > 0 and <= 1, nameof(floatStep), "in (0, 1]", floatStep);
        _initialRandom = initialRandom;
        _floatStep = floatStep;
    }

    /// <inheritdoc />
    public override string Name => "local_search";

    /// <summary>Number of random restarts so far.</summary>
    public int Restarts { get; private set; }

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _known.Clear(); _queue.Clear(); _pending.Clear();
        _current = null; _start = null; _neighbourhood = []; _currentValue = double.NegativeInfinity;
        _randomLeft = _initialRandom;
        Restarts = 0;
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        var spec = Spec;
        if (_randomLeft > 0) { _randomLeft--; return Track(FreshRandom(spec)); }
        while (_queue.Count > 0)
        {
            var d = _queue.Dequeue();
            if (!_known.ContainsKey(d) && !_pending.Contains(d)) return Track(d);
        }
        if (_pending.Count == 0) Step(spec);
        while (_queue.Count > 0)
        {
            var d = _queue.Dequeue();
            if (!_known.ContainsKey(d) && !_pending.Contains(d)) return Track(d);
        }
        // Waiting on pending evaluations (asynchronous use) or nothing new around: explore randomly.
        return Track(FreshRandom(spec));
    }

    private Dna Track(Dna d) { _pending.Add(d); return d; }

    private Dna FreshRandom(SpaceSpec spec)
    {
        for (int i = 0; i < 100; i++)
        {
            var d = spec.Random(Rng);
            if (!_known.ContainsKey(d) && !_pending.Contains(d)) return d;
        }
        return spec.Random(Rng);
    }

    // Neighbourhood fully evaluated: move to the best neighbour if it improves, else restart.
    private void Step(SpaceSpec spec)
    {
        for (int guard = 0; guard < 10_000; guard++)
        {
            if (_current is null)
            {
                if (_start is not null)
                {
                    if (!_known.TryGetValue(_start, out var sv)) return;
                    _current = _start; _currentValue = sv; _start = null;
                }
                else
                {
                    if (_known.Count == 0) return;
                    var best = _known.MaxBy(kv => kv.Value);
                    _current = best.Key; _currentValue = best.Value;
                }
            }
            else
            {
                Dna? bestN = null; double bestV = double.NegativeInfinity;
                foreach (var n in _neighbourhood)
                    if (_known.TryGetValue(n, out var v) && v > bestV) { bestV = v; bestN = n; }
                if (bestN is not null && bestV > _currentValue) { _current = bestN; _currentValue = bestV; }
                else
                {
                    // Local optimum: restart from a random DNA.
                    Restarts++;
                    _start = FreshRandom(spec);
                    _current = null;
                    _neighbourhood = [];
                    _queue.Enqueue(_start);
                    return;
                }
            }
            var next = DnaOps.Neighbours(spec, _current, Rng, _floatStep);
            // Random order within the neighbourhood (the whole neighbourhood is evaluated before moving).
            for (int i = next.Count - 1; i > 0; i--) { int j = Rng.Next(i + 1); (next[i], next[j]) = (next[j], next[i]); }
            _neighbourhood = next;
            bool any = false;
            foreach (var n in next)
                if (!_known.ContainsKey(n)) { _queue.Enqueue(n); any = true; }
            if (any) return;
            // Every neighbour is known already: decide right away.
        }
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        _ = Spec;
        _pending.Remove(dna);
        _known[dna] = reward.Value;
    }
}
