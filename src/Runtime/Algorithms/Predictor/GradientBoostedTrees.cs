namespace NasNotebooks.Runtime.Algorithms.Predictor;

/// <summary>
/// A small, deterministic gradient-boosted regression-tree model (squared loss, depth-limited trees,
/// histogram splits on at most 16 thresholds per feature) used as one member of the ensemble in
/// <see cref="PredictorGuidedEvolution"/>. Fitting uses no randomness: the same rows give the same model.
/// </summary>
internal sealed class GradientBoostedTrees
{
    private readonly int _trees, _depth, _minLeaf;
    private readonly double _learningRate;
    private double _base;
    // Flattened trees: per tree a complete binary tree of depth _depth; internal nodes store
    // (feature, threshold); a node with feature -1 is a leaf that stores its value.
    private int[] _feature = [];
    private double[] _threshold = [];
    private double[] _value = [];
    private int _nodesPerTree;

    public GradientBoostedTrees(int trees, int depth, double learningRate, int minLeaf)
    {
        _trees = trees; _depth = depth; _learningRate = learningRate; _minLeaf = minLeaf;
    }

    /// <summary>Fits on rows <paramref name="rows"/> of <paramref name="x"/> (duplicates allowed: a bootstrap sample).</summary>
    /// <param name="x">Feature rows.</param>
    /// <param name="y">Targets.</param>
    /// <param name="rows">Row indices to train on.</param>
    /// <param name="thresholds">Candidate split thresholds per feature (empty: the feature is never split on).</param>
    /// <param name="bins">Per row and feature, the number of thresholds strictly below the value (so value &gt; thresholds[f][b] iff bins &gt; b).</param>
    public void Fit(double[][] x, double[] y, int[] rows, double[][] thresholds, byte[][] bins)
    {
        int n = rows.Length, nf = thresholds.Length;
        _nodesPerTree = (1 << (_depth + 1)) - 1;
        _feature = new int[_trees * _nodesPerTree];
        _threshold = new double[_feature.Length];
        _value = new double[_feature.Length];
        Array.Fill(_feature, -1);
        _base = 0;
        for (int i = 0; i < n; i++) _base += y[rows[i]];
        _base /= Math.Max(1, n);
        var pred = new double[n];
        Array.Fill(pred, _base);
        var resid = new double[n];
        var idx = new int[n];
        var tmp = new int[n];
        var sum = new double[17];
        var cnt = new int[17];
        for (int t = 0; t < _trees; t++)
        {
            for (int i = 0; i < n; i++) { resid[i] = y[rows[i]] - pred[i]; idx[i] = i; }
            int off = t * _nodesPerTree;
            Build(off, 0, 0, idx, 0, n, resid, rows, thresholds, bins, nf, sum, cnt, tmp);
            for (int i = 0; i < n; i++) pred[i] += _learningRate * Eval(off, x[rows[i]]);
        }
    }

    private void Build(int off, int node, int level, int[] idx, int lo, int hi, double[] resid, int[] rows,
        double[][] thresholds, byte[][] bins, int nf, double[] sum, int[] cnt, int[] tmp)
    {
        int n = hi - lo;
        double total = 0;
        for (int i = lo; i < hi; i++) total += resid[idx[i]];
        _value[off + node] = n > 0 ? total / n : 0;
        if (level >= _depth || n < 2 * _minLeaf) return;
        double bestGain = 1e-12; int bestF = -1, bestB = -1;
        double parentScore = total * total / n;
        for (int f = 0; f < nf; f++)
        {
            int nb = thresholds[f].Length;
            if (nb == 0) continue;
            Array.Clear(sum, 0, nb + 1); Array.Clear(cnt, 0, nb + 1);
            for (int i = lo; i < hi; i++)
            {
                int r = idx[i];
                int b = bins[rows[r]][f];
                sum[b] += resid[r]; cnt[b]++;
            }
            double ls = 0; int lc = 0;
            for (int b = 0; b < nb; b++)
            {
                ls += sum[b]; lc += cnt[b];
                int rc = n - lc;
                if (lc < _minLeaf) continue;
                if (rc < _minLeaf) break;
                double rs = total - ls;
                double gain = ls * ls / lc + rs * rs / rc - parentScore;
                if (gain > bestGain) { bestGain = gain; bestF = f; bestB = b; }
            }
        }
        if (bestF < 0) return;
        // Partition idx[lo..hi) stably: left = bin <= bestB.
        int l = lo, k = 0;
        for (int i = lo; i < hi; i++)
        {
            int r = idx[i];
            if (bins[rows[r]][bestF] <= bestB) idx[l++] = r; else tmp[k++] = r;
        }
        Array.Copy(tmp, 0, idx, l, k);
        _feature[off + node] = bestF;
        _threshold[off + node] = thresholds[bestF][bestB];
        Build(off, 2 * node + 1, level + 1, idx, lo, l, resid, rows, thresholds, bins, nf, sum, cnt, tmp);
        Build(off, 2 * node + 2, level + 1, idx, l, hi, resid, rows, thresholds, bins, nf, sum, cnt, tmp);
    }

    private double Eval(int off, double[] row)
    {
        int node = 0;
        while (true)
        {
            int f = _feature[off + node];
            if (f < 0) return _value[off + node];
            node = row[f] <= _threshold[off + node] ? 2 * node + 1 : 2 * node + 2;
        }
    }

    /// <summary>The model's prediction for one feature row.</summary>
    public double Predict(double[] row)
    {
        double s = _base;
        for (int t = 0; t < _trees; t++) s += _learningRate * Eval(t * _nodesPerTree, row);
        return s;
    }
}
