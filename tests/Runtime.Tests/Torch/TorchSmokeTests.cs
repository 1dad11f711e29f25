using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>TorchSharp loads (with the libLibTorchSharp fix where needed) and trains.</summary>
[Collection(TorchTestData.Collection)]
public class TorchSmokeTests
{
    [Fact]
    public void TensorOpComputesExactValues()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void TrainingStepLowersTheLossOfALinearModel()
    {
        manual_seed(1);
        using var model = nn.Linear(2, 1);
        using var x = tensor(new float[] { 0, 0, 1, 0, 0, 1, 1, 1 }, [4, 2]);
        using var y = tensor(new float[] { 1, 3, 4, 6 }, [4, 1]); // y = 1 + 2 x0 + 3 x1
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        float first = 0, last = 0;
        for (int step = 0; step < 200; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(x), y);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0)
            {
                first = last;
            }
        }
        Assert.True(last < first / 100, $"loss {first} -> {last}");
        float[] w = model.weight!.data<float>().ToArray();
        Assert.Equal(2.0, w[0], 1);
        Assert.Equal(3.0, w[1], 1);
    }
}
