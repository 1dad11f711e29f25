namespace NasNotebooks.Interactive;

using Microsoft.DotNet.Interactive;
using NasNotebooks.Magics;
using NasNotebooks.Magics.Nas;

/// <summary>What <see cref="NasKernelExtension.OnLoadAsync"/> does once the shared assemblies resolve.</summary>
internal static class ExtensionLoader
{
    /// <summary>The kernels (by language) that get <c>#!nas</c>.</summary>
    internal static readonly string[] Languages = ["C#", "F#"];

    /// <summary>Registers the formatters and adds <c>#!nas</c> to every C# and F# kernel of <paramref name="kernel"/>.</summary>
    /// <exception cref="InvalidOperationException">No C# or F# kernel, or one that already has a <c>#!nas</c> directive.</exception>
    public static void Load(Kernel kernel)
    {
        var targets = TargetKernels(kernel);
        if (targets.Count == 0)
        {
            throw new InvalidOperationException("it has no C# or F# kernel (#!nas runs in csharp and fsharp cells)");
        }
        foreach (var k in targets)
        {
            if (k.KernelInfo.SupportedDirectives.Any(d => d.Name == NasDirective.Name))
            {
                throw new InvalidOperationException(
                    $"the {k.Name} kernel already has a {NasDirective.Name} magic command (from another extension, or another version of NasNotebooks loaded in this session); restart the kernel and reference one version");
            }
        }
        InteractiveFormatters.Register();
        var magics = new MagicRegistry();
        NasMagics.Register(magics);
        foreach (var k in targets)
        {
            NasDirective.AddTo(k, magics);
        }
    }

    /// <summary>The root's C# and F# children (or the kernel itself when it is one).</summary>
    internal static IReadOnlyList<Kernel> TargetKernels(Kernel kernel)
    {
        IEnumerable<Kernel> candidates = kernel is CompositeKernel composite ? composite.ChildKernels : [kernel];
        return candidates.Where(k => Languages.Contains(k.KernelInfo.LanguageName) || k.Name is "csharp" or "fsharp").ToList();
    }
}
