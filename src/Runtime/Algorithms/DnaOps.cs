using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms;

/// <summary>
/// Chooses the value of one atomic decision while a DNA is being built by <see cref="DnaOps.Build"/>.
/// </summary>
/// <param name="decision">A single choice (a OneOf, an Int or the k-th choice of a ManyOf), a float or a custom decision.</param>
/// <param name="excluded">For the k-th choice of a distinct ManyOf, the indices already taken by earlier choices (empty otherwise); the decider should avoid them.</param>
/// <returns>A leaf DNA: <see cref="Dna.Leaf"/> for a choice, a float DNA or a custom string DNA.</returns>
public delegate Dna Decider(DecisionPoint decision, IReadOnlyCollection<int> excluded);

/// <summary>
/// DNA helpers shared by the algorithms: the active decisions of a DNA, building a DNA decision by
/// decision (so that newly activated conditional decisions get sampled), mutation, one-edit
/// neighbourhoods and crossover. Everything is expressed on public <see cref="SpaceSpec"/> API.
/// </summary>
public static class DnaOps
{
    private static readonly int[] NoInts = [];

    /// <summary>True for decisions with an atomic value (everything but a ManyOf parent).</summary>
    public static bool IsAtomic(DecisionPoint decision) => decision is not ChoicesSpec { IsMultiChoice: true };

