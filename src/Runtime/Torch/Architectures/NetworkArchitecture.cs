using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>
/// A candidate network described by plain values. Concrete kinds: <see cref="MlpArchitecture"/>,
/// <see cref="CnnArchitecture"/> and <see cref="Nb201Architecture"/>.
/// </summary>
public abstract record NetworkArchitecture
{
    /// <summary>
    /// Builds a fresh, randomly initialized network (on the CPU) that maps a batch of samples of shape
    /// <paramref name="sampleShape"/> (without the batch dimension, e.g. <c>[1, 8, 8]</c> or <c>[64]</c>)
    /// to <paramref name="classCount"/> logits. Initialization draws from TorchSharp's global generator
    /// (see <c>torch.manual_seed</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The architecture cannot consume inputs of that shape.</exception>
    public abstract nn.Module<Tensor, Tensor> Build(IReadOnlyList<long> sampleShape, int classCount);

    /// <summary>Throws a clear error unless <paramref name="sampleShape"/> is an image shape [C, H, W].</summary>
    private protected static (long C, long H, long W) RequireImage(IReadOnlyList<long> sampleShape, string who)
    {
        if (sampleShape.Count != 3)
        {
            throw new ArgumentException(
                $"{who} needs image input [C, H, W]; got sample shape [{string.Join(", ", sampleShape)}]. " +
                "Load the data set as images (e.g. DataLayout.Image).", nameof(sampleShape));
        }
        return (sampleShape[0], sampleShape[1], sampleShape[2]);
    }

    private protected static void RequireClasses(int classCount)
    {
        if (classCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be at least 1.");
        }
    }
}
