using NasNotebooks.Runtime.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.Proxies;

/// <summary>Zero-cost proxy scores of one candidate at initialization (higher is better for all of them).</summary>
/// <param name="Succeeded">False when the candidate could not be built or scored.</param>
/// <param name="Error">Why it failed (null on success).</param>
/// <param name="SynFlow">SynFlow score (see <see cref="ZeroCostProxies.SynFlow"/>).</param>
/// <param name="Naswot">NASWOT score (see <see cref="ZeroCostProxies.Naswot"/>).</param>
/// <param name="GradNorm">GradNorm score (see <see cref="ZeroCostProxies.GradNorm"/>).</param>
/// <param name="Parameters">Trainable parameters of the candidate.</param>
/// <param name="Flops">Multiply-accumulates of one sample (see <see cref="ModelProfiler"/>).</param>
/// <param name="GradSign">GradSign score (see <see cref="ZeroCostProxies.GradSign"/>).</param>
public sealed record ProxyScores(bool Succeeded, string? Error, double SynFlow, double Naswot, double GradNorm, long Parameters, long Flops, double GradSign = double.NaN);

/// <summary>
/// Training-free ("zero-cost") proxies that score a freshly initialized network: SynFlow (Tanaka et al.,
/// 2020, as used by Abdelfattah et al., 2021), NASWOT (Mellor et al., 2021) and GradNorm
/// (Abdelfattah et al., 2021). Sums run over the weights of every Conv1d/2d/3d and Linear layer.
/// </summary>
/// <example><code>
/// var cell = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|");
/// ProxyScores s = ZeroCostProxies.Score(new Nb201Architecture(cell, 8, 1), digits.Train, batchSize: 64, seed: 0);
/// </code></example>
public static class ZeroCostProxies
{
    /// <summary>
    /// SynFlow: all parameters and buffers are replaced by their absolute values, the network runs in
    /// float64 on an all-ones input of one sample, R = sum of the outputs, and the score is
    /// Σ |θ ⊙ ∂R/∂θ| over the layer weights. BatchNorm layers run in evaluation mode with their current
    /// (fresh: mean 0, variance 1) statistics, which makes them near-identity as the reference's
    /// "no batch norm" networks. The model's values, dtype (float32) and training mode are restored.
    /// </summary>
    public static double SynFlow(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleShape);
        bool wasTraining = model.training;
        Device device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var state = model.state_dict();
        var signs = new Dictionary<string, Tensor>();
        try
        {
            using (no_grad())
            {
                foreach (var (name, t) in state)
                {
                    if (t.is_floating_point())
                    {
                        signs[name] = t.sign();
                        t.abs_();
                    }
                }
            }
            model.to(ScalarType.Float64);
            model.eval();
            model.zero_grad();
            using var scope = NewDisposeScope();
            Tensor input = ones([1, .. sampleShape], dtype: ScalarType.Float64, device: device);
            model.call(input).sum().backward();
            double score = 0;
            foreach (var weight in LayerWeights(model))
            {
                if (weight.grad is { } g)
                {
                    score += weight.mul(g).abs().sum().item<double>();
                }
            }
            return score;
        }
        finally
        {
            model.zero_grad();
            model.to(ScalarType.Float32);
            using (no_grad())
            {
                foreach (var (name, t) in model.state_dict())
                {
                    if (signs.TryGetValue(name, out var s))
                    {
                        t.mul_(s);
                        s.Dispose();
                    }
                }
            }
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// NASWOT: for a batch of N inputs, each ReLU's input is turned into a binary code (x &gt; 0) per sample;
    /// K[i, j] counts the units where samples i and j have the same code (c_i·c_j + (1−c_i)·(1−c_j),
    /// summed over all ReLU layers), and the score is log|det K|. Runs without gradients in training
    /// mode (batch statistics), so BatchNorm running statistics are updated.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has no ReLU module.</exception>
    public static double Naswot(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        long n = inputs.shape[0];
        var removers = new List<Action>();
        bool wasTraining = model.training;
        using var scope = NewDisposeScope();
        Tensor k = zeros([n, n], dtype: ScalarType.Float64, device: inputs.device);
        int relus = 0;
        try
        {
            foreach (var m in model.modules())
            {
                if (m is TorchSharp.Modules.ReLU relu)
                {
                    relus++;
                    var remover = relu.register_forward_hook((_, input, output) =>
                    {
                        using var inner = NewDisposeScope();
                        Tensor c = input.reshape(n, -1).gt(0).to(ScalarType.Float64);
                        Tensor notC = c.neg().Plus(1.0);
                        k.PlusInPlace(c.matmul(c.t())).PlusInPlace(notC.matmul(notC.t()));
                        return output;
                    });
                    removers.Add(remover.remove);
                }
            }
            if (relus == 0)
            {
                throw new InvalidOperationException("NASWOT needs ReLU modules (nn.ReLU) in the network; found none.");
            }
            model.train();
            using (no_grad())
            {
                model.call(inputs);
            }
            var (_, logAbsDet) = linalg.slogdet(k);
            return logAbsDet.item<double>();
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

    /// <summary>
    /// GradNorm: one forward/backward pass of the mean cross-entropy of <paramref name="inputs"/> against
    /// <paramref name="targets"/> in training mode; the score is Σ ‖∂L/∂W‖₂ (Frobenius norm) over the layer
    /// weights. Gradients are cleared afterwards.
    /// </summary>
    public static double GradNorm(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        bool wasTraining = model.training;
        try
        {
            model.train();
            model.zero_grad();
            using var scope = NewDisposeScope();
            nn.functional.cross_entropy(model.call(inputs), targets).backward();
            double score = 0;
            foreach (var weight in LayerWeights(model))
            {
                if (weight.grad is { } g)
                {
                    score += g.norm().item<float>();
                }
            }
            return score;
        }
        finally
        {
            model.zero_grad();
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// GradSign (Zhang and Jia, ICLR 2022): the per-sample gradients of the cross-entropy at initialization,
    /// in training mode; for every weight element, |Σ over samples of sign(∂Lᵢ/∂w)|, summed over the layer
    /// weights. High when the samples agree on the direction of descent. Uses the first
    /// <paramref name="samples"/> samples (one backward pass each); gradients are cleared afterwards.
    /// </summary>
    public static double GradSign(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor targets, int samples = 16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        int n = (int)Math.Min(samples, inputs.shape[0]);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "At least one sample.");
        bool wasTraining = model.training;
        var weights = LayerWeights(model).ToList();
        var sums = weights.Select(w => zeros_like(w).detach()).ToList();
        try
        {
            model.train();
            for (int i = 0; i < n; i++)
            {
                model.zero_grad();
                using var scope = NewDisposeScope();
                nn.functional.cross_entropy(model.call(inputs[i..(i + 1)]), targets[i..(i + 1)]).backward();
                using (no_grad())
                    for (int k = 0; k < weights.Count; k++)
                        if (weights[k].grad is { } g) sums[k].PlusInPlace(g.sign());
            }
            double score = 0;
            foreach (var sum in sums) score += sum.abs().sum().item<float>();
            return score;
        }
        finally
        {
            foreach (var sum in sums) sum.Dispose();
            model.zero_grad();
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Scores <paramref name="architecture"/> with all four proxies, each on a fresh network initialized
    /// with <paramref name="seed"/>, using the first <paramref name="batchSize"/> samples of a permutation
    /// of <paramref name="data"/> seeded by <paramref name="seed"/>. Failures (cannot build, shape mismatch,
    /// non-finite score) give <see cref="ProxyScores.Succeeded"/> false with the message; nothing is thrown
    /// for a bad candidate.
    /// </summary>
    /// <exception cref="InvalidOperationException">The requested device is not available.</exception>
    public static ProxyScores Score(NetworkArchitecture architecture, TensorDataset data, int batchSize = 64, long seed = 0, DeviceSpec? device = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 2 || batchSize > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be in [2, {data.Count}] (the data set size).");
        }
        Device dev = (device ?? DeviceSpec.Cpu).Resolve();
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        int[] pick = Enumerable.Range(0, data.Count).ToArray();
        rng.Shuffle(pick);
        var batch = data.Subset(pick[..batchSize]);
        long parameters = 0, flops = 0;
        try
        {
            using var x = tensor(batch.FeatureArray, [batchSize, .. batch.SampleShape], device: dev);
            using var y = tensor(batch.LabelArray, [batchSize], device: dev);
            nn.Module<Tensor, Tensor> Fresh()
            {
                manual_seed(seed);
                var m = architecture.Build(data.SampleShape, data.ClassCount);
                m.to(dev);
                return m;
            }
            double synflow, naswot, gradnorm, gradsign;
            using (var m = Fresh())
            {
                var profile = ModelProfiler.Profile(m, data.SampleShape);
                parameters = profile.Parameters;
                flops = profile.Flops;
                synflow = SynFlow(m, data.SampleShape);
            }
            using (var m = Fresh())
            {
                naswot = Naswot(m, x);
            }
            using (var m = Fresh())
            {
                gradnorm = GradNorm(m, x, y);
            }
            using (var m = Fresh())
            {
                gradsign = GradSign(m, x, y);
            }
            if (!double.IsFinite(synflow) || !double.IsFinite(gradnorm) || double.IsNaN(naswot))
            {
                return new ProxyScores(false, $"Non-finite proxy score for {architecture}: synflow {synflow}, naswot {naswot}, gradnorm {gradnorm}.",
                    synflow, naswot, gradnorm, parameters, flops, gradsign);
            }
            return new ProxyScores(true, null, synflow, naswot, gradnorm, parameters, flops, gradsign);
        }
        catch (Exception e)
        {
            return new ProxyScores(false, $"Cannot score {architecture}: {e.Message}", double.NaN, double.NaN, double.NaN, parameters, flops);
        }
    }

    private static IEnumerable<Tensor> LayerWeights(nn.Module model)
    {
        foreach (var m in model.modules())
        {
            if (m is TorchSharp.Modules.Linear or TorchSharp.Modules.Conv1d or TorchSharp.Modules.Conv2d or TorchSharp.Modules.Conv3d
                && m.get_parameter("weight") is { } w)
            {
                yield return w;
            }
        }
    }
}
