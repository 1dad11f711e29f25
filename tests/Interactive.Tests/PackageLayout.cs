using System.IO.Compression;

namespace NasNotebooks.Interactive.Tests;

/// <summary>
/// The NasNotebooks package as dotnet-interactive sees it: packed from this build (<c>dotnet pack --no-build</c>)
/// into a temporary folder and unpacked, once per test run.
/// </summary>
internal static class PackageLayout
{
    private static readonly Lazy<(string Packages, string Root)> Packed = new(() =>
    {
        // One folder per checkout, replaced by each run, under artifacts/ (a temp folder would stay behind after every run:
        // the test host is stopped without running exit handlers).
        var packages = Path.Combine(Processes.RepoRoot, "artifacts", "test-packages", "interactive-tests");
        if (Directory.Exists(packages)) Directory.Delete(packages, recursive: true);
        Directory.CreateDirectory(packages);
        var project = Path.Combine(Processes.RepoRoot, "pack", "NasNotebooks");
        var r = Processes.Run("dotnet", ["pack", project, "-c", Processes.Configuration, "--no-build", "-o", packages], TimeSpan.FromMinutes(5));
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack {project} failed: {r}");
        }
        var nupkg = Directory.GetFiles(packages, "NasNotebooks.*.nupkg").Single();
        var root = Path.Combine(packages, "unpacked");
        ZipFile.ExtractToDirectory(nupkg, root);
        return (packages, root);
    });

    /// <summary>The unpacked package.</summary>
    public static string Root => Packed.Value.Root;

    /// <summary>The package's <c>lib/net10.0</c>.</summary>
    public static string Lib => Path.Combine(Root, "lib", "net10.0");

    /// <summary>The package's <c>interactive-extensions/dotnet</c>.</summary>
    public static string ExtensionFolder => Path.Combine(Root, "interactive-extensions", "dotnet");
}
