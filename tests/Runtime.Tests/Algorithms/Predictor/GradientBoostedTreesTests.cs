using NasNotebooks.Runtime.Algorithms.Predictor;

namespace NasNotebooks.Runtime.Tests.Algorithms.Predictor;

/// <summary>
/// The histogram tree fitting of <see cref="GradientBoostedTrees"/> (sparse rows, weighted rows,
/// sibling histograms by subtraction) against a direct reference: every split of every node scored
/// by summing the residuals of the rows on each side, with weighted rows expanded into repeats.
/// </summary>
public class GradientBoostedTreesTests
{
    // Rows like bananas' encodings: one-hot groups, an ordinal and a float feature with its active flag.
    private static double[] RandomRow(Random rng)
    {
        var x = new double[5 + 5 + 1 + 2];
        x[rng.Next(5)] = 1;
        int k = rng.Next(5);
        x[5 + k] = 1;
        x[10] = (k + 1.0) / 5;
        x[11] = rng.NextDouble();
        x[12] = 1;
        return x;
    }

    private static double Target(double[] x, Random rng) =>
        2 * x[1] - x[3] + 3 * x[11] * x[7] + (x[11] > 0.5 ? 0.5 : 0) + 0.3 * (rng.NextDouble() - 0.5);

    [Theory]
    [InlineData(20, 1)]
    [InlineData(150, 2)]
    [InlineData(600, 3)]
    public void Fit_MatchesTheDirectReference_WithWeightsCountingAsRepeats(int n, int seed)
    {
        var rng = new Random(seed);
        var data = new BinnedFeatures(13);
        var rowsX = new List<double[]>();
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            var x = RandomRow(rng);
            rowsX.Add(x);
            data.Add(x);
            y[i] = Target(x, rng);
        }
        data.Refresh();
        // A bootstrap-like sample: distinct rows with multiplicities.
        var drawn = new int[n];
        for (int i = 0; i < n; i++) drawn[rng.Next(n)]++;
        var rows = Enumerable.Range(0, n).Where(i => drawn[i] > 0).ToArray();
        var weights = rows.Select(i => drawn[i]).ToArray();

        var model = new GradientBoostedTrees(trees: 20, depth: 3, learningRate: 0.2, minLeaf: 2);
        model.Fit(data, y, rows, weights);
        var expanded = rows.SelectMany(r => Enumerable.Repeat(r, drawn[r])).ToArray();
        var reference = new ReferenceTrees(20, 3, 0.2, 2, data.Thresholds);
        reference.Fit(rowsX, y, expanded);

        foreach (int r in rows)
        {
            double a = model.Predict(rowsX[r]), b = reference.Predict(rowsX[r]);
            Assert.True(Math.Abs(a - b) < 1e-9, $"row {r}: histogram fit {a:R}, reference {b:R}");
        }
        // And it learned something: the training error is well below the targets' spread.
        double mean = rows.Average(r => y[r]);
        double sse = rows.Sum(r => Math.Pow(model.Predict(rowsX[r]) - y[r], 2)), sst = rows.Sum(r => Math.Pow(y[r] - mean, 2));
        Assert.True(sse < 0.5 * sst, $"training SSE {sse:F3} vs total {sst:F3}");
    }

    [Fact]
    public void Thresholds_AreMidpointsOfDistinctValues_AtMost16_AndBinsCountThresholdsBelow()
    {
        var data = new BinnedFeatures(2);
        var rng = new Random(5);
        var rows = new List<double[]>();
        for (int i = 0; i < 100; i++)
        {
            var x = new[] { (double)(i % 3), rng.NextDouble() };
            rows.Add(x);
            data.Add(x);
            if (i == 40) data.Refresh(); // a refresh part-way must not leave stale bins behind
        }
        data.Refresh();
        Assert.Equal([0.5, 1.5], data.Thresholds[0]);
        Assert.Equal(BinnedFeatures.MaxThresholds, data.Thresholds[1].Length);
        for (int r = 0; r < rows.Count; r++)
            for (int f = 0; f < 2; f++)
                Assert.Equal(data.Thresholds[f].Count(t => rows[r][f] > t), data.Bin(f, r));
    }

    // Straightforward boosting: every node scores every threshold of every feature by direct sums.
    private sealed class ReferenceTrees(int trees, int depth, double learningRate, int minLeaf, double[][] thresholds)
    {
        private readonly List<Node> _roots = [];
        private double _base;

        private sealed class Node
        {
            public int Feature = -1;
            public double Threshold, Value;
            public Node? Left, Right;
        }

        public void Fit(List<double[]> x, double[] y, int[] rows)
        {
            _base = rows.Average(r => y[r]);
            var pred = rows.Select(_ => _base).ToArray();
            for (int t = 0; t < trees; t++)
            {
                var resid = rows.Select((r, i) => y[r] - pred[i]).ToArray();
                var root = Build(x, rows, resid, Enumerable.Range(0, rows.Length).ToList(), 0);
                _roots.Add(root);
                for (int i = 0; i < rows.Length; i++) pred[i] += learningRate * Eval(root, x[rows[i]]);
            }
        }

        private Node Build(List<double[]> x, int[] rows, double[] resid, List<int> members, int level)
        {
            int n = members.Count;
            double total = members.Sum(i => resid[i]);
            var node = new Node { Value = n > 0 ? total / n : 0 };
            if (level >= depth || n < 2 * minLeaf) return node;
            double bestGain = 1e-12;
            for (int f = 0; f < thresholds.Length; f++)
                foreach (double th in thresholds[f])
                {
                    var left = members.Where(i => x[rows[i]][f] <= th).ToList();
                    int lc = left.Count, rc = n - lc;
                    if (lc < minLeaf || rc < minLeaf) continue;
                    double ls = left.Sum(i => resid[i]), rs = total - ls;
                    double gain = ls * ls / lc + rs * rs / rc - total * total / n;
                    if (gain > bestGain) { bestGain = gain; node.Feature = f; node.Threshold = th; }
                }
            if (node.Feature < 0) return node;
            node.Left = Build(x, rows, resid, members.Where(i => x[rows[i]][node.Feature] <= node.Threshold).ToList(), level + 1);
            node.Right = Build(x, rows, resid, members.Where(i => x[rows[i]][node.Feature] > node.Threshold).ToList(), level + 1);
            return node;
        }

        private static double Eval(Node node, double[] row)
        {
            while (node.Feature >= 0) node = row[node.Feature] <= node.Threshold ? node.Left! : node.Right!;
            return node.Value;
        }

        public double Predict(double[] row) => _base + _roots.Sum(r => learningRate * Eval(r, row));
    }
}
