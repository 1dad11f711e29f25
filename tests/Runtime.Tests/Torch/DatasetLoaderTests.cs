using System.Buffers.Binary;
using System.IO.Compression;
using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>Digits, MNIST (IDX) and CIFAR-10 (binary) loaders on real and tiny synthetic files.</summary>
[Collection(TorchTestData.Collection)]
public sealed class DatasetLoaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("nas-torch-data-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] MnistImages(int count, int rows, int cols, Func<int, byte> pixel)
    {
        var b = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        for (int i = 0; i < count * rows * cols; i++)
        {
            b[16 + i] = pixel(i);
        }
        return b;
    }

    private static byte[] MnistLabels(params byte[] labels)
    {
        var b = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), labels.Length);
        labels.CopyTo(b, 8);
        return b;
    }

    [Fact]
    public void DigitsSplitIsSeededAndShaped()
    {
        var a = Datasets.LoadDigits(TorchTestData.DigitsPath, seed: 3);
        var b = Datasets.LoadDigits(TorchTestData.DigitsPath, seed: 3);
        var c = Datasets.LoadDigits(TorchTestData.DigitsPath, seed: 4, layout: DataLayout.Flat);
        Assert.Equal(1438, a.Train.Count); // ceil(0.8 * 1797)
        Assert.Equal(359, a.Test.Count);
        Assert.Equal(new long[] { 1, 8, 8 }, a.Train.SampleShape);
        Assert.Equal(new long[] { 64 }, c.Train.SampleShape);
        Assert.Equal(10, a.Train.ClassCount);
        Assert.True(a.Train.Labels.SequenceEqual(b.Train.Labels));
        Assert.True(a.Train.Features.SequenceEqual(b.Train.Features));
        Assert.False(a.Train.Labels.SequenceEqual(c.Train.Labels));
        var (mean, std) = a.Train.ChannelStatistics();
        Assert.Equal(0.0, mean[0], 4);
        Assert.Equal(1.0, std[0], 4);
    }

    [Fact]
    public void DigitsErrorsNameTheFileAndLine()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => Datasets.LoadDigits(Path.Combine(dir, "nope.csv.gz")));
        Assert.Contains("Digits file not found", missing.Message);
        string bad = Path.Combine(dir, "bad.csv");
        File.WriteAllLines(bad, [string.Join(",", Enumerable.Repeat("1", 65)), string.Join(",", Enumerable.Repeat("1", 64)) + ",12"]);
        var e = Assert.Throws<InvalidDataException>(() => Datasets.LoadDigits(bad));
        Assert.Equal($"{bad}:2: value 65 '12' is not an integer in 0..9.", e.Message);
    }

    [Fact]
    public void LoadsTinyMnistFiles()
    {
        string images = Write("imgs-idx3-ubyte", MnistImages(3, 2, 2, i => (byte)(i * 20)));
        string labelsGz = Path.Combine(dir, "labels-idx1-ubyte.gz");
        using (var gz = new GZipStream(File.Create(labelsGz), CompressionLevel.Fastest))
        {
            gz.Write(MnistLabels(7, 0, 9));
        }
        var set = Datasets.LoadMnist(images, labelsGz);
        Assert.Equal(3, set.Count);
        Assert.Equal(new long[] { 1, 2, 2 }, set.SampleShape);
        Assert.Equal(new long[] { 7, 0, 9 }, set.Labels.ToArray());
        Assert.Equal(220 / 255f, set.Features[11]);
        Assert.Equal(new long[] { 4 }, Datasets.LoadMnist(images, labelsGz, DataLayout.Flat).SampleShape);
    }

    [Fact]
    public void MnistErrorsAreClear()
    {
        string images = Write("imgs", MnistImages(3, 2, 2, i => 1));
        string labels = Write("labels", MnistLabels(1, 2, 3));
        var missing = Assert.Throws<FileNotFoundException>(() => Datasets.LoadMnist(Path.Combine(dir, "x"), labels));
        Assert.StartsWith("MNIST images (IDX, e.g. train-images-idx3-ubyte) not found: ", missing.Message);

        var swapped = Assert.Throws<InvalidDataException>(() => Datasets.LoadMnist(labels, images));
        Assert.Equal($"{labels}: not an IDX image file (expected magic number 0x00000803 and a 16-byte header).", swapped.Message);

        string truncated = Write("trunc", MnistImages(3, 2, 2, i => 1)[..^1]);
        var t = Assert.Throws<InvalidDataException>(() => Datasets.LoadMnist(truncated, labels));
        Assert.Equal($"{truncated}: header says 3 images of 2x2 (28 bytes) but the file has 27 bytes.", t.Message);

        string twoLabels = Write("two", MnistLabels(1, 2));
        var count = Assert.Throws<InvalidDataException>(() => Datasets.LoadMnist(images, twoLabels));
        Assert.Equal($"{images} has 3 images but {twoLabels} has 2 labels.", count.Message);

        string badLabel = Write("bad", MnistLabels(1, 2, 10));
        var bl = Assert.Throws<InvalidDataException>(() => Datasets.LoadMnist(images, badLabel));
        Assert.Equal($"{badLabel}: label 10 of sample 2 is not a digit 0..9.", bl.Message);

        string notGzip = Write("fake.gz", [1, 2, 3]);
        var gz = Assert.Throws<InvalidDataException>(() => Datasets.LoadMnist(notGzip, labels));
        Assert.StartsWith($"{notGzip}: not a valid gzip file", gz.Message);
    }

    [Fact]
    public void LoadsTinyCifar10Batches()
    {
        var rec = new byte[3073 * 2];
        rec[0] = 3;
        rec[1] = 255;            // red (0,0) of sample 0
        rec[1 + 1024] = 51;      // green (0,0)
        rec[3073] = 9;
        rec[3073 + 3072] = 102;  // blue (31,31) of sample 1
        string a = Write("data_batch_1.bin", rec);
        string b = Write("test_batch.bin", rec[..3073]);
        var set = Datasets.LoadCifar10([a, b]);
        Assert.Equal(3, set.Count);
        Assert.Equal(new long[] { 3, 32, 32 }, set.SampleShape);
        Assert.Equal(new long[] { 3, 9, 3 }, set.Labels.ToArray());
        Assert.Equal(1f, set.Features[0]);
        Assert.Equal(0.2f, set.Features[1024]);
        Assert.Equal(0.4f, set.Features[3072 + 3071]);
    }

    [Fact]
    public void Cifar10ErrorsAreClear()
    {
        var none = Assert.Throws<ArgumentException>(() => Datasets.LoadCifar10([]));
        Assert.StartsWith("Give at least one CIFAR-10 binary batch file", none.Message);
        var missing = Assert.Throws<FileNotFoundException>(() => Datasets.LoadCifar10([Path.Combine(dir, "data_batch_9.bin")]));
        Assert.StartsWith("CIFAR-10 binary batch (e.g. data_batch_1.bin) not found: ", missing.Message);
        string odd = Write("odd.bin", new byte[3074]);
        var e = Assert.Throws<InvalidDataException>(() => Datasets.LoadCifar10([odd]));
        Assert.Equal($"{odd}: 3074 bytes is not a whole number of CIFAR-10 records of 3073 bytes (1 label + 3072 pixels).", e.Message);
        var badLabel = new byte[3073];
        badLabel[0] = 10;
        string bl = Write("bl.bin", badLabel);
        var l = Assert.Throws<InvalidDataException>(() => Datasets.LoadCifar10([bl]));
        Assert.Equal($"{bl}: record 0 has label 10; CIFAR-10 labels are 0..9.", l.Message);
    }
}
