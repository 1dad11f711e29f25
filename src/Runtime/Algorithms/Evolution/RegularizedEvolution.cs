using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Evolution;

/// <summary>
/// Regularized (aging) evolution, Real et al., "Regularized Evolution for Image Classifier
/// Architecture Search", AAAI 2019 (PyGlove's <c>pg.evolution.regularized_evolution</c>): the
/// population is the <c>populationSize</c> most recent evaluated individuals; each child comes from
/// the reproduction operation, by default
/// <c>Select.Random(tournamentSize) | Select.Top(1) | Mutate.Uniform()</c>. The first
/// <c>populationSize</c> proposals are uniform random.
/// </summary>
public sealed class RegularizedEvolution : SearchAlgorithmBase
{
    private readonly List<Individual> _history = [];
    private readonly Queue<Dna> _queue = new();
    private readonly IOperation _reproduction;
    private OperationContext? _context;
    private int _proposed;

    /// <summary>Creates the algorithm.</summary>
    /// <param name="populationSize">Number of most recent individuals that form the population (at least 1).</param>
    /// <param name="tournamentSize">Individuals sampled per tournament (1..populationSize).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="reproduction">Overrides the default tournament + uniform mutation pipeline; it receives the population and its outputs become proposals.</param>
    public RegularizedEvolution(int populationSize = 100, int tournamentSize = 10, int seed = 0, IOperation? reproduction = null) : base(seed)
    {
        Require(populationSize >= 1, nameof(populationSize), "at least 1", populationSize);
        Require(tournamentSize >= 1 && tournamentSize <= populationSize, nameof(tournamentSize), $"in [1, populationSize={populationSize}]", tournamentSize);
        PopulationSize = populationSize;
        TournamentSize = tournamentSize;
        _reproduction = reproduction ?? (Select.Random(tournamentSize) | Select.Top(1) | Mutate.Uniform());
    }

    /// <inheritdoc />
    public override string Name => "evolution";

    /// <summary>Population size.</summary>
    public int PopulationSize { get; }

    /// <summary>Tournament (sample) size.</summary>
    public int TournamentSize { get; }

    /// <summary>The current population, oldest first.</summary>
    public IReadOnlyList<Individual> Population => _history.Skip(Math.Max(0, _history.Count - PopulationSize)).ToList();

    /// <inheritdoc />
    protected override void OnSetup(SpaceSpec spec)
    {
        _history.Clear();
        _queue.Clear();
        _proposed = 0;
        _context = new OperationContext(spec, Rng);
    }

    /// <inheritdoc />
    public override Dna Propose()
    {
        var spec = Spec;
        _proposed++;
        if (_queue.Count > 0) return _queue.Dequeue();
        if (_proposed <= PopulationSize || _history.Count == 0) return spec.Random(Rng);
        var ctx = _context!;
        int start = Math.Max(0, _history.Count - PopulationSize);
        var population = new Window(_history, start);
        var children = _reproduction.Apply(population, ctx);
        ctx.Step++;
        if (children.Count == 0) return spec.Random(Rng);
        for (int i = 1; i < children.Count; i++) _queue.Enqueue(children[i].Dna);
        return children[0].Dna;
    }

    /// <inheritdoc />
    public override void Feedback(Dna dna, Reward reward)
    {
        _ = Spec;
        _history.Add(new Individual(dna, reward));
        // Keep memory bounded: only the population window is ever read.
        if (_history.Count > 4 * PopulationSize + 64) _history.RemoveRange(0, _history.Count - PopulationSize);
    }

    // A read-only view of the most recent individuals (no copy per proposal).
    private sealed class Window(List<Individual> items, int start) : IReadOnlyList<Individual>
    {
        public Individual this[int index] => (uint)index < (uint)Count ? items[start + index] : throw new ArgumentOutOfRangeException(nameof(index));
        public int Count => items.Count - start;
        public IEnumerator<Individual> GetEnumerator() { for (int i = start; i < items.Count; i++) yield return items[i]; }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
