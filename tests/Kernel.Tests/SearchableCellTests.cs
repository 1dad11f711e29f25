using System.Text.Json.Nodes;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Tests;

/// <summary>Cells that declare [Searchable] types go through the source generator (in process, no sockets).</summary>
public sealed class SearchableCellTests : IDisposable
{
    private readonly KernelServer _server = new(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));
    private readonly KernelHost _host;

    public SearchableCellTests() => _host = new KernelHost(_server, MagicRegistry.CreateDefault(), restartInProcess: true);

    public void Dispose() => _server.Dispose();

    private static void Ok(JsonObject reply) => Assert.True(reply["status"]!.GetValue<string>() == "ok", reply.ToJsonString());

    [Fact]
    public async Task SearchableTypes_DeclaredInACell_GetTheirGeneratedSpace_AndLaterCellsUseThem()
    {
        Ok(await _host.ExecuteForTestAsync("""
            enum Act { Relu, Gelu }
            [Searchable]
            partial record Layer
            {
                [OneOf(16, 32)] public int Width { get; init; } = 16;
                [OneOf(Act.Relu, Act.Gelu)] public Act Act { get; init; }
            }
            var layerCount = Layer.Spec.SpaceSize;
            """));
        Assert.Equal(4, (int)((IKernelContext)_host).GetVariable<System.Numerics.BigInteger?>("layerCount")!.Value);
        Ok(await _host.ExecuteForTestAsync("""
            [Searchable]
            public partial class Model
            {
                [Repeat(1, 2)] public List<Layer> Layers { get; set; } = new();
                [FloatRange(1e-4, 1e-1, Scale.Log)] public double Lr { get; set; } = 1e-3;
            }
            var m = Model.Materialize(Model.Spec.Random(new Random(1)));
            var roundTrip = Model.Materialize(m.Encode()).Encode() == m.Encode();
            """));
        Assert.True(((IKernelContext)_host).GetVariable<bool>("roundTrip"));
    }

    [Fact]
    public async Task GeneratorDiagnostics_AndCompileErrors_PointIntoTheCell()
    {
        var notPartial = await _host.ExecuteForTestAsync("var a = 1;\n[Searchable]\npublic class Plain\n{\n    [OneOf(1, 2)] public int X { get; set; }\n}");
        Assert.Equal("error", notPartial["status"]!.GetValue<string>());
        Assert.Contains("(3,", notPartial["evalue"]!.GetValue<string>());
        Assert.Contains("NAS001", notPartial["evalue"]!.GetValue<string>());
        var typeError = await _host.ExecuteForTestAsync("[Searchable]\npublic partial class Bad\n{\n    [OneOf(1, 2)] public int X { get; set; }\n    public int Y => \"text\";\n}");
        Assert.Equal("error", typeError["status"]!.GetValue<string>());
        Assert.Contains("(5,21): error CS0029", typeError["evalue"]!.GetValue<string>());
    }
}
