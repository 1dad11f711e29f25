using NasNotebooks.Tests;

namespace NasNotebooks.Kernel.Tests;

/// <summary>Runs Debian's /usr/bin/python3 (which has jupyter_client, pyzmq, nbconvert) for the acceptance tests.</summary>
internal static class PythonJupyter
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The dotnet host running the tests (used to run the kernel's CLI).</summary>
    public static string Dotnet => KernelSpec.DotnetHost();

    public static string KernelDll => Path.Combine(AppContext.BaseDirectory, "nasnotebooks-kernel.dll");

    public static string ClientScript(string name) => Path.Combine(AppContext.BaseDirectory, "client", name);

    /// <summary>Null when the modules import; otherwise a message naming the Debian packages to install.</summary>
    public static string? MissingModules(params (string Module, string DebianPackage)[] modules)
    {
        if (!File.Exists(Python))
        {
            return $"{Python} not found: install Debian's python3 and {string.Join(" ", modules.Select(m => m.DebianPackage))} " +
                   $"(apt-get install -y python3 {string.Join(" ", modules.Select(m => m.DebianPackage))})";
        }
        var missing = new List<string>();
        foreach (var (module, package) in modules)
        {
            var r = Run([ "-c", "import " + module ], null, TimeSpan.FromSeconds(60));
            if (r.ExitCode != 0)
            {
                missing.Add($"Python module '{module}' is missing for {Python}: install the Debian package {package} (apt-get install -y {package})");
            }
        }
        return missing.Count == 0 ? null : string.Join("\n", missing);
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan timeout, string? fileName = null) =>
        ProcessRunner.Run(fileName ?? Python, args, timeout, env);

    public static string NewTempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
