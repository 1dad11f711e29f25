using TorchSharp;
using static TorchSharp.torch;

namespace NasNotebooks.Runtime.Torch.Modules;

/// <summary>
/// Tensor arithmetic whose scalar operands stay alive for the whole native call. TorchSharp 0.107's
/// <c>add(Tensor)</c>, <c>add(Scalar)</c>, <c>add_(Tensor)</c> and <c>mul(double)</c> convert their numbers to
/// temporary <see cref="Scalar"/> objects and pass only the handles to libtorch; under GC pressure the finalizer can
/// free such a Scalar while the call still reads it (seen as "toFloat: Expected false to be true" from
/// <c>add</c> in a full test run). Here each Scalar is disposed after the call, which keeps it reachable until then.
/// </summary>
internal static class ScalarSafeOps
{
    /// <summary><paramref name="a"/> + <paramref name="b"/>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b)
    {
        using var one = 1.0.ToScalar();
        return a.add(b, one);
    }

    /// <summary><paramref name="a"/> += <paramref name="b"/>, in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b)
    {
        using var one = 1.0.ToScalar();
        return a.add_(b, one);
    }

    /// <summary><paramref name="a"/> + <paramref name="value"/>, element-wise.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.0.ToScalar();
        return a.add(v, one);
    }

    /// <summary><paramref name="a"/> · <paramref name="factor"/>.</summary>
    public static Tensor Times(this Tensor a, double factor)
    {
        using var f = factor.ToScalar();
        return a.mul(f);
    }
}
