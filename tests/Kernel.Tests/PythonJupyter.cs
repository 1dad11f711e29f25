using System.Diagnostics;
using System.Text;

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

    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan timeout, string? fileName = null)
    {
        var psi = new ProcessStartInfo(fileName ?? Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, stdout.ToString(), stderr + $"\n(timed out after {timeout.TotalSeconds} s)");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static string NewTempDir(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
