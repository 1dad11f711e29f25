using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch;

/// <summary>Size and cost of a network for one input shape.</summary>
/// <param name="Parameters">Number of trainable parameter elements (weights, biases, BatchNorm affine weights/biases; no buffers).</param>
/// <param name="Flops">Multiply-accumulates of one forward pass of one sample (see <see cref="ModelProfiler"/> for the convention).</param>
/// <param name="OutputShape">Shape of the output for a batch of one, e.g. <c>[1, 10]</c>.</param>
public sealed record ModelProfile(long Parameters, long Flops, IReadOnlyList<long> OutputShape);

/// <summary>
/// Counts parameters and FLOPs of a network by running one forward pass (batch 1, evaluation mode,
/// no gradient) on zeros of the given sample shape, with forward hooks on every layer.
/// </summary>
/// <remarks>
/// FLOPs convention: the number of multiply-accumulates (MACs) of the convolution and linear layers
/// for one sample, i.e. for each <c>Conv1d/2d/3d</c> and <c>Linear</c> layer,
/// <c>output elements × (weight elements / output channels)</c> = <c>H_out·W_out·C_out·(C_in/groups)·k_h·k_w</c>
/// for a convolution and <c>in·out</c> for a linear layer. Biases, normalization, activations, pooling,
/// element-wise additions and the NB201 <c>none</c> operation count zero. This is the convention of
/// most NAS papers ("FLOPs" = MACs, as in NAS-Bench-201's tables); multiply by 2 for
/// floating-point operations. Layers that run several times count every run.
/// </remarks>
public static class ModelProfiler
{
    /// <summary>Counts trainable parameter elements of <paramref name="model"/>.</summary>
    public static long CountParameters(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long total = 0;
        foreach (var p in model.parameters())
        {
            if (p.requires_grad)
            {
                total += p.numel();
            }
        }
        return total;
    }

    /// <summary>
    /// Profiles <paramref name="model"/> for samples of shape <paramref name="sampleShape"/> (no batch dimension).
    /// The model's training mode is restored afterwards. Runs on the device of the model's parameters.
    /// </summary>
    /// <exception cref="Exception">The forward pass fails (e.g. a shape mismatch); TorchSharp's message is kept.</exception>
    public static ModelProfile Profile(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        long macs = 0;
        var removers = new List<Action>();
        bool wasTraining = model.training;
        Device device = model.parameters().FirstOrDefault()?.device ?? CPU;
        try
        {
            foreach (var m in model.modules())
            {
                if (m is TorchSharp.Modules.Linear or TorchSharp.Modules.Conv1d or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Conv3d)
                {
                    var layer = (nn.Module<Tensor, Tensor>)m;
                    Tensor weight = layer.get_parameter("weight")
                        ?? throw new InvalidOperationException($"Layer {m.GetName()} has no weight.");
                    long perOutput = weight.numel() / weight.shape[0];
                    var remover = layer.register_forward_hook((_, _, output) =>
                    {
                        macs += output.numel() / output.shape[0] * perOutput;
                        return output;
                    });
                    removers.Add(remover.remove);
                }
            }
            model.eval();
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using Tensor input = zeros([1, .. sampleShape], device: device);
            Tensor output = model.call(input);
            return new ModelProfile(CountParameters(model), macs, output.shape);
        }
        finally
        {
            foreach (var remove in removers)
            {
                remove();
            }
            model.train(wasTraining);
        }
    }
}
