using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.WeightSharing;

/// <summary>A dataset as two device tensors, with seeded shuffled batches.</summary>
internal sealed class SupernetData : IDisposable
{
    public SupernetData(TensorDataset data, Device device)
    {
        Count = data.Count;
        X = tensor(data.FeatureArray, [data.Count, .. data.SampleShape], device: device);
        Y = tensor(data.LabelArray, [data.Count], device: device);
    }

    public int Count { get; }

    public Tensor X { get; }

    public Tensor Y { get; }

    /// <summary>Batches of a fresh permutation (a last batch of fewer than 2 samples is dropped: BN needs 2).</summary>
    public IEnumerable<(Tensor X, Tensor Y)> Shuffled(Random rng, int batchSize)
    {
        long[] order = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            order[i] = i;
        }
        for (int i = Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (int start = 0; start + 2 <= Count; start += batchSize)
        {
            int len = Math.Min(batchSize, Count - start);
            using var index = tensor(order.AsSpan(start, len).ToArray(), device: X.device);
            yield return (X.index_select(0, index), Y.index_select(0, index));
        }
    }

    /// <summary>Accuracy of <paramref name="logits"/> computed batch by batch (no gradients).</summary>
    public double Accuracy(Func<Tensor, Tensor> logits, int batchSize)
    {
        using var noGrad = no_grad();
        long correct = 0;
        for (int start = 0; start < Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int len = Math.Min(batchSize, Count - start);
            Tensor pred = logits(X.narrow(0, start, len)).argmax(1);
            correct += pred.eq(Y.narrow(0, start, len)).sum().item<long>();
        }
        return Count == 0 ? 0 : (double)correct / Count;
    }

    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }

    /// <summary>Seeds TorchSharp and sets the thread count as <see cref="TorchTrainer"/> does.</summary>
    public static Device Prepare(WeightSharingOptions options)
    {
        options.Validate();
        Device device = options.Device.Resolve();
        if (options.Threads is int threads)
        {
            set_num_threads(threads);
        }
        manual_seed(options.Seed);
        if (device.type == DeviceType.CUDA)
        {
            cuda.manual_seed(options.Seed);
        }
        return device;
    }

    public static void CheckPair(TensorDataset train, TensorDataset valid)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        if (train.SampleShape.Count != 3 || !train.SampleShape.SequenceEqual(valid.SampleShape) || train.ClassCount != valid.ClassCount)
        {
            throw new ArgumentException(
                $"Weight sharing needs image data [C, H, W] with the same shape and classes in both sets; got [{string.Join(", ", train.SampleShape)}] and [{string.Join(", ", valid.SampleShape)}].");
        }
        if (train.SampleShape[1] < 4 || train.SampleShape[2] < 4)
        {
            throw new ArgumentException("The NB201 supernet's two stride-2 reductions need images of at least 4x4.");
        }
        if (train.Count < 2 || valid.Count < 1)
        {
            throw new ArgumentException("Weight sharing needs at least 2 training samples and 1 validation sample.");
        }
    }
}
