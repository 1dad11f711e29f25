namespace NasNotebooks.Runtime.Algorithms.Predictor;

/// <summary>
/// A small, deterministic gradient-boosted regression-tree model (squared loss, depth-limited trees,
/// histogram splits on the thresholds of <see cref="BinnedFeatures"/>) used as one member of the
/// ensemble in <see cref="PredictorGuidedEvolution"/>. Fitting uses no randomness: the same rows
/// give the same model. Rows come with integer weights (a bootstrap sample's multiplicities), which
/// count exactly like repeated rows. Histograms are built from each row's non-zero bins only (bin 0
/// of a feature is the node's total minus its other bins), and of two sibling nodes only the smaller
/// one is counted: the other is its parent's histogram minus it (as in LightGBM).
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

    // Fitting state (per position p of the training rows).
    private BinnedFeatures _data = null!;
    private int[] _rows = [], _weight = [], _idx = [], _tmp = [];
    private double[] _pred = [], _weightedResid = [];
    private double[] _histSum = [];
    private int[] _histCount = [];
    private int _slots;

    public GradientBoostedTrees(int trees, int depth, double learningRate, int minLeaf)
    {
        _trees = trees; _depth = depth; _learningRate = learningRate; _minLeaf = minLeaf;
    }

    /// <summary>Fits on rows <paramref name="rows"/> of <paramref name="data"/> with weights <paramref name="weights"/>.</summary>
    /// <param name="data">Binned feature rows (refreshed).</param>
    /// <param name="y">Targets per row of <paramref name="data"/>.</param>
    /// <param name="rows">Distinct row indices to train on.</param>
    /// <param name="weights">Positive integer weight of each of <paramref name="rows"/> (how often it was drawn).</param>
    public void Fit(BinnedFeatures data, double[] y, int[] rows, int[] weights)
    {
        int u = rows.Length;
        _data = data; _rows = rows; _weight = weights;
        _nodesPerTree = (1 << (_depth + 1)) - 1;
        _feature = new int[_trees * _nodesPerTree];
        _threshold = new double[_feature.Length];
        _value = new double[_feature.Length];
        Array.Fill(_feature, -1);
        double sum = 0; long count = 0;
        for (int p = 0; p < u; p++) { sum += weights[p] * y[rows[p]]; count += weights[p]; }
        _base = count > 0 ? sum / count : 0;
        _pred = new double[u];
        Array.Fill(_pred, _base);
        _weightedResid = new double[u];
        _idx = new int[u];
        _tmp = new int[u];
        _slots = data.SlotCount;
        int internalNodes = (1 << _depth) - 1;
        _histSum = new double[internalNodes * _slots];
        _histCount = new int[internalNodes * _slots];
        for (int t = 0; t < _trees; t++)
        {
            double total = 0;
            for (int p = 0; p < u; p++)
            {
                double wr = weights[p] * (y[rows[p]] - _pred[p]);
                _weightedResid[p] = wr;
                total += wr;
                _idx[p] = p;
            }
            int off = t * _nodesPerTree;
            if (_depth > 0 && count >= 2 * _minLeaf) Histogram(0, 0, u);
            Build(off, 0, 0, 0, u, total, count);
        }
        _rows = _weight = _idx = _tmp = _histCount = [];
        _pred = _weightedResid = _histSum = [];
        _data = null!;
    }

    // Histogram of positions _idx[lo..hi) into the slots of internal node `node`: per slot the sum of
    // weighted residuals and the weight of the rows in that bin (bin-0 slots stay unused).
    private void Histogram(int node, int lo, int hi)
    {
        int h = node * _slots;
        Array.Clear(_histSum, h, _slots);
        Array.Clear(_histCount, h, _slots);
        var rowStart = _data.RowStart;
        var slots = _data.Slots;
        for (int i = lo; i < hi; i++)
        {
            int p = _idx[i], r = _rows[p], w = _weight[p];
            double wr = _weightedResid[p];
            for (int k = rowStart[r], end = rowStart[r + 1]; k < end; k++)
            {
                int s = h + slots[k];
                _histSum[s] += wr;
                _histCount[s] += w;
            }
        }
    }

    private void Build(int off, int node, int level, int lo, int hi, double total, long count)
    {
        double value = count > 0 ? total / count : 0;
        _value[off + node] = value;
        if (level >= _depth || count < 2 * _minLeaf) { Leaf(value, lo, hi); return; }
        var (bestF, bestB, leftSum, leftCount) = BestSplit(node, total, count);
        if (bestF < 0) { Leaf(value, lo, hi); return; }
        // Partition _idx[lo..hi) stably: left = bin <= bestB.
        var col = _data.BinColumns[bestF];
        int l = lo, k = 0;
        for (int i = lo; i < hi; i++)
        {
            int p = _idx[i];
            if (col[_rows[p]] <= bestB) _idx[l++] = p; else _tmp[k++] = p;
        }
        Array.Copy(_tmp, 0, _idx, l, k);
        _feature[off + node] = bestF;
        _threshold[off + node] = _data.Thresholds[bestF][bestB];
        int left = 2 * node + 1, right = 2 * node + 2;
        double rightSum = total - leftSum;
        long rightCount = count - leftCount;
        if (level + 1 < _depth)
        {
            // Count the smaller child; the larger one is the parent minus it.
            bool leftSmaller = l - lo <= hi - l;
            int small = leftSmaller ? left : right, large = leftSmaller ? right : left;
            if (leftSmaller) Histogram(small, lo, l); else Histogram(small, l, hi);
            int hp = node * _slots, hs = small * _slots, hl = large * _slots;
            for (int s = 0; s < _slots; s++)
            {
                _histSum[hl + s] = _histSum[hp + s] - _histSum[hs + s];
                _histCount[hl + s] = _histCount[hp + s] - _histCount[hs + s];
            }
        }
        Build(off, left, level + 1, lo, l, leftSum, leftCount);
        Build(off, right, level + 1, l, hi, rightSum, rightCount);
    }

    private (int Feature, int Bin, double LeftSum, long LeftCount) BestSplit(int node, double total, long count)
    {
        int h = node * _slots;
        var thresholds = _data.Thresholds;
        var slotStart = _data.SlotStart;
        double bestGain = 1e-12, bestLeftSum = 0;
        int bestF = -1, bestB = -1;
        long bestLeftCount = 0;
        double parentScore = total * total / count;
        for (int f = 0; f < thresholds.Length; f++)
        {
            int nb = thresholds[f].Length;
            if (nb == 0) continue;
            int s0 = h + slotStart[f];
            // Bin 0 holds what the other bins do not.
            double other = 0; long otherCount = 0;
            for (int b = 1; b <= nb; b++) { other += _histSum[s0 + b]; otherCount += _histCount[s0 + b]; }
            double ls = total - other;
            long lc = count - otherCount;
            for (int b = 0; b < nb; b++)
            {
                if (b > 0) { ls += _histSum[s0 + b]; lc += _histCount[s0 + b]; }
                long rc = count - lc;
                if (lc < _minLeaf) continue;
                if (rc < _minLeaf) break;
                double rs = total - ls;
                double gain = ls * ls / lc + rs * rs / rc - parentScore;
                if (gain > bestGain) { bestGain = gain; bestF = f; bestB = b; bestLeftSum = ls; bestLeftCount = lc; }
            }
        }
        return (bestF, bestB, bestLeftSum, bestLeftCount);
    }

    private void Leaf(double value, int lo, int hi)
    {
        double step = _learningRate * value;
        for (int i = lo; i < hi; i++) _pred[_idx[i]] += step;
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
