using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.Modules;

/// <summary>Factories shared by the architecture builders.</summary>
internal static class Layers
{
    public static nn.Module<Tensor, Tensor> Activation(Activation activation) => activation switch
    {
        Torch.Activation.ReLU => nn.ReLU(),
        Torch.Activation.GELU => nn.GELU(),
        Torch.Activation.Tanh => nn.Tanh(),
        Torch.Activation.Sigmoid => nn.Sigmoid(),
        Torch.Activation.SiLU => nn.SiLU(),
        Torch.Activation.LeakyReLU => nn.LeakyReLU(0.01),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    public static long Numel(IEnumerable<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            n *= d;
        }
        return n;
    }
}
