using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>What a population member does after <see cref="Pbt.Ready"/>.</summary>
public abstract record PbtDecision
{
    private protected PbtDecision() { }

    /// <summary>Keep training with the same DNA and checkpoint.</summary>
    public sealed record Continue : PbtDecision
    {
        /// <summary>The single instance.</summary>
        public static Continue Instance { get; } = new();
    }

    /// <summary>
    /// Exploit and explore: load <paramref name="Checkpoint"/> (the donor's; opaque to PBT) and
    /// continue with <paramref name="NewDna"/> (the donor's DNA, perturbed).
    /// </summary>
    /// <param name="FromMember">The donor member.</param>
    /// <param name="NewDna">The DNA to continue with.</param>
    /// <param name="Checkpoint">The donor's latest checkpoint (null when it reported none).</param>
    public sealed record Exploit(int FromMember, Dna NewDna, string? Checkpoint) : PbtDecision;
}

/// <summary>
/// Population-based training, Jaderberg et al., "Population Based Training of Neural Networks",
/// 2017 (truncation selection variant). Members train in parallel; every <c>interval</c> steps a
/// member calls <see cref="Ready"/>: when it ranks in the bottom <c>quantile</c> of the population
/// by latest reward it exploits a random member of the top <c>quantile</c> (copies its DNA and
/// checkpoint) and explores (floats ×0.8 or ×1.2 on their scale, clipped; ordinal choices move one
/// step; categorical choices are resampled with probability <c>resampleProbability</c>; decisions
/// that become active are sampled). Checkpoints are opaque strings (paths, URIs).
/// </summary>
public sealed class Pbt
{
    private readonly SpaceSpec _spec;
    private readonly Random _rng;
    private readonly Dictionary<int, Member> _members = [];
    private readonly object _lock = new();

    private sealed class Member
    {
        public required Dna Dna;
        public string? Checkpoint;
        public double? Reward;
        public int Step;
        public int LastReadyStep;
    }

    /// <summary>Creates the scheduler.</summary>
    /// <param name="spec">The hyperparameter space.</param>
    /// <param name="interval">Steps between exploit/explore decisions for a member (at least 1).</param>
    /// <param name="quantile">Fraction of the population in the bottom (replaced) and top (donor) sets, in (0, 0.5].</param>
    /// <param name="resampleProbability">Probability of resampling a categorical decision while exploring, in [0, 1].</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="perturbFactors">Multipliers for floats (default 0.8 and 1.2).</param>
    public Pbt(SpaceSpec spec, int interval = 10, double quantile = 0.25, double resampleProbability = 0.25, int seed = 0, IReadOnlyList<double>? perturbFactors = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        SearchAlgorithmBase.Require(interval >= 1, nameof(interval), "at least 1", interval);
        SearchAlgorithmBase.Require(quantile is > 0 and <= 0.5, nameof(quantile), "in (0, 0.5]", quantile);
        SearchAlgorithmBase.Require(resampleProbability is >= 0 and <= 1, nameof(resampleProbability), "in [0, 1]", resampleProbability);
        PerturbFactors = perturbFactors?.ToArray() ?? [0.8, 1.2];
        SearchAlgorithmBase.Require(PerturbFactors.Count > 0 && PerturbFactors.All(f => f > 0 && double.IsFinite(f)), nameof(perturbFactors), "non-empty positive numbers", string.Join(",", PerturbFactors));
        _spec = spec; Interval = interval; Quantile = quantile; ResampleProbability = resampleProbability;
        _rng = new Random(seed);
    }

    /// <summary>Steps between decisions.</summary>
    public int Interval { get; }

    /// <summary>Bottom/top fraction.</summary>
    public double Quantile { get; }

    /// <summary>Categorical resample probability.</summary>
    public double ResampleProbability { get; }

    /// <summary>Float multipliers.</summary>
    public IReadOnlyList<double> PerturbFactors { get; }

    /// <summary>A random initial DNA for a new member (registers it).</summary>
    public Dna AddMember(int memberId)
    {
        lock (_lock)
        {
            var dna = _spec.Random(_rng);
            Register(memberId, dna);
            return dna;
        }
    }