    /// <summary>
    /// The active atomic decisions of <paramref name="dna"/> in depth-first order with their leaf
    /// values (choice index leaf, float or custom DNA). The k-th choice of a ManyOf appears as its own
    /// decision. Decisions of unchosen conditional candidates are absent.
    /// </summary>
    public static List<(DecisionPoint Decision, Dna Value)> Active(SpaceSpec spec, Dna dna)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(dna);
        var acc = new List<(DecisionPoint, Dna)>();
        WalkSpace(spec, dna, acc);
        return acc;
    }

    /// <summary>The active decisions as a dictionary keyed by decision id.</summary>
    public static Dictionary<string, Dna> ActiveById(SpaceSpec spec, Dna dna)
    {
        var d = new Dictionary<string, Dna>(StringComparer.Ordinal);
        foreach (var (dp, v) in Active(spec, dna)) d[dp.Id] = v;
        return d;
    }

    private static void WalkSpace(SpaceSpec sp, Dna dna, List<(DecisionPoint, Dna)> acc)
    {
        var els = sp.Elements;
        if (els.Count == 0) return;
        if (els.Count == 1) { WalkDecision(els[0], dna, acc); return; }
        var ch = dna.Children;
        if (ch.Count != els.Count) throw new DnaValidationException(sp.Id, $"Space '{sp.Id}' has {els.Count} decisions but DNA '{dna}' has {ch.Count} children.");
        for (int i = 0; i < els.Count; i++) WalkDecision(els[i], ch[i], acc);
    }

    private static void WalkDecision(DecisionPoint dp, Dna d, List<(DecisionPoint, Dna)> acc)
    {
        switch (dp)
        {
            case ChoicesSpec { IsMultiChoice: true } m:
                if (m.NumChoices == 1) { WalkDecision(m.Subchoices[0], d, acc); return; }
                for (int q = 0; q < m.NumChoices; q++) WalkDecision(m.Subchoices[q], d.Children[q], acc);
                return;
            case ChoicesSpec c:
                acc.Add((c, Dna.Leaf(d.Index)));
                if (c.IsConditional(d.Index)) WalkSpace(c.Candidates[d.Index], SubDna(d.Children), acc);
                return;
            default:
                acc.Add((dp, d));
                return;
        }
    }

    private static Dna SubDna(IReadOnlyList<Dna> children) => children.Count switch
    {
        0 => Dna.Empty,
        1 => children[0],
        _ => Dna.List(children),
    };

    /// <summary>
    /// Builds a DNA by walking the spec and asking <paramref name="decide"/> for each active atomic
    /// decision, parents before children. Distinct ManyOf choices that repeat an index are repaired
    /// to the next free index; sorted ManyOfs are sorted.
    /// </summary>
    public static Dna Build(SpaceSpec spec, Decider decide)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(decide);
        return BuildSpace(spec, decide);
    }

    private static Dna BuildSpace(SpaceSpec sp, Decider decide)
    {
        var els = sp.Elements;
        switch (els.Count)
        {
            case 0: return Dna.Empty;
            case 1: return BuildDecision(els[0], decide, NoInts);
            default:
                var arr = new Dna[els.Count];
                for (int i = 0; i < arr.Length; i++) arr[i] = BuildDecision(els[i], decide, NoInts);
                return Dna.List(arr);
        }
    }

    private static Dna BuildDecision(DecisionPoint dp, Decider decide, IReadOnlyCollection<int> excluded)
    {
        switch (dp)
        {
            case ChoicesSpec { IsMultiChoice: true } m:
            {
                int k = m.NumChoices, n = m.CandidateCount;
                var idx = new int[k];
                var used = new List<int>(k);
                for (int q = 0; q < k; q++)
                {
                    int j = decide(m.Subchoices[q], m.Distinct ? used : NoInts).Index;
                    if (j < 0 || j >= n) j = 0;
                    if (m.Distinct)
                        while (used.Contains(j)) j = (j + 1) % n;
                    idx[q] = j;
                    used.Add(j);
                }
                if (m.Sorted) Array.Sort(idx);
                var children = new Dna[k];
                for (int q = 0; q < k; q++) children[q] = ChoiceWithSub(m.Subchoices[q], idx[q], decide);
                return k == 1 ? children[0] : Dna.List(children);
            }
            case ChoicesSpec c:
            {
                int j = decide(c, excluded).Index;
                if (j < 0 || j >= c.CandidateCount) throw new ArgumentException($"Decision '{c.Id}' got choice {j}; it has {c.CandidateCount} candidates.");
                return ChoiceWithSub(c, j, decide);
            }
            default:
                return decide(dp, NoInts);
        }
    }

    private static Dna ChoiceWithSub(ChoicesSpec c, int j, Decider decide) =>
        c.IsConditional(j) ? new Dna(j, BuildSpace(c.Candidates[j], decide)) : Dna.Leaf(j);

    /// <summary>A uniformly random value for one atomic decision, avoiding <paramref name="excluded"/> choice indices.</summary>
    public static Dna RandomValue(DecisionPoint decision, Random rng, IReadOnlyCollection<int>? excluded = null)
    {
        switch (decision)
        {
            case ChoicesSpec c:
            {
                int n = c.CandidateCount;
                if (excluded is null || excluded.Count == 0) return Dna.Leaf(rng.Next(n));
                int free = n - excluded.Count(e => e >= 0 && e < n);
                if (free <= 0) return Dna.Leaf(rng.Next(n));
                int r = rng.Next(free);
                for (int j = 0; j < n; j++)
                {
                    if (excluded.Contains(j)) continue;
                    if (r-- == 0) return Dna.Leaf(j);
                }
                return Dna.Leaf(0);
            }
            case FloatSpec f: return new Dna(f.Sample(rng.NextDouble()));
            case CustomSpec u: return new Dna(u.Implementation.Random(rng));
            default: throw new ArgumentException($"Decision '{decision.Id}' is not atomic.", nameof(decision));
        }
    }

    /// <summary>True when <paramref name="value"/> fits <paramref name="decision"/> (index in range, float within bounds).</summary>
    public static bool Fits(DecisionPoint decision, Dna value) => decision switch
    {
        ChoicesSpec c => value.Kind == DnaValueKind.Int && value.Index < c.CandidateCount,
        FloatSpec f => value.Kind == DnaValueKind.Float && value.FloatValue >= f.Min && value.FloatValue <= f.Max,
        CustomSpec => value.Kind == DnaValueKind.Custom,
        _ => false,
    };

    /// <summary>
    /// Builds a DNA from decision values by id, reusing every value that is given and fits, and
    /// sampling (uniformly, with <paramref name="rng"/>) the active decisions that have none.
    /// </summary>
    public static Dna Rebuild(SpaceSpec spec, IReadOnlyDictionary<string, Dna> values, Random rng) =>
        Build(spec, (dp, ex) => values.TryGetValue(dp.Id, out var v) && Fits(dp, v) && (v.Kind != DnaValueKind.Int || !ex.Contains(v.Index))
            ? v : RandomValue(dp, rng, ex));

    /// <summary>True when a decision can take another value.</summary>
    public static bool IsMutable(DecisionPoint decision) => decision switch
    {
        ChoicesSpec c => c.CandidateCount > 1,
        FloatSpec f => f.Max > f.Min,
        CustomSpec => true,
        _ => false,
    };

    /// <summary>
    /// Uniform mutation (PyGlove's <c>evolution.mutators.Uniform</c>): picks one active decision
    /// uniformly and gives it a different value (another candidate; a fresh uniform float; the custom
    /// decision's own <see cref="ICustomHyper.Mutate"/>). Decisions that the change activates are sampled.
    /// </summary>
    public static Dna Mutate(SpaceSpec spec, Dna dna, Random rng)
    {
        var active = Active(spec, dna);
        var mutable = new List<int>(active.Count);
        for (int i = 0; i < active.Count; i++) if (IsMutable(active[i].Decision)) mutable.Add(i);
        if (mutable.Count == 0) return dna;
        int pick = mutable[rng.Next(mutable.Count)];
        var (dp, old) = active[pick];
        var values = new Dictionary<string, Dna>(active.Count, StringComparer.Ordinal);
        foreach (var (d, v) in active) values[d.Id] = v;
        values[dp.Id] = ChangeValue(dp, old, rng, SiblingIndices(dp, active));
        return Rebuild(spec, values, rng);
    }

    private static List<int> SiblingIndices(DecisionPoint dp, List<(DecisionPoint Decision, Dna Value)> active)
    {
        var list = new List<int>();
        if (dp is ChoicesSpec { SubchoiceIndex: >= 0, Parent: ChoicesSpec { Distinct: true } parent })
            foreach (var (d, v) in active)
                if (!ReferenceEquals(d, dp) && d.Parent == parent) list.Add(v.Index);
        return list;
    }

    private static Dna ChangeValue(DecisionPoint dp, Dna old, Random rng, List<int> siblings)
    {
        switch (dp)
        {
            case ChoicesSpec c:
            {
                var ex = new List<int>(siblings) { old.Index };
                if (ex.Distinct().Count() >= c.CandidateCount)
                {
                    // A full permutation: a value change must be a swap; the caller's repair keeps it valid.
                    return Dna.Leaf((old.Index + 1 + rng.Next(c.CandidateCount - 1)) % c.CandidateCount);
                }
                return RandomValue(c, rng, ex);
            }
            case FloatSpec f:
                return new Dna(f.Sample(rng.NextDouble()));
            case CustomSpec u:
                return new Dna(u.Implementation.Mutate(old.CustomValue, rng));
            default:
                return old;
        }
    }

    /// <summary>
    /// Swap mutation for permutations and ManyOfs: exchanges the choices at two positions of one
    /// randomly picked multi-choice decision (sub-decisions travel with their candidate when the
    /// positions share their candidate spaces; otherwise they are resampled). Falls back to
    /// <see cref="Mutate"/> when the space has no active multi-choice decision with two positions.
    /// </summary>
    public static Dna SwapMutate(SpaceSpec spec, Dna dna, Random rng)
    {
        var active = Active(spec, dna);
        var parents = active.Where(a => a.Decision is ChoicesSpec { SubchoiceIndex: >= 0, Parent: ChoicesSpec { NumChoices: > 1, Sorted: false } })
            .Select(a => (ChoicesSpec)a.Decision.Parent!).Distinct().ToList();
        if (parents.Count == 0) return Mutate(spec, dna, rng);
        var m = parents[rng.Next(parents.Count)];
        int p = rng.Next(m.NumChoices), q = rng.Next(m.NumChoices - 1);
        if (q >= p) q++;
        var values = active.ToDictionary(a => a.Decision.Id, a => a.Value, StringComparer.Ordinal);
        string ip = m.Subchoices[p].Id, iq = m.Subchoices[q].Id;
        (values[ip], values[iq]) = (values[iq], values[ip]);
        return RebuildOrdered(spec, values, rng);
    }

    // Rebuild that keeps the given order of ManyOf choices (used when the values are a permutation already).
    private static Dna RebuildOrdered(SpaceSpec spec, IReadOnlyDictionary<string, Dna> values, Random rng) =>
        Build(spec, (dp, ex) => values.TryGetValue(dp.Id, out var v) && Fits(dp, v) && (v.Kind != DnaValueKind.Int || !ex.Contains(v.Index))
            ? v : RandomValue(dp, rng, ex));

    /// <summary>
    /// All DNAs one edit away (White et al. 2021's neighbourhood): every other candidate of each active
    /// choice (newly activated conditional decisions are sampled with <paramref name="rng"/>), and for
    /// floats a step of ±<paramref name="floatStep"/> of the range on the decision's scale. Custom
    /// decisions contribute one mutation each. Duplicates are removed; order is deterministic for a seed.
    /// </summary>
    public static List<Dna> Neighbours(SpaceSpec spec, Dna dna, Random rng, double floatStep = 0.1)
    {
        var active = Active(spec, dna);
        var baseValues = active.ToDictionary(a => a.Decision.Id, a => a.Value, StringComparer.Ordinal);
        var seen = new HashSet<Dna> { dna };
        var result = new List<Dna>();
        foreach (var (dp, old) in active)
        {
            var options = new List<Dna>();
            switch (dp)
            {
                case ChoicesSpec c:
                    for (int j = 0; j < c.CandidateCount; j++) if (j != old.Index) options.Add(Dna.Leaf(j));
                    break;
                case FloatSpec f when f.Max > f.Min:
                    double u = f.Normalize(old.FloatValue);
                    foreach (var s in new[] { -floatStep, floatStep })
                    {
                        double nu = Math.Clamp(u + s, 0, 1);
                        if (nu != u) options.Add(new Dna(f.Sample(nu)));
                    }
                    break;
                case CustomSpec cu:
                    options.Add(new Dna(cu.Implementation.Mutate(old.CustomValue, rng)));
                    break;
            }
            foreach (var o in options)
            {
                var values = new Dictionary<string, Dna>(baseValues, StringComparer.Ordinal) { [dp.Id] = o };
                if (dp is ChoicesSpec { SubchoiceIndex: >= 0, Parent: ChoicesSpec { Distinct: true } parent })
                {
                    // Keep distinct ManyOfs valid: exchange with the sibling that holds the value.
                    foreach (var (sd, sv) in active)
                        if (!ReferenceEquals(sd, dp) && sd.Parent == parent && sv.Index == o.Index) values[sd.Id] = old;
                }
                var n = Rebuild(spec, values, rng);
                if (seen.Add(n)) result.Add(n);
            }
        }
        return result;
    }

    /// <summary>Uniform crossover: each decision active in both parents comes from either with probability 1/2; the rest follows the parent that chose the branch.</summary>
    public static Dna Crossover(SpaceSpec spec, Dna a, Dna b, Random rng)
    {
        var va = ActiveById(spec, a);
        var vb = ActiveById(spec, b);
        var values = new Dictionary<string, Dna>(va, StringComparer.Ordinal);
        foreach (var (k, v) in vb)
            if (!values.ContainsKey(k) || rng.Next(2) == 1) values[k] = v;
        return Rebuild(spec, values, rng);
    }

    /// <summary>
    /// K-point crossover over the spec's decisions in depth-first order: the decision list is cut at
    /// <paramref name="k"/> random points and segments alternate between the parents.
    /// </summary>
    public static Dna KPointCrossover(SpaceSpec spec, Dna a, Dna b, int k, Random rng)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}.", nameof(k));
        var order = AtomicIds(spec);
        var va = ActiveById(spec, a);
        var vb = ActiveById(spec, b);
        int n = order.Count;
        var cuts = new SortedSet<int>();
        if (n > 1)
        {
            int kk = Math.Min(k, n - 1);
            while (cuts.Count < kk) cuts.Add(1 + rng.Next(n - 1));
        }
        var values = new Dictionary<string, Dna>(StringComparer.Ordinal);
        bool fromA = true;
        for (int i = 0; i < n; i++)
        {
            if (cuts.Contains(i)) fromA = !fromA;
            var id = order[i];
            var (first, second) = fromA ? (va, vb) : (vb, va);
            if (first.TryGetValue(id, out var v) || second.TryGetValue(id, out v)) values[id] = v;
        }
        return Rebuild(spec, values, rng);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SpaceSpec, List<string>> IdCache = new();

    /// <summary>Ids of every atomic decision of the spec (inactive conditional ones included), depth first.</summary>
    public static IReadOnlyList<string> AtomicIds(SpaceSpec spec) =>
        IdCache.GetValue(spec, s => s.AllDecisions.Where(IsAtomic).Select(d => d.Id).ToList());

    /// <summary>
    /// Permutation crossover for every distinct multi-choice decision active in both parents: order
    /// crossover (OX1, Davis 1985) or partially mapped crossover (PMX, Goldberg &amp; Lingle 1985) on
    /// the choice indices. Other decisions come from <paramref name="a"/>.
    /// </summary>
    public static Dna PermutationCrossover(SpaceSpec spec, Dna a, Dna b, bool pmx, Random rng)
    {
        var aa = Active(spec, a);
        var va = aa.ToDictionary(x => x.Decision.Id, x => x.Value, StringComparer.Ordinal);
        var vb = ActiveById(spec, b);
        var values = new Dictionary<string, Dna>(va, StringComparer.Ordinal);
        var parents = aa.Where(x => x.Decision is ChoicesSpec { SubchoiceIndex: >= 0, Parent: ChoicesSpec { Distinct: true, NumChoices: > 1 } })
            .Select(x => (ChoicesSpec)x.Decision.Parent!).Distinct().ToList();
        foreach (var m in parents)
        {
            int k = m.NumChoices;
            if (!m.Subchoices.All(s => vb.ContainsKey(s.Id))) continue;
            var pa = m.Subchoices.Select(s => va[s.Id].Index).ToArray();
            var pb = m.Subchoices.Select(s => vb[s.Id].Index).ToArray();
            int lo = rng.Next(k), hi = rng.Next(k);
            if (lo > hi) (lo, hi) = (hi, lo);
            var child = pmx ? Pmx(pa, pb, lo, hi) : Ox(pa, pb, lo, hi);
            for (int q = 0; q < k; q++) values[m.Subchoices[q].Id] = Dna.Leaf(child[q]);
        }
        return RebuildOrdered(spec, values, rng);
    }

    internal static int[] Ox(int[] pa, int[] pb, int lo, int hi)
    {
        int k = pa.Length;
        var child = new int[k];
        var taken = new HashSet<int>();
        for (int i = lo; i <= hi; i++) { child[i] = pa[i]; taken.Add(pa[i]); }
        int pos = (hi + 1) % k;
        for (int t = 0; t < k; t++)
        {
            int g = pb[(hi + 1 + t) % k];
            if (taken.Contains(g)) continue;
            child[pos] = g;
            taken.Add(g);
            pos = (pos + 1) % k;
        }
        return child;
    }

    internal static int[] Pmx(int[] pa, int[] pb, int lo, int hi)
    {
        int k = pa.Length;
        var child = new int[k];
        Array.Fill(child, -1);
        var inSeg = new HashSet<int>();
        for (int i = lo; i <= hi; i++) { child[i] = pa[i]; inSeg.Add(pa[i]); }
        for (int i = lo; i <= hi; i++)
        {
            int g = pb[i];
            if (inSeg.Contains(g)) continue;
            int pos = i;
            // Follow the mapping until a position outside the segment.
            for (int guard = 0; guard <= k; guard++)
            {
                int v = pa[pos];
                pos = Array.IndexOf(pb, v);
                if (pos < lo || pos > hi) break;
            }
            if (child[pos] == -1) child[pos] = g;
        }
        var used = new HashSet<int>(child.Where(c => c >= 0));
        for (int i = 0; i < k; i++)
            if (child[i] == -1)
            {
                int g = pb[i];
                if (used.Contains(g)) g = pb.First(x => !used.Contains(x));
                child[i] = g;
                used.Add(g);
            }
        return child;
    }
}
