using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Algorithms.Evolution;

/// <summary>A member of a population: a DNA and its reward (null for offspring not evaluated yet).</summary>
/// <param name="Dna">The DNA.</param>
/// <param name="Reward">Its reward, when known.</param>
public sealed record Individual(Dna Dna, Reward? Reward)
{
    /// <summary>The first objective, or negative infinity when unknown.</summary>
    public double Fitness => Reward is { } r ? r.Value : double.NegativeInfinity;
}

/// <summary>What an operation may use besides its inputs: the space, the seeded random source and the step.</summary>
public sealed class OperationContext
{
    /// <summary>Creates a context.</summary>
    public OperationContext(SpaceSpec spec, Random rng)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        Rng = rng ?? throw new ArgumentNullException(nameof(rng));
    }

    /// <summary>The space.</summary>
    public SpaceSpec Spec { get; }

    /// <summary>The algorithm's random source.</summary>
    public Random Rng { get; }

    /// <summary>Number of reproductions so far (set by the algorithm).</summary>
    public int Step { get; set; }
}

/// <summary>
/// An evolutionary operation over a list of individuals (PyGlove's <c>pg.evolution.Operation</c>):
/// selectors, mutators and recombinators are all operations, composed with <c>|</c> (pipe),
/// <c>+</c> (concatenate the outputs of two operations on the same inputs), <c>*</c> (repeat) and
/// <see cref="Operation.WithProbability"/>.
/// </summary>
public interface IOperation
{
    /// <summary>Applies the operation.</summary>
    IReadOnlyList<Individual> Apply(IReadOnlyList<Individual> inputs, OperationContext context);
}

/// <summary>Base class of composable operations.</summary>
/// <example><code>var reproduce = Select.Random(10) | Select.Top(1) | Mutate.Uniform();</code></example>
public abstract class Operation : IOperation
{
    /// <inheritdoc />
    public abstract IReadOnlyList<Individual> Apply(IReadOnlyList<Individual> inputs, OperationContext context);

    /// <summary>Pipes the output of <paramref name="first"/> into <paramref name="second"/>.</summary>
    public static Operation operator |(Operation first, Operation second) => new Lambda("pipe", (xs, c) => second.Apply(first.Apply(xs, c), c));

    /// <summary>Applies both operations to the same inputs and concatenates their outputs.</summary>
    public static Operation operator +(Operation a, Operation b) => new Lambda("concat", (xs, c) => [.. a.Apply(xs, c), .. b.Apply(xs, c)]);

    /// <summary>Applies the operation <paramref name="times"/> times to the same inputs and concatenates the outputs.</summary>
    public static Operation operator *(Operation op, int times)
    {
        SearchAlgorithmBase.Require(times >= 1, nameof(times), "at least 1", times);
        return new Lambda("repeat", (xs, c) =>
        {
            var all = new List<Individual>();
            for (int i = 0; i < times; i++) all.AddRange(op.Apply(xs, c));
            return all;
        });
    }

    /// <summary>Applies this operation with probability <paramref name="probability"/>, otherwise passes the inputs through.</summary>
    public Operation WithProbability(double probability)
    {
        SearchAlgorithmBase.Require(probability is >= 0 and <= 1, nameof(probability), "in [0, 1]", probability);
        return new Lambda("with_probability", (xs, c) => c.Rng.NextDouble() < probability ? Apply(xs, c) : xs);
    }

    /// <summary>An operation from a function.</summary>
    public static Operation From(Func<IReadOnlyList<Individual>, OperationContext, IReadOnlyList<Individual>> apply) => new Lambda("lambda", apply);

    /// <summary>Passes the inputs through.</summary>
    public static Operation Identity { get; } = new Lambda("identity", (xs, _) => xs);

    private sealed class Lambda(string name, Func<IReadOnlyList<Individual>, OperationContext, IReadOnlyList<Individual>> apply) : Operation
    {
        public override IReadOnlyList<Individual> Apply(IReadOnlyList<Individual> inputs, OperationContext context) => apply(inputs, context);
        public override string ToString() => name;
    }
}

/// <summary>Selectors: operations that return a subset of their inputs (PyGlove's <c>pg.evolution.selectors</c>).</summary>
public static class Select
{
    private static void CheckN(int n) => SearchAlgorithmBase.Require(n >= 1, "n", "at least 1", n);

    /// <summary>n distinct inputs uniformly at random (all of them when there are fewer).</summary>
    public static Operation Random(int n)
    {
        CheckN(n);
        return Operation.From((xs, c) =>
        {
            if (xs.Count <= n) return xs;
            if (n * 4 <= xs.Count)
            {
                // Few out of many: rejection sampling without the full index array.
                var picked = new int[n];
                var result = new List<Individual>(n);
                for (int k = 0; k < n; k++)
                {
                    int r;
                    do r = c.Rng.Next(xs.Count); while (Array.IndexOf(picked, r, 0, k) >= 0);
                    picked[k] = r;
                    result.Add(xs[r]);
                }
                return result;
            }
            var idx = Enumerable.Range(0, xs.Count).ToArray();
            for (int i = 0; i < n; i++) { int r = i + c.Rng.Next(xs.Count - i); (idx[i], idx[r]) = (idx[r], idx[i]); }
            return idx.Take(n).Select(i => xs[i]).ToList();
        });
    }