    /// <summary>Registers a member with its initial DNA (and checkpoint, if any).</summary>
    /// <exception cref="ArgumentException">The id is taken or the DNA is not in the space.</exception>
    public void Register(int memberId, Dna dna, string? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(dna);
        _spec.Validate(dna);
        lock (_lock)
        {
            if (_members.ContainsKey(memberId)) throw new ArgumentException($"Member {memberId} is already registered.", nameof(memberId));
            _members[memberId] = new Member { Dna = dna, Checkpoint = checkpoint };
        }
    }

    /// <summary>The member's current DNA.</summary>
    public Dna DnaOf(int memberId) { lock (_lock) return Get(memberId).Dna; }

    private Member Get(int memberId) => _members.TryGetValue(memberId, out var m) ? m
        : throw new ArgumentException($"Member {memberId} is not registered (known: {string.Join(", ", _members.Keys.Order())}).", nameof(memberId));

    /// <summary>
    /// Reports a member's reward at a step (with its latest checkpoint) and says what it should do:
    /// continue, or exploit another member's checkpoint with an explored DNA. Decisions happen at most
    /// once every <see cref="Interval"/> steps per member.
    /// </summary>
    public PbtDecision Ready(int memberId, int step, double reward, string? checkpoint = null)
    {
        if (!double.IsFinite(reward)) throw new ArgumentException($"Reward of member {memberId} at step {step} must be finite; got {reward}.", nameof(reward));
        lock (_lock)
        {
            var me = Get(memberId);
            me.Reward = reward; me.Step = step;
            if (checkpoint is not null) me.Checkpoint = checkpoint;
            if (step - me.LastReadyStep < Interval) return PbtDecision.Continue.Instance;
            me.LastReadyStep = step;
            var ranked = _members.Where(kv => kv.Value.Reward is not null).OrderByDescending(kv => kv.Value.Reward!.Value).ThenBy(kv => kv.Key).ToList();
            int n = ranked.Count;
            int cut = Math.Max(1, (int)Math.Round(n * Quantile));
            if (n < 2 || 2 * cut > n) return PbtDecision.Continue.Instance;
            int pos = ranked.FindIndex(kv => kv.Key == memberId);
            if (pos < n - cut) return PbtDecision.Continue.Instance;
            var donor = ranked[_rng.Next(cut)];
            var newDna = Explore(donor.Value.Dna);
            me.Dna = newDna;
            me.Checkpoint = donor.Value.Checkpoint;
            me.Reward = donor.Value.Reward;
            return new PbtDecision.Exploit(donor.Key, newDna, donor.Value.Checkpoint);
        }
    }

    /// <summary>The explore step applied to a DNA.</summary>
    public Dna Explore(Dna dna)
    {
        lock (_lock)
        {
            var values = DnaOps.ActiveById(_spec, dna);
            foreach (var (dp, v) in DnaOps.Active(_spec, dna))
            {
                switch (dp)
                {
                    case FloatSpec f when f.Max > f.Min:
                    {
                        double factor = PerturbFactors[_rng.Next(PerturbFactors.Count)];
                        double x = v.FloatValue * factor;
                        if (f.Scale == Scale.Linear && v.FloatValue == 0) x = f.Sample(Math.Clamp(f.Normalize(0) + (factor - 1) * 0.1, 0, 1));
                        values[dp.Id] = new Dna(Math.Clamp(x, f.Min, f.Max));
                        break;
                    }
                    case ChoicesSpec c when c.CandidateCount > 1:
                        if (_rng.NextDouble() < ResampleProbability) values[dp.Id] = Dna.Leaf(_rng.Next(c.CandidateCount));
                        else if (c.IsOrdinal) values[dp.Id] = Dna.Leaf(Math.Clamp(v.Index + (_rng.Next(2) == 0 ? -1 : 1), 0, c.CandidateCount - 1));
                        break;
                    case CustomSpec u:
                        if (_rng.NextDouble() < ResampleProbability) values[dp.Id] = new Dna(u.Implementation.Mutate(v.CustomValue, _rng));
                        break;
                }
            }
            return DnaOps.Rebuild(_spec, values, _rng);
        }
    }
}
