using NasNotebooks.Runtime.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>
/// A multi-layer perceptron: the input is flattened, then each hidden width adds
/// Linear → (BatchNorm1d) → activation → (Dropout), and a final Linear maps to the classes.
/// </summary>
/// <param name="Hidden">Widths of the hidden layers, e.g. <c>[128, 128]</c>; may be empty (logistic regression).</param>
/// <param name="Activation">Non-linearity after each hidden layer.</param>
/// <param name="Dropout">Dropout probability after each hidden activation, in [0, 1); 0 means none.</param>
/// <param name="Normalization">Normalization after each hidden Linear.</param>
/// <example><code>var mlp = new MlpArchitecture([128, 128], Activation.ReLU, 0.0); // 64-128-128-10 on digits</code></example>
public sealed record MlpArchitecture(
    IReadOnlyList<int> Hidden,
    Activation Activation = Activation.ReLU,
    double Dropout = 0.0,
    Normalization Normalization = Normalization.None) : NetworkArchitecture
{
    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Build(IReadOnlyList<long> sampleShape, int classCount)
    {
        RequireClasses(classCount);
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
        {
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        }
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        long inFeatures = Layers.Numel(sampleShape);
        for (int i = 0; i < Hidden.Count; i++)
        {
            int width = Hidden[i];
            if (width < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(Hidden), width, $"Hidden[{i}] must be at least 1.");
            }
            bool bn = Normalization == Normalization.BatchNorm;
            layers.Add(($"linear{i}", nn.Linear(inFeatures, width, hasBias: !bn)));
            if (bn)
            {
                layers.Add(($"bn{i}", nn.BatchNorm1d(width)));
            }
            layers.Add(($"act{i}", Layers.Activation(Activation)));
            if (Dropout > 0)
            {
                layers.Add(($"dropout{i}", nn.Dropout(Dropout)));
            }
            inFeatures = width;
        }
        layers.Add(("classifier", nn.Linear(inFeatures, classCount)));
        return nn.Sequential(layers);
    }

    /// <inheritdoc />
    public bool Equals(MlpArchitecture? other) =>
        other is not null && Hidden.SequenceEqual(other.Hidden) && Activation == other.Activation
        && Dropout.Equals(other.Dropout) && Normalization == other.Normalization;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int h in Hidden)
        {
            hash.Add(h);
        }
        hash.Add(Activation);
        hash.Add(Dropout);
        hash.Add(Normalization);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"Mlp([{string.Join(", ", Hidden)}], {Activation}, dropout={Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {Normalization})";
}
