using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>Parameter counts and FLOPs (MACs) against hand-computed values.</summary>
[Collection(TorchTestData.Collection)]
public class ModelProfilerTests
{
    private static ModelProfile Profile(NetworkArchitecture arch, long[] sample, int classes = 10)
    {
        using var model = arch.Build(sample, classes);
        return ModelProfiler.Profile(model, sample);
    }

    [Fact]
    public void Mlp_64_128_128_10()
    {
        // Linear 64->128: 64*128 + 128 = 8320 params, 8192 MACs
        // Linear 128->128: 16384 + 128 = 16512 params, 16384 MACs
        // Linear 128->10: 1280 + 10 = 1290 params, 1280 MACs
        var p = Profile(new MlpArchitecture([128, 128]), [64]);
        Assert.Equal(26122, p.Parameters);
        Assert.Equal(25856, p.Flops);
        Assert.Equal(new long[] { 1, 10 }, p.OutputShape);
        // Images are flattened: same counts for [1, 8, 8].
        Assert.Equal(26122, Profile(new MlpArchitecture([128, 128]), [1, 8, 8]).Parameters);
    }

    [Fact]
    public void Cnn_conv3x3_16_conv3x3_32_linear_10_without_padding()
    {
        // conv 1->16 3x3: 16*9 + 16 = 160 params; out 6x6x16: 36*16*9 = 5184 MACs
        // conv 16->32 3x3: 32*16*9 + 32 = 4640 params; out 4x4x32: 16*32*144 = 73728 MACs
        // linear 512->10: 5120 + 10 = 5130 params, 5120 MACs
        var arch = new CnnArchitecture([new CnnStage(1, 16), new CnnStage(1, 32)], SamePadding: false);
        var p = Profile(arch, [1, 8, 8]);
        Assert.Equal(9930, p.Parameters);
        Assert.Equal(84032, p.Flops);
    }

    [Fact]
    public void CnnWithBatchNormPoolingAndGlobalPool()
    {
        // conv 1->8 3x3 same, no bias (BN): 72 params + BN 16; 8x8x8 out: 64*8*9 = 4608 MACs; pool -> 4x4
        // conv 8->8 3x3 same, no bias: 576 + BN 16; 16*8*72 = 9216 MACs; gap -> 8; linear 8->10: 90 params, 80 MACs
        var arch = new CnnArchitecture(
            [new CnnStage(1, 8, 3, Activation.ReLU, Normalization.BatchNorm, Pool: true), new CnnStage(1, 8, 3, Activation.GELU, Normalization.BatchNorm)],
            SamePadding: true, GlobalPool: true);
        var p = Profile(arch, [1, 8, 8]);
        Assert.Equal(72 + 16 + 576 + 16 + 90, p.Parameters);
        Assert.Equal(4608 + 9216 + 80, p.Flops);
    }

    [Fact]
    public void Nb201_C4_N1_on_8x8()
    {
        // cell |nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|avg_pool_3x3~1|none~2|
        // params: stem 36 + BN 8 = 44; cell C=4: (144+8) + (16+8) = 176;
        //   reduction 4->8: (288+16) + (576+16) + 32 = 928; cell C=8: (576+16) + (64+16) = 672;
        //   reduction 8->16: (1152+32) + (2304+32) + 128 = 3648; cell C=16: (2304+32) + (256+32) = 2624;
        //   last BN 32; classifier 160 + 10 = 170.  Total 8294.
        // MACs: stem 64*4*9 = 2304; cell 8x8: 64*4*36 + 64*4*4 = 10240;
        //   reduction -> 4x4: 16*8*36 + 16*8*72 + 16*8*4 = 14336; cell 4x4: 16*8*72 + 16*8*8 = 10240;
        //   reduction -> 2x2: 4*16*72 + 4*16*144 + 4*16*8 = 14336; cell 2x2: 4*16*144 + 4*16*16 = 10240;
        //   classifier 160.  Total 61856.
        var cell = Nb201Cell.Parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|avg_pool_3x3~1|none~2|");
        var p = Profile(new Nb201Architecture(cell, Channels: 4, CellsPerStage: 1), [1, 8, 8]);
        Assert.Equal(8294, p.Parameters);
        Assert.Equal(61856, p.Flops);
        Assert.Equal(new long[] { 1, 10 }, p.OutputShape);
    }

    [SkippableFact]
    public void Nb201CifarNetworkMatchesTheBenchmarkParameterCounts()
    {
        string csv = Path.Combine(TorchTestData.SharedData, "nb201-cifar10.csv");
        Skip.IfNot(File.Exists(csv), $"{csv} is absent: the NB201 table (../shared/data) gives the parameter counts to compare with.");
        foreach (string line in File.ReadLines(csv).Skip(1).Take(4))
        {
            string[] cells = line.Split(',');
            var arch = new Nb201Architecture(Nb201Cell.Parse(cells[1]), Channels: 16, CellsPerStage: 5);
            using var model = arch.Build([3, 32, 32], 10);
            Assert.True(long.Parse(cells[4]) == ModelProfiler.CountParameters(model), $"{cells[1]}: expected {cells[4]}, got {ModelProfiler.CountParameters(model)}");
        }
    }
}
