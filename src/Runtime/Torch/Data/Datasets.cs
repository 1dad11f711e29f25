using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace NasNotebooks.Runtime.Torch;

/// <summary>Loaders for the digits, MNIST and CIFAR-10 data sets from user-given files.</summary>
public static class Datasets
{
    /// <summary>Environment variable naming the digits file when no path is given.</summary>
    public const string DigitsPathVariable = "NAS_DIGITS_PATH";

    /// <summary>
    /// Loads the UCI/scikit-learn digits (<c>digits.csv.gz</c> or <c>.csv</c>: 1,797 rows of 64 integers
    /// 0..16 then the label) and splits it with a seeded shuffle: the first ⌈(1 − testFraction)·n⌉ shuffled
    /// rows train, the rest test. Pixels are divided by 16, then standardized with the training mean and
    /// standard deviation when <paramref name="standardize"/>.
    /// </summary>
    /// <param name="path">The file; null uses <see cref="DigitsPathVariable"/>.</param>
    /// <param name="seed">Seed of the split's shuffle (same seed, same split).</param>
    /// <param name="testFraction">Share of rows for the test set, in (0, 1).</param>
    /// <param name="layout">[1, 8, 8] images or [64] vectors.</param>
    /// <param name="standardize">Standardize with training statistics after scaling to [0, 1].</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A row is malformed (the message names the line).</exception>
    public static DataSplit LoadDigits(string? path = null, int seed = 0, double testFraction = 0.2,
        DataLayout layout = DataLayout.Image, bool standardize = true)
    {
        path ??= Environment.GetEnvironmentVariable(DigitsPathVariable)
            ?? throw new ArgumentException($"No digits path given and {DigitsPathVariable} is not set.", nameof(path));
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Digits file not found: '{path}' (expected digits.csv.gz: 64 pixel values 0..16 then the label per row).", path);
        }
        if (testFraction is <= 0 or >= 1 || double.IsNaN(testFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }
        var features = new List<float>();
        var labels = new List<long>();
        using (Stream file = File.OpenRead(path))
        using (Stream data = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file)
        using (var reader = new StreamReader(data))
        {
            string? line;
            int lineNo = 0;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (line.Length == 0)
                {
                    continue;
                }
                string[] cells = line.Split(',');
                if (cells.Length != 65)
                {
                    throw new InvalidDataException($"{path}:{lineNo}: expected 65 comma-separated integers (64 pixels, label), got {cells.Length}.");
                }
                for (int i = 0; i < 65; i++)
                {
                    if (!int.TryParse(cells[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 0 || (i < 64 ? v > 16 : v > 9))
                    {
                        throw new InvalidDataException($"{path}:{lineNo}: value {i + 1} '{cells[i]}' is not an integer in {(i < 64 ? "0..16" : "0..9")}.");
                    }
                    if (i < 64)
                    {
                        features.Add(v / 16f);
                    }
                    else
                    {
                        labels.Add(v);
                    }
                }
            }
        }
        if (labels.Count < 2)
        {
            throw new InvalidDataException($"{path}: needs at least 2 rows, found {labels.Count}.");
        }
        var all = new TensorDataset(features.ToArray(), labels.ToArray(), [1, 8, 8], 10);
        var split = SeededSplit(all, seed, testFraction, "digits");
        if (standardize)
        {
            split = split.Standardize();
        }
        return layout == DataLayout.Flat ? split.AsFlat() : split;
    }

    /// <summary>Splits <paramref name="all"/> with a Fisher–Yates shuffle seeded by <paramref name="seed"/>.</summary>
    public static DataSplit SeededSplit(TensorDataset all, int seed, double testFraction, string name)
    {
        ArgumentNullException.ThrowIfNull(all);
        int[] order = Enumerable.Range(0, all.Count).ToArray();
        var rng = new Random(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int train = (int)Math.Ceiling((1 - testFraction) * order.Length);
        train = Math.Clamp(train, 1, order.Length - 1);
        return new DataSplit(all.Subset(order[..train]), all.Subset(order[train..]), name);
    }

    /// <summary>
    /// Loads MNIST-style IDX files (images: magic 0x00000803, count, rows, cols, then bytes; labels:
    /// magic 0x00000801, count, then bytes), optionally gzip-compressed (<c>.gz</c>). Pixels are scaled to
    /// [0, 1]; samples are [1, rows, cols] images (or flat with <paramref name="layout"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated file, counts that disagree or a label above 9.</exception>
    public static TensorDataset LoadMnist(string imagesPath, string labelsPath, DataLayout layout = DataLayout.Image)
    {
        byte[] images = ReadAll(imagesPath, "MNIST images (IDX, e.g. train-images-idx3-ubyte)");
        byte[] labelBytes = ReadAll(labelsPath, "MNIST labels (IDX, e.g. train-labels-idx1-ubyte)");
        if (images.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(images) != 0x803)
        {
            throw new InvalidDataException($"{imagesPath}: not an IDX image file (expected magic number 0x00000803 and a 16-byte header).");
        }
        if (labelBytes.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(labelBytes) != 0x801)
        {
            throw new InvalidDataException($"{labelsPath}: not an IDX label file (expected magic number 0x00000801 and an 8-byte header).");
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4));
        int rows = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8));
        int cols = BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12));
        int labelCount = BinaryPrimitives.ReadInt32BigEndian(labelBytes.AsSpan(4));
        if (count < 0 || rows < 1 || cols < 1)
        {
            throw new InvalidDataException($"{imagesPath}: invalid header (count {count}, rows {rows}, cols {cols}).");
        }
        long expected = 16L + (long)count * rows * cols;
        if (images.LongLength != expected)
        {
            throw new InvalidDataException($"{imagesPath}: header says {count} images of {rows}x{cols} ({expected} bytes) but the file has {images.LongLength} bytes.");
        }
        if (labelBytes.LongLength != 8L + labelCount)
        {
            throw new InvalidDataException($"{labelsPath}: header says {labelCount} labels ({8L + labelCount} bytes) but the file has {labelBytes.LongLength} bytes.");
        }
        if (labelCount != count)
        {
            throw new InvalidDataException($"{imagesPath} has {count} images but {labelsPath} has {labelCount} labels.");
        }
        var f = new float[(long)count * rows * cols];
        for (long i = 0; i < f.LongLength; i++)
        {
            f[i] = images[16 + i] / 255f;
        }
        var l = new long[count];
        for (int i = 0; i < count; i++)
        {
            l[i] = labelBytes[8 + i];
            if (l[i] > 9)
            {
                throw new InvalidDataException($"{labelsPath}: label {l[i]} of sample {i} is not a digit 0..9.");
            }
        }
        var set = new TensorDataset(f, l, [1, rows, cols], 10);
        return layout == DataLayout.Flat ? set.Reshape(set.SampleSize) : set;
    }

    /// <summary>
    /// Loads CIFAR-10 binary batches (<c>data_batch_1.bin</c> … <c>test_batch.bin</c>): records of one label
    /// byte (0..9) and 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, row-major 32×32).
    /// Pixels are scaled to [0, 1]; samples are [3, 32, 32] images.
    /// </summary>
    /// <exception cref="ArgumentException">No files given.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file's size is not a multiple of 3,073 bytes, or a label above 9.</exception>
    public static TensorDataset LoadCifar10(IReadOnlyList<string> batchPaths, DataLayout layout = DataLayout.Image)
    {
        ArgumentNullException.ThrowIfNull(batchPaths);
        if (batchPaths.Count == 0)
        {
            throw new ArgumentException("Give at least one CIFAR-10 binary batch file (e.g. data_batch_1.bin).", nameof(batchPaths));
        }
        const int record = 1 + 3 * 32 * 32;
        var files = batchPaths.Select(p => (Path: p, Bytes: ReadAll(p, "CIFAR-10 binary batch (e.g. data_batch_1.bin)"))).ToList();
        foreach (var (p, bytes) in files)
        {
            if (bytes.Length == 0 || bytes.Length % record != 0)
            {
                throw new InvalidDataException($"{p}: {bytes.Length} bytes is not a whole number of CIFAR-10 records of {record} bytes (1 label + 3072 pixels).");
            }
        }
        int count = files.Sum(x => x.Bytes.Length / record);
        var f = new float[(long)count * (record - 1)];
        var l = new long[count];
        int n = 0;
        foreach (var (p, bytes) in files)
        {
            for (int r = 0; r < bytes.Length / record; r++, n++)
            {
                int o = r * record;
                l[n] = bytes[o];
                if (l[n] > 9)
                {
                    throw new InvalidDataException($"{p}: record {r} has label {l[n]}; CIFAR-10 labels are 0..9.");
                }
                for (int k = 0; k < record - 1; k++)
                {
                    f[(long)n * (record - 1) + k] = bytes[o + 1 + k] / 255f;
                }
            }
        }
        var set = new TensorDataset(f, l, [3, 32, 32], 10);
        return layout == DataLayout.Flat ? set.Reshape(set.SampleSize) : set;
    }

    private static byte[] ReadAll(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} not found: '{path}'.", path);
        }
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return File.ReadAllBytes(path);
        }
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        try
        {
            gz.CopyTo(ms);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message}).", e);
        }
        return ms.ToArray();
    }
}
