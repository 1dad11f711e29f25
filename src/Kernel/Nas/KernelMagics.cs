using NasNotebooks.Magics;
namespace NasNotebooks.Kernel.Nas;

/// <summary>The magic commands of the Jupyter kernel: the shared ones plus those only this host has.</summary>
public static class KernelMagics
{
    /// <summary>
    /// <see cref="MagicRegistry.CreateDefault"/> (the <c>#!nas</c> commands both hosts share, <c>#!time</c>) plus
    /// <c>#!nas dashboard</c>, which serves the live dashboard from the kernel process (ASP.NET Core; not offered by
    /// the .NET Interactive extension).
    /// </summary>
    public static MagicRegistry CreateDefault()
    {
        var registry = MagicRegistry.CreateDefault();
        registry.Group("nas").Add(new DashboardMagic());
        return registry;
    }
}
