namespace NasNotebooks.Runtime.Torch;

/// <summary>How samples are shaped: images [C, H, W] or flat feature vectors.</summary>
public enum DataLayout
{
    /// <summary>Images of shape [C, H, W] (digits: [1, 8, 8]).</summary>
    Image,
    /// <summary>Flat vectors of C·H·W features (digits: [64]).</summary>
    Flat,
}

/// <summary>
/// An in-memory classification data set: features as float32 (row-major, one sample after another)
/// and integer labels in [0, <see cref="ClassCount"/>). Immutable; moved to a device by the trainer.
/// </summary>
public sealed class TensorDataset
{
    private readonly float[] features;
    private readonly long[] labels;

    /// <summary>Creates a data set; <paramref name="features"/> holds Count × prod(sampleShape) values.</summary>
    /// <exception cref="ArgumentException">Lengths or labels are inconsistent.</exception>
    public TensorDataset(float[] features, long[] labels, IReadOnlyList<long> sampleShape, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(d => d < 1))
        {
            throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] must have positive dimensions.", nameof(sampleShape));
        }
        long per = sampleShape.Aggregate(1L, (a, b) => a * b);
        if (features.LongLength != per * labels.LongLength)
        {
            throw new ArgumentException(
                $"{features.LongLength} feature values do not make {labels.LongLength} samples of shape [{string.Join(", ", sampleShape)}].",
                nameof(features));
        }
        if (classCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be at least 1.");
        }
        for (long i = 0; i < labels.LongLength; i++)
        {
            if (labels[i] < 0 || labels[i] >= classCount)
            {
                throw new ArgumentException($"Label {labels[i]} of sample {i} is outside [0, {classCount}).", nameof(labels));
            }
        }
        this.features = features;
        this.labels = labels;
        SampleShape = sampleShape.ToArray();
        ClassCount = classCount;
    }

    /// <summary>Number of samples.</summary>
    public int Count => labels.Length;

    /// <summary>Shape of one sample, e.g. [1, 8, 8].</summary>
    public IReadOnlyList<long> SampleShape { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Number of values per sample.</summary>
    public long SampleSize => SampleShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The feature values (do not modify).</summary>
    public ReadOnlySpan<float> Features => features;

    /// <summary>The labels (do not modify).</summary>
    public ReadOnlySpan<long> Labels => labels;

    internal float[] FeatureArray => features;

    internal long[] LabelArray => labels;

    /// <summary>The same samples seen as flat vectors (<see cref="DataLayout.Flat"/>) or with another shape of equal size.</summary>
    public TensorDataset Reshape(params long[] sampleShape) => new(features, labels, sampleShape, ClassCount);

    /// <summary>A data set of the samples at <paramref name="indices"/>, in that order.</summary>
    public TensorDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int per = checked((int)SampleSize);
        var f = new float[indices.Count * per];
        var l = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(features, (long)indices[i] * per, f, (long)i * per, per);
            l[i] = labels[indices[i]];
        }
        return new TensorDataset(f, l, SampleShape, ClassCount);
    }

    /// <summary>Per-channel mean and standard deviation (channel = first dimension for images, one channel for flat data).</summary>
    public (float[] Mean, float[] Std) ChannelStatistics()
    {
        int channels = SampleShape.Count == 3 ? (int)SampleShape[0] : 1;
        long perChannel = SampleSize / channels;
        var sum = new double[channels];
        var sq = new double[channels];
        for (long i = 0; i < features.LongLength; i++)
        {
            int c = (int)(i % SampleSize / perChannel);
            sum[c] += features[i];
            sq[c] += (double)features[i] * features[i];
        }
        long n = Math.Max(1, (long)Count * perChannel);
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(sq[c] / n - m * m, 1e-12));
        }
        return (mean, std);
    }

    /// <summary>A copy with (x − mean[c]) / std[c] applied per channel.</summary>
    public TensorDataset Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        int channels = SampleShape.Count == 3 ? (int)SampleShape[0] : 1;
        if (mean.Length != channels || std.Length != channels)
        {
            throw new ArgumentException($"Expected {channels} channel statistics, got {mean.Length} means and {std.Length} stds.");
        }
        long perChannel = SampleSize / channels;
        var f = new float[features.Length];
        for (long i = 0; i < f.LongLength; i++)
        {
            int c = (int)(i % SampleSize / perChannel);
            f[i] = (features[i] - mean[c]) / std[c];
        }
        return new TensorDataset(f, labels, SampleShape, ClassCount);
    }
}

/// <summary>A train/test pair of data sets with the same sample shape and classes.</summary>
/// <param name="Train">Samples to train on.</param>
/// <param name="Test">Samples to evaluate on (the accuracy reported by the trainer).</param>
/// <param name="Name">A name for logs, e.g. "digits".</param>
public sealed record DataSplit(TensorDataset Train, TensorDataset Test, string Name = "data")
{
    /// <summary>The same split with flat samples (e.g. [64] instead of [1, 8, 8]).</summary>
    public DataSplit AsFlat() => this with
    {
        Train = Train.Reshape(Train.SampleSize),
        Test = Test.Reshape(Test.SampleSize),
    };

    /// <summary>The split normalized per channel with the training set's mean and standard deviation.</summary>
    public DataSplit Standardize()
    {
        var (mean, std) = Train.ChannelStatistics();
        return this with { Train = Train.Normalize(mean, std), Test = Test.Normalize(mean, std) };
    }
}
