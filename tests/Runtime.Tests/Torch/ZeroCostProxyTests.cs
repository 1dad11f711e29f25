using NasNotebooks.Runtime.Torch;
using NasNotebooks.Runtime.Torch.Proxies;
using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>SynFlow, NASWOT and GradNorm against hand-computed values, and on NB201 networks.</summary>
[Collection(TorchTestData.Collection)]
public class ZeroCostProxyTests
{
    private static void Set(Tensor parameter, float[] values)
    {
        using var _ = no_grad();
        using var v = tensor(values, parameter.shape);
        parameter.copy_(v);
    }

    private static nn.Module<Tensor, Tensor> TwoLayerNet(out TorchSharp.Modules.Linear first, out TorchSharp.Modules.Linear second)
    {
        first = nn.Linear(2, 2);
        second = nn.Linear(2, 1);
        Set(first.weight!, [1, -2, 3, 4]);
        Set(first.bias!, [0, 0]);
        Set(second.weight!, [0.5f, -1]);
        Set(second.bias!, [0]);
        return nn.Sequential(first, nn.ReLU(), second);
    }

    [Fact]
    public void SynFlowOfATwoLayerNetAndTheWeightsComeBack()
    {
        // |W1| = [[1,2],[3,4]], |W2| = [0.5, 1], input ones: h = [3, 7], R = 0.5*3 + 1*7 = 8.5.
        // Layer 2: |W2 * dR/dW2| = [0.5*3, 1*7] -> 8.5; layer 1: |W1[i,j] * |W2|_i| = [[0.5,1],[3,4]] -> 8.5. Score 17.
        using var net = TwoLayerNet(out var first, out var second);
        Assert.Equal(17.0, ZeroCostProxies.SynFlow(net, [2]), 10);
        Assert.Equal(new float[] { 1, -2, 3, 4 }, first.weight!.data<float>().ToArray());
        Assert.Equal(new float[] { 0.5f, -1 }, second.weight!.data<float>().ToArray());
        Assert.Equal(ScalarType.Float32, first.weight!.dtype);
        Assert.True(net.training);
    }

    [Fact]
    public void NaswotOfThreeKnownActivationCodes()
    {
        // ReLU inputs W x with W = [[1,0],[0,1],[1,1]]: x1 = [1,-1] -> [1,-1,0] code 100; x2 = [-1,1] -> 010; x3 = [1,1] -> 111.
        // K = [[3,1,1],[1,3,1],[1,1,3]], det 20, score ln 20.
        var layer = nn.Linear(2, 3);
        Set(layer.weight!, [1, 0, 0, 1, 1, 1]);
        Set(layer.bias!, [0, 0, 0]);
        using var net = nn.Sequential(layer, nn.ReLU(), nn.Linear(3, 2));
        using var x = tensor(new float[] { 1, -1, -1, 1, 1, 1 }, [3, 2]);
        Assert.Equal(Math.Log(20), ZeroCostProxies.Naswot(net, x), 10);
    }

    [Fact]
    public void GradNormOfAZeroLinearLayer()
    {
        // W = 0: softmax = [0.5, 0.5]; x = [1, 2], target 0: dL/dW = ([0.5,0.5] - [1,0])^T x = [[-0.5,-1],[0.5,1]]; norm sqrt(2.5).
        var layer = nn.Linear(2, 2);
        Set(layer.weight!, [0, 0, 0, 0]);
        Set(layer.bias!, [0, 0]);
        using var net = nn.Sequential(layer);
        using var x = tensor(new float[] { 1, 2 }, [1, 2]);
        using var y = tensor(new long[] { 0 }, [1]);
        Assert.Equal(Math.Sqrt(2.5), ZeroCostProxies.GradNorm(net, x, y), 6);
        Assert.Null(layer.weight!.grad);
    }

    [Fact]
    public void Nb201ScoresAreReproducibleAndRankCutCellsLast()
    {
        var data = TorchTestData.Digits.Train;
        ProxyScores Score(string arch) => ZeroCostProxies.Score(new Nb201Architecture(Nb201Cell.Parse(arch), Channels: 4, CellsPerStage: 1), data, batchSize: 32, seed: 3);
        var conv = Score("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        var again = Score("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        var skip = Score("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|");
        var cut = Score("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        Assert.True(conv.Succeeded, conv.Error);
        Assert.Equal(conv, again);
        Assert.Equal(0.0, cut.SynFlow);
        Assert.True(conv.SynFlow > skip.SynFlow && skip.SynFlow > 0, $"synflow conv {conv.SynFlow}, skip {skip.SynFlow}");
        Assert.True(conv.Naswot > cut.Naswot, $"naswot conv {conv.Naswot}, cut {cut.Naswot}");
        Assert.True(conv.GradNorm > 0 && skip.GradNorm > 0);
        Assert.True(conv.Parameters > skip.Parameters);
    }

    [Fact]
    public void UnbuildableCandidateIsAFailedScore()
    {
        var s = ZeroCostProxies.Score(new Nb201Architecture(Nb201Cell.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")), TorchTestData.DigitsFlat.Train, batchSize: 8);
        Assert.False(s.Succeeded);
        Assert.Contains("Nb201Architecture needs image input [C, H, W]; got sample shape [64]", s.Error);
    }

    [Fact]
    public void GradSign_CountsAgreeingGradientSigns()
    {
        // A linear classifier 2 -> 2 without bias: every sample's gradient is (softmax - onehot) x^T, 4 nonzero entries.
        var linear = nn.Linear(2, 2, hasBias: false);
        Set(linear.weight!, [0.1f, -0.2f, 0.3f, 0.05f]);
        var model = nn.Sequential(("fc", (nn.Module<Tensor, Tensor>)linear));
        using var x = tensor(new float[] { 1, 2, 1, 2, 1, 2 }, [3, 2]);
        using var same = tensor(new long[] { 0, 0, 0 }, [3]);
        Assert.Equal(12.0, ZeroCostProxies.GradSign(model, x, same, samples: 3), 6);    // 3 samples agree on 4 weights
        using var opposite = tensor(new long[] { 0, 1, 0 }, [3]);
        Assert.Equal(4.0, ZeroCostProxies.GradSign(model, x, opposite, samples: 3), 6); // two cancel: |1 - 1 + 1| per weight
        Assert.Equal(0.0, ZeroCostProxies.GradSign(model, x, opposite, samples: 2), 6);       // the first two cancel exactly
    }
}