    /// <summary>The n inputs with the highest first objective (ties keep input order).</summary>
    public static Operation Top(int n)
    {
        CheckN(n);
        return Operation.From((xs, _) =>
        {
            if (n == 1 && xs.Count > 0)
            {
                int best = 0;
                for (int i = 1; i < xs.Count; i++) if (xs[i].Fitness > xs[best].Fitness) best = i;
                return [xs[best]];
            }
            return xs.Select((x, i) => (x, i)).OrderByDescending(t => t.x.Fitness).ThenBy(t => t.i).Take(n).Select(t => t.x).ToList();
        });
    }

    /// <summary>The n inputs with the lowest first objective.</summary>
    public static Operation Bottom(int n)
    {
        CheckN(n);
        return Operation.From((xs, _) => xs.Select((x, i) => (x, i)).OrderBy(t => t.x.Fitness).ThenBy(t => t.i).Take(n).Select(t => t.x).ToList());
    }

    /// <summary>The first n inputs.</summary>
    public static Operation First(int n)
    {
        CheckN(n);
        return Operation.From((xs, _) => xs.Take(n).ToList());
    }

    /// <summary>The last n inputs (e.g. the regularized-evolution population: the n most recent).</summary>
    public static Operation Last(int n)
    {
        CheckN(n);
        return Operation.From((xs, _) => xs.Skip(Math.Max(0, xs.Count - n)).ToList());
    }

    /// <summary>n inputs drawn with replacement, with probability proportional to fitness minus the minimum (uniform when all are equal).</summary>
    public static Operation Proportional(int n)
    {
        CheckN(n);
        return Operation.From((xs, c) =>
        {
            if (xs.Count == 0) return xs;
            double min = xs.Min(x => x.Fitness);
            var w = xs.Select(x => double.IsFinite(x.Fitness) && double.IsFinite(min) ? x.Fitness - min : 0).ToArray();
            double total = w.Sum();
            var result = new List<Individual>(n);
            for (int k = 0; k < n; k++)
            {
                if (total <= 0) { result.Add(xs[c.Rng.Next(xs.Count)]); continue; }
                double u = c.Rng.NextDouble() * total;
                int i = 0;
                for (; i < w.Length - 1; i++) { u -= w[i]; if (u < 0) break; }
                result.Add(xs[i]);
            }
            return result;
        });
    }
}

/// <summary>Mutators: each input becomes one unevaluated child (PyGlove's <c>pg.evolution.mutators</c>).</summary>
public static class Mutate
{
    /// <summary>Re-samples one active decision (see <see cref="DnaOps.Mutate"/>).</summary>
    public static Operation Uniform() => Operation.From((xs, c) => xs.Select(x => new Individual(DnaOps.Mutate(c.Spec, x.Dna, c.Rng), null)).ToList());

    /// <summary>Swaps two positions of a permutation/ManyOf (see <see cref="DnaOps.SwapMutate"/>).</summary>
    public static Operation Swap() => Operation.From((xs, c) => xs.Select(x => new Individual(DnaOps.SwapMutate(c.Spec, x.Dna, c.Rng), null)).ToList());

    /// <summary>A user mutation function.</summary>
    public static Operation With(Func<SpaceSpec, Dna, Random, Dna> mutate)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        return Operation.From((xs, c) => xs.Select(x => new Individual(mutate(c.Spec, x.Dna, c.Rng), null)).ToList());
    }
}

/// <summary>
/// Recombinators: consecutive pairs of inputs (0,1), (2,3)... produce one child each; a lone input
/// passes through unchanged (PyGlove's <c>pg.evolution.recombinators</c>).
/// </summary>
public static class Recombine
{
    private static Operation Pairwise(Func<SpaceSpec, Dna, Dna, Random, Dna> cross) => Operation.From((xs, c) =>
    {
        if (xs.Count < 2) return xs;
        var children = new List<Individual>(xs.Count / 2);
        for (int i = 0; i + 1 < xs.Count; i += 2) children.Add(new Individual(cross(c.Spec, xs[i].Dna, xs[i + 1].Dna, c.Rng), null));
        return children;
    });

    /// <summary>Uniform crossover (each decision from either parent).</summary>
    public static Operation Uniform() => Pairwise(DnaOps.Crossover);

    /// <summary>K-point crossover over the decisions in depth-first order.</summary>
    public static Operation KPoint(int k = 1)
    {
        SearchAlgorithmBase.Require(k >= 1, nameof(k), "at least 1", k);
        return Pairwise((s, a, b, r) => DnaOps.KPointCrossover(s, a, b, k, r));
    }

    /// <summary>Order crossover (OX1) for permutations.</summary>
    public static Operation Order() => Pairwise((s, a, b, r) => DnaOps.PermutationCrossover(s, a, b, pmx: false, r));

    /// <summary>Partially mapped crossover (PMX) for permutations.</summary>
    public static Operation Pmx() => Pairwise((s, a, b, r) => DnaOps.PermutationCrossover(s, a, b, pmx: true, r));
}
