using NasNotebooks.Runtime.Torch;

namespace NasNotebooks.Runtime.Tests.Torch;

[Collection(TorchTestData.Collection)]
public class DeviceSpecTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0, "cpu")]
    [InlineData(" CPU ", DeviceKind.Cpu, 0, "cpu")]
    [InlineData("cuda", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:0", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("CUDA:3", DeviceKind.Cuda, 3, "cuda:3")]
    [InlineData("auto", DeviceKind.Auto, 0, "auto")]
    public void ParsesTheFourForms(string text, DeviceKind kind, int index, string canonical)
    {
        var spec = DeviceSpec.Parse(text);
        Assert.Equal(new DeviceSpec(kind, index), spec);
        Assert.Equal(canonical, spec.ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    [InlineData("mps")]
    public void RejectsOtherTextWithTheExpectedForms(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));
        Assert.Equal($"Device '{text}' is not recognised; expected 'cpu', 'cuda', 'cuda:N' (N a device index ≥ 0) or 'auto'.", e.Message);
    }

    [Fact]
    public void CpuAndAutoResolveOnThisMachine()
    {
        Assert.Equal(TorchSharp.DeviceType.CPU, DeviceSpec.Cpu.Resolve().type);
        var expected = TorchSharp.torch.cuda.is_available() ? TorchSharp.DeviceType.CUDA : TorchSharp.DeviceType.CPU;
        Assert.Equal(expected, DeviceSpec.Auto.Resolve().type);
    }

    [SkippableFact]
    public void UnavailableCudaIsAnError()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "CUDA is available here: the error for a missing CUDA device can only be seen on a CPU-only machine");
        var e = Assert.Throws<InvalidOperationException>(() => DeviceSpec.Parse("cuda").Resolve());
        Assert.StartsWith("Device 'cuda:0' was requested but CUDA is not available", e.Message);
        Assert.Contains("docs/cuda.md", e.Message);
    }
}
