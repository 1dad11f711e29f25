using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// The objectives other than NB201's valid accuracy on which search algorithms are compared (`bananas-ranking` at 100
/// evaluations, `long-runs` at large budgets): noisy NB201, NK landscapes (with an exact optimum), NB201's test column.
/// </summary>
internal static class BenchObjectives
{
    // An objective per seed: the space, and per DNA the reward the algorithm sees and the true value scored.
    public sealed record Objective(string Name, string Measure, bool LowerIsBetter, Func<int, SpaceSpec> Space, Func<int, SpaceSpec, Problem> Make);

    public sealed record Problem(Func<Dna, (double Reward, double True)> Evaluate, Func<double, double> Score);

    /// <summary>
    /// One search of <paramref name="objective"/> by <paramref name="algorithm"/>: the score of the best observed (by the
    /// reward the algorithm sees) after each of <paramref name="budgets"/> evaluations (ascending).
    /// </summary>
    public static double[] Run(Objective objective, ISearchAlgorithm algorithm, int seed, int[] budgets)
    {
        var spec = objective.Space(seed);
        var problem = objective.Make(seed, spec);
        algorithm.Setup(spec);
        double bestReward = double.NegativeInfinity, trueOfBest = double.NaN;
        var at = new double[budgets.Length];
        for (int t = 1, b = 0; t <= budgets[^1]; t++)
        {
            var dna = algorithm.Propose();
            var (reward, truth) = problem.Evaluate(dna);
            if (reward > bestReward) { bestReward = reward; trueOfBest = truth; }
            algorithm.Feedback(dna, reward);
            if (t == budgets[b]) at[b++] = problem.Score(trueOfBest);
        }
        return at;
    }

    /// <summary>NB201 valid accuracy + Gaussian noise (sd 0.5, a fixed function of seed and architecture), scored by the true valid accuracy of the best observed.</summary>
    public static Objective Noisy(Nb201Table table) => new("noisy NB201", "true cifar10_valid_acc of the best observed under noise sd 0.5", false,
        _ => Nb201Space.Spec(),
        (seed, _) => new Problem(dna =>
        {
            var rec = table[dna];
            var rng = new Random(seed * 1_000_003 + rec.Index * 17 + 1);
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            return (rec.ValidAccuracy + 0.5 * g, rec.ValidAccuracy);
        }, v => v));

    /// <summary>NB201 searched on its test column; the best test accuracy found.</summary>
    public static Objective OnTest(Nb201Table table) => new("NB201 on the test column", "best cifar10_test_acc found", false,
        _ => Nb201Space.Spec(),
        (_, _) => new Problem(dna => { double y = table[dna].TestAccuracy; return (y, y); }, v => v));

    // NK landscape on a cycle: n decisions of 5 choices; term i depends on decisions i..i+k (mod n), random tables per seed.
    public static Objective Nk(int n, int k, double noise = 0, SpaceSpec? space = null) => new(noise > 0 ? $"NK n={n} k={k}, reward noise sd {noise}" : $"NK n={n} k={k}",
        noise > 0 ? "regret of the true value of the best observed" : "regret from the optimum", true,
        _ =>
        {
            if (space is not null) return space;
            var b = Space.Dict();
            for (int i = 0; i < n; i++) b.OneOf($"x{i}", 0, 1, 2, 3, 4);
            return Space.Spec(b.Build());
        },
        (seed, _) =>
        {
            // The 6x5 k=1 tables are drawn as in the ranking check (tests/.../RankingCheck.cs), so the @100 figures compare.
            var wr = new Random(1000 + seed + (n == 6 && k == 1 ? 0 : 7919 * n + k));
            int arity = (int)Math.Pow(5, k + 1);
            var w = new double[n, arity];
            for (int i = 0; i < n; i++) for (int a = 0; a < arity; a++) w[i, a] = wr.NextDouble();
            double F(Dna d)
            {
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + d.Children[(i + j) % n].Index;
                    s += w[i, code];
                }
                return s;
            }
            double opt = NkOptimum(w, n, k);
            return new Problem(d =>
            {
                double f = F(d);
                if (noise == 0) return (f, f);
                // A fixed function of seed and point (not HashCode, which .NET seeds per process).
                long point = 0;
                for (int i = 0; i < n; i++) point = point * 5 + d.Children[i].Index;
                var rng = new Random(unchecked((int)((point * 2_654_435_761L + seed * 1_000_003L) % int.MaxValue)));
                double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                return (f + noise * g, f);
            }, v => opt - v);
        });

    // Exact optimum of the cyclic NK function: fix the first k decisions, then dynamic programming over
    // the last k chosen values; the k wrap-around terms are added at the end.
    private static double NkOptimum(double[,] w, int n, int k)
    {
        int states = (int)Math.Pow(5, k);
        double best = double.NegativeInfinity;
        for (int head = 0; head < states; head++)
        {
            var headDigits = Digits(head, k);
            // value[s]: best sum of the terms fully inside decisions 0..j, with s = the last k values.
            var value = new double[states];
            Array.Fill(value, double.NegativeInfinity);
            value[head] = 0;
            for (int j = k; j < n; j++)
            {
                var next = new double[states];
                Array.Fill(next, double.NegativeInfinity);
                for (int s = 0; s < states; s++)
                {
                    if (double.IsNegativeInfinity(value[s])) continue;
                    for (int x = 0; x < 5; x++)
                    {
                        int code = s * 5 + x; // decisions j-k..j
                        int ns = code % states;
                        double v = value[s] + w[j - k, code];
                        if (v > next[ns]) next[ns] = v;
                    }
                }
                value = next;
            }
            for (int s = 0; s < states; s++)
            {
                if (double.IsNegativeInfinity(value[s])) continue;
                // Wrap-around terms i = n-k..n-1 read the last values then the head.
                var tail = Digits(s, k);
                var seq = tail.Concat(headDigits).ToArray();
                double v = value[s];
                for (int t = 0; t < k; t++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + seq[t + j];
                    v += w[n - k + t, code];
                }
                best = Math.Max(best, v);
            }
        }
        return best;
    }

    // Self-check of NkOptimum: 6 decisions, k = 1 and 2, against the maximum over all 15,625 points.
    public static bool NkOptimumAgreesWithEnumeration()
    {
        for (int k = 1; k <= 2; k++)
        {
            const int n = 6;
            int arity = (int)Math.Pow(5, k + 1);
            var w = new double[n, arity];
            var rng = new Random(17 + k);
            for (int i = 0; i < n; i++) for (int a = 0; a < arity; a++) w[i, a] = rng.NextDouble();
            double best = double.NegativeInfinity;
            var x = new int[n];
            for (int point = 0; point < 15625; point++)
            {
                for (int i = 0, c = point; i < n; i++, c /= 5) x[i] = c % 5;
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    int code = 0;
                    for (int j = 0; j <= k; j++) code = code * 5 + x[(i + j) % n];
                    s += w[i, code];
                }
                best = Math.Max(best, s);
            }
            if (Math.Abs(best - NkOptimum(w, n, k)) > 1e-9) return false;
        }
        return true;
    }

    private static int[] Digits(int code, int k)
    {
        var d = new int[k];
        for (int i = k - 1; i >= 0; i--) { d[i] = code % 5; code /= 5; }
        return d;
    }
}
