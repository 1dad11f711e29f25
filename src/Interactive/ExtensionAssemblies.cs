namespace NasNotebooks.Interactive;

using System.Reflection;
using System.Runtime.Loader;

/// <summary>
/// Resolves the extension's own dependencies. dotnet-interactive loads every DLL of
/// <c>interactive-extensions/dotnet</c> into the default load context and resolves the package's <c>lib/</c>
/// assemblies once they are referenced; this handler makes <c>NasNotebooks.Magics</c> (next to the extension) and
/// the DSL and runtime (the package's <c>lib/net10.0</c>) load by path whatever the order, also when the extension
/// is hosted elsewhere (tests load it from an unpacked package).
/// </summary>
internal static class ExtensionAssemblies
{
    private static readonly object Gate = new();
    private static readonly List<string> Folders = [];
    private static bool _installed;

    /// <summary>Adds the folder of <paramref name="extensionAssemblyPath"/> and the package's lib/net10.0 to the probed folders.</summary>
    public static void Install(string extensionAssemblyPath)
    {
        if (string.IsNullOrEmpty(extensionAssemblyPath))
        {
            return;
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(extensionAssemblyPath))!;
        var lib = Path.GetFullPath(Path.Combine(folder, "..", "..", "lib", "net10.0"));
        lock (Gate)
        {
            foreach (var f in new[] { folder, lib })
            {
                if (Directory.Exists(f) && !Folders.Contains(f))
                {
                    Folders.Add(f);
                }
            }
            if (!_installed)
            {
                AssemblyLoadContext.Default.Resolving += Resolve;
                _installed = true;
            }
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name is null || !name.Name.StartsWith("NasNotebooks.", StringComparison.Ordinal))
        {
            return null;
        }
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName()));
        if (loaded is not null)
        {
            return loaded;
        }
        string[] folders;
        lock (Gate)
        {
            folders = [.. Folders];
        }
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, name.Name + ".dll");
            if (File.Exists(path))
            {
                return context.LoadFromAssemblyPath(path);
            }
        }
        return null;
    }
}
