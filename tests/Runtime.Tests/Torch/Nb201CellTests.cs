using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

[Collection(TorchTestData.Collection)]
public class Nb201CellTests
{
    private const string Arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    [Fact]
    public void ParsesEdgesInOfficialOrderAndRoundTrips()
    {
        var cell = Nb201Cell.Parse(Arch);
        Assert.Equal(
            new[] { Nb201Op.NorConv3x3, Nb201Op.NorConv3x3, Nb201Op.AvgPool3x3, Nb201Op.SkipConnect, Nb201Op.NorConv3x3, Nb201Op.SkipConnect },
            cell.Ops);
        Assert.Equal(Nb201Op.AvgPool3x3, cell.Edge2From1);
        Assert.Equal(Arch, cell.ToString());
        Assert.Equal(cell, Nb201Cell.FromOps(cell.Ops));
        Assert.Equal(new[] { (1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2) }, Nb201Cell.Edges);
    }

    [Theory]
    [InlineData("|none~0|+|none~0|none~1|", "must have 3 nodes")]
    [InlineData("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 needs 2 edge(s), got 1")]
    [InlineData("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must be op~0")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "Unknown NB201 operation 'conv'")]
    public void RejectsMalformedStrings(string arch, string message)
    {
        var e = Assert.Throws<FormatException>(() => Nb201Cell.Parse(arch));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ArchitectureRecordsCompareByValue()
    {
        Assert.Equal(new MlpArchitecture([128, 64]), new MlpArchitecture(new List<int> { 128, 64 }));
        Assert.Equal(new MlpArchitecture([128, 64]).GetHashCode(), new MlpArchitecture(new List<int> { 128, 64 }).GetHashCode());
        Assert.NotEqual(new MlpArchitecture([128, 64]), new MlpArchitecture([64, 128]));
        Assert.Equal(new CnnArchitecture([new CnnStage(1, 16)]), new CnnArchitecture([new CnnStage(1, 16)]));
        Assert.Equal("Mlp([128, 64], ReLU, dropout=0.5, None)", new MlpArchitecture([128, 64], Dropout: 0.5).ToString());
    }
}
