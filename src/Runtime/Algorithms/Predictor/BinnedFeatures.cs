namespace NasNotebooks.Runtime.Algorithms.Predictor;

/// <summary>
/// The encoded feature rows of <see cref="PredictorGuidedEvolution"/>, binned for histogram tree
/// fitting and kept up to date as rows arrive (so a refit does not re-sort or re-bin the history).
/// Split thresholds of a feature are the midpoints between its distinct observed values, at most
/// <see cref="MaxThresholds"/> of them (evenly picked when there are more); a row's bin for a feature
/// is the number of thresholds strictly below its value, so value &gt; thresholds[f][b] iff bin &gt; b.
/// Besides the per-feature bin columns (for partitioning), <see cref="Refresh"/> builds a sparse
/// row-major list of each row's non-zero bins as histogram slots: one-hot features are zero (bin 0)
/// for all but one candidate of a choice, so a histogram pass touches a few slots per row instead of
/// every feature.
/// </summary>
internal sealed class BinnedFeatures
{
    /// <summary>At most this many split thresholds per feature.</summary>
    public const int MaxThresholds = 16;

    private readonly int _width;
    private readonly List<double[]> _rows = [];
    private readonly List<double>[] _distinct;
    private readonly bool[] _distinctChanged;
    private readonly byte[][] _bins;
    private int _binnedRows;
    private int[] _rowStart = [0];
    private int[] _slots = [];

    /// <summary>Creates an empty set of rows of <paramref name="width"/> features.</summary>
    public BinnedFeatures(int width)
    {
        _width = width;
        _distinct = new List<double>[width];
        for (int f = 0; f < width; f++) _distinct[f] = [];
        _distinctChanged = new bool[width];
        _bins = new byte[width][];
        for (int f = 0; f < width; f++) _bins[f] = new byte[16];
        Thresholds = new double[width][];
        for (int f = 0; f < width; f++) Thresholds[f] = [];
        SlotStart = new int[width + 1];
    }

    /// <summary>Number of rows added.</summary>
    public int Count => _rows.Count;

    /// <summary>Number of features per row.</summary>
    public int Width => _width;

    /// <summary>The feature row <paramref name="i"/> as added.</summary>
    public double[] Row(int i) => _rows[i];

    /// <summary>Per feature, its split thresholds in increasing order (empty: never split on). Valid after <see cref="Refresh"/>.</summary>
    public double[][] Thresholds { get; }

    /// <summary>Per feature, its first histogram slot (the slot of bin b is SlotStart[f] + b); SlotStart[Width] is the slot count.</summary>
    public int[] SlotStart { get; }

    /// <summary>Number of histogram slots (one per bin of every feature).</summary>
    public int SlotCount => SlotStart[_width];

    /// <summary>The bin of row <paramref name="row"/> for feature <paramref name="feature"/>.</summary>
    public int Bin(int feature, int row) => _bins[feature][row];

    /// <summary>Per feature, the bin of every row (index by row; longer than <see cref="Count"/>).</summary>
    public byte[][] BinColumns => _bins;

    /// <summary>Row r's non-zero bins are the slots <c>Slots[RowStart[r]..RowStart[r+1])</c>.</summary>
    public int[] RowStart => _rowStart;

    /// <summary>Histogram slots of the non-zero bins, row after row (see <see cref="RowStart"/>).</summary>
    public int[] Slots => _slots;

    /// <summary>Adds a feature row (kept by reference; must not change afterwards).</summary>
    public void Add(double[] row)
    {
        _rows.Add(row);
        for (int f = 0; f < _width; f++)
        {
            var d = _distinct[f];
            int at = d.BinarySearch(row[f]);
            if (at < 0) { d.Insert(~at, row[f]); _distinctChanged[f] = true; }
        }
    }

    /// <summary>Brings thresholds, bins and slots up to date with the rows added.</summary>
    public void Refresh()
    {
        int n = _rows.Count;
        for (int f = 0; f < _width; f++)
        {
            var col = _bins[f];
            if (col.Length < n)
            {
                Array.Resize(ref col, Math.Max(n, 2 * col.Length));
                _bins[f] = col;
            }
            int from = _binnedRows;
            if (_distinctChanged[f])
            {
                _distinctChanged[f] = false;
                var th = ThresholdsOf(_distinct[f]);
                if (!th.AsSpan().SequenceEqual(Thresholds[f])) { Thresholds[f] = th; from = 0; }
            }
            var t = Thresholds[f];
            for (int r = from; r < n; r++) col[r] = BinOf(t, _rows[r][f]);
        }
        _binnedRows = n;
        for (int f = 0; f < _width; f++) SlotStart[f + 1] = SlotStart[f] + (Thresholds[f].Length == 0 ? 0 : Thresholds[f].Length + 1);

        // Sparse rows: the slots of the non-zero bins.
        if (_rowStart.Length < n + 1) _rowStart = new int[Math.Max(n + 1, 2 * _rowStart.Length)];
        int k = 0;
        for (int r = 0; r < n; r++)
        {
            _rowStart[r] = k;
            for (int f = 0; f < _width; f++)
            {
                int b = _bins[f][r];
                if (b == 0) continue;
                if (k == _slots.Length) Array.Resize(ref _slots, Math.Max(64, 2 * _slots.Length));
                _slots[k++] = SlotStart[f] + b;
            }
        }
        _rowStart[n] = k;
    }

    // Midpoints between distinct values, at most MaxThresholds (evenly picked).
    private static double[] ThresholdsOf(List<double> distinct)
    {
        int m = Math.Max(0, distinct.Count - 1);
        if (m <= MaxThresholds)
        {
            var mids = new double[m];
            for (int i = 0; i < m; i++) mids[i] = 0.5 * (distinct[i] + distinct[i + 1]);
            return mids;
        }
        var pick = new double[MaxThresholds];
        for (int j = 0; j < MaxThresholds; j++)
        {
            int i = (int)((j + 0.5) * m / MaxThresholds);
            pick[j] = 0.5 * (distinct[i] + distinct[i + 1]);
        }
        return pick;
    }

    private static byte BinOf(double[] thresholds, double value)
    {
        int k = 0;
        while (k < thresholds.Length && value > thresholds[k]) k++;
        return (byte)k;
    }
}
