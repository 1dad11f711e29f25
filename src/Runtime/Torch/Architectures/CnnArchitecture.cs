using System.Globalization;
using NasNotebooks.Runtime.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>
/// One stage of a <see cref="CnnArchitecture"/>: <paramref name="Depth"/> convolutions of
/// <paramref name="Width"/> output channels and a square <paramref name="Kernel"/>, each followed by
/// the normalization and the activation, optionally followed by a 2×2 max pooling.
/// </summary>
/// <param name="Depth">Number of convolution layers (≥ 1).</param>
/// <param name="Width">Output channels of each convolution (≥ 1).</param>
/// <param name="Kernel">Kernel size (≥ 1; odd when the architecture uses same padding).</param>
/// <param name="Activation">Non-linearity after each convolution.</param>
/// <param name="Normalization">Batch norm (convolution without bias) or none (convolution with bias).</param>
/// <param name="Pool">Whether a 2×2 max pooling (stride 2) ends the stage.</param>
public sealed record CnnStage(
    int Depth,
    int Width,
    int Kernel = 3,
    Activation Activation = Activation.ReLU,
    Normalization Normalization = Normalization.None,
    bool Pool = false)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Depth}x conv{Kernel}x{Kernel}({Width}) {Activation}{(Normalization == Normalization.BatchNorm ? " bn" : "")}{(Pool ? " pool" : "")}";
}

/// <summary>
/// A plain convolutional network: the stages in order, then the head (flatten, or global average
/// pooling when <paramref name="GlobalPool"/>), optional dropout, and a Linear layer to the classes.
/// Convolutions have stride 1; with <paramref name="SamePadding"/> they pad by kernel/2 (size kept for odd
/// kernels), otherwise they do not pad (each k×k convolution shrinks the image by k−1).
/// </summary>
/// <param name="Stages">The stages, first to last (at least one).</param>
/// <param name="SamePadding">Pad by kernel/2 (true) or not at all (false).</param>
/// <param name="GlobalPool">Global average pooling before the classifier instead of flattening.</param>
/// <param name="Dropout">Dropout probability before the classifier, in [0, 1).</param>
/// <example><code>
/// // conv3x3(16)-conv3x3(32)-linear(10), no padding, ReLU (the benchmark CNN):
/// var cnn = new CnnArchitecture([new CnnStage(1, 16), new CnnStage(1, 32)], SamePadding: false);
/// </code></example>
public sealed record CnnArchitecture(
    IReadOnlyList<CnnStage> Stages,
    bool SamePadding = true,
    bool GlobalPool = false,
    double Dropout = 0.0) : NetworkArchitecture
{
    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(IReadOnlyList<long> sampleShape, int classCount)
    {
        RequireClasses(classCount);
        var (channels, height, width) = RequireImage(sampleShape, "CnnArchitecture");
        if (Stages.Count == 0)
        {
            throw new ArgumentException("CnnArchitecture needs at least one stage.", nameof(Stages));
        }
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        }
        var body = new List<(string, nn.Module<Tensor, Tensor>)>();
        long inChannels = channels;
        for (int s = 0; s < Stages.Count; s++)
        {
            CnnStage stage = Stages[s];
            if (stage.Depth < 1 || stage.Width < 1 || stage.Kernel < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Stages), stage, $"Stages[{s}]: depth, width and kernel must be at least 1.");
            }
            bool bn = stage.Normalization == Normalization.BatchNorm;
            for (int d = 0; d < stage.Depth; d++)
            {
                body.Add(($"s{s}_conv{d}", nn.Conv2d(inChannels, stage.Width, stage.Kernel,
                    padding: SamePadding ? stage.Kernel / 2 : 0, bias: !bn)));
                if (bn)
                {
                    body.Add(($"s{s}_bn{d}", nn.BatchNorm2d(stage.Width)));
                }
                body.Add(($"s{s}_act{d}", Layers.Activation(stage.Activation)));
                inChannels = stage.Width;
                if (!SamePadding)
                {
                    height -= stage.Kernel - 1;
                    width -= stage.Kernel - 1;
                }
                else if (stage.Kernel % 2 == 0)
                {
                    height += 1;
                    width += 1;
                }
                if (height < 1 || width < 1)
                {
                    throw new ArgumentException(
                        $"CnnArchitecture: shape mismatch: convolution {d} of stage {s} (kernel {stage.Kernel}, " +
                        $"{(SamePadding ? "same" : "no")} padding) leaves a {height}x{width} feature map for input " +
                        $"[{string.Join(", ", sampleShape)}].", nameof(sampleShape));
                }
            }
            if (stage.Pool)
            {
                body.Add(($"s{s}_pool", nn.MaxPool2d(2, 2)));
                height /= 2;
                width /= 2;
                if (height < 1 || width < 1)
                {
                    throw new ArgumentException(
                        $"CnnArchitecture: shape mismatch: the pooling of stage {s} leaves a {height}x{width} feature map " +
                        $"for input [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
                }
            }
        }
        if (GlobalPool)
        {
            body.Add(("gap", nn.AdaptiveAvgPool2d(1)));
            height = width = 1;
        }
        body.Add(("flatten", nn.Flatten()));
        if (Dropout > 0)
        {
            body.Add(("dropout", nn.Dropout(Dropout)));
        }
        body.Add(("classifier", nn.Linear(inChannels * height * width, classCount)));
        return nn.Sequential(body);
    }

    /// <inheritdoc />
    public bool Equals(CnnArchitecture? other) =>
        other is not null && Stages.SequenceEqual(other.Stages) && SamePadding == other.SamePadding
        && GlobalPool == other.GlobalPool && Dropout.Equals(other.Dropout);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (CnnStage s in Stages)
        {
            hash.Add(s);
        }
        hash.Add(SamePadding);
        hash.Add(GlobalPool);
        hash.Add(Dropout);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Cnn([{string.Join("; ", Stages)}], {(SamePadding ? "same" : "valid")}, {(GlobalPool ? "gap" : "flatten")}, dropout={Dropout.ToString(CultureInfo.InvariantCulture)})";
}
