using System.Globalization;
using TorchSharp;

namespace NasNotebooks.Runtime.Torch;

/// <summary>Kind of device a <see cref="DeviceSpec"/> asks for.</summary>
public enum DeviceKind
{
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA GPU (index 0 unless given).</summary>
    Cuda,
    /// <summary>CUDA device 0 when <c>torch.cuda.is_available()</c>, else the CPU.</summary>
    Auto,
}

/// <summary>
/// Where to train: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>. A CUDA device that is not
/// available is an error when resolved, never a silent fallback to the CPU.
/// </summary>
/// <param name="Kind">The kind.</param>
/// <param name="Index">The CUDA device index (only with <see cref="DeviceKind.Cuda"/>).</param>
/// <example><code>torch.Device d = DeviceSpec.Parse("auto").Resolve();</code></example>
public sealed record DeviceSpec(DeviceKind Kind, int Index = 0)
{
    /// <summary>The CPU.</summary>
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>CUDA when available, else the CPU.</summary>
    public static DeviceSpec Auto { get; } = new(DeviceKind.Auto);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> (N ≥ 0) or <c>auto</c>, ignoring case and surrounding spaces.</summary>
    /// <exception cref="FormatException">Any other text; the message names it and the expected forms.</exception>
    public static DeviceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "cpu":
                return Cpu;
            case "auto":
                return Auto;
            case "cuda":
                return new DeviceSpec(DeviceKind.Cuda, 0);
        }
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return new DeviceSpec(DeviceKind.Cuda, index);
        }
        throw new FormatException($"Device '{text}' is not recognised; expected 'cpu', 'cuda', 'cuda:N' (N a device index ≥ 0) or 'auto'.");
    }

    /// <summary>
    /// The TorchSharp device this spec means on this machine.
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available, or the index is out of range.</exception>
    public torch.Device Resolve()
    {
        switch (Kind)
        {
            case DeviceKind.Cpu:
                return torch.CPU;
            case DeviceKind.Auto:
                return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
            default:
                if (!torch.cuda.is_available())
                {
                    throw new InvalidOperationException(
                        $"Device '{this}' was requested but CUDA is not available: the loaded TorchSharp backend has no CUDA support " +
                        "or no GPU/driver is visible. Use 'cpu' or 'auto', or reference TorchSharp-cuda-linux (see docs/cuda.md).");
                }
                int count = torch.cuda.device_count();
                if (Index >= count)
                {
                    throw new InvalidOperationException($"Device '{this}' was requested but only {count} CUDA device(s) exist (cuda:0..cuda:{count - 1}).");
                }
                return new torch.Device(DeviceType.CUDA, Index);
        }
    }

    /// <summary>The canonical text form: <c>cpu</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Auto => "auto",
        _ => $"cuda:{Index}",
    };
}
