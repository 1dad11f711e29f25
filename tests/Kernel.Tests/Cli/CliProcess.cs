using System.Collections.Concurrent;
using System.Diagnostics;

namespace NasNotebooks.Kernel.Tests.Cli;

/// <summary>
/// The <c>nasnotebooks</c> command line run as a user runs it (<c>dotnet nasnotebooks-kernel.dll ARGS</c>, a separate
/// process), with its output lines as they come, signals, and the exit code.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _out = new();
    private readonly ConcurrentQueue<string> _err = new();

    private CliProcess(Process process) => _process = process;

    /// <summary>Starts the command line; with <paramref name="asUser"/> (when the tests run as root) it runs as that user through runuser.</summary>
    public static CliProcess Start(IEnumerable<string> args, string? asUser = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(asUser is null ? PythonJupyter.Dotnet : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (asUser is not null)
        {
            foreach (var a in new[] { "-u", asUser, "--", PythonJupyter.Dotnet }) psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }
        psi.ArgumentList.Add(PythonJupyter.KernelDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_TieredPGO"] = "0";
        var p = new Process { StartInfo = psi };
        var cli = new CliProcess(p);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) cli._out.Enqueue(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) cli._err.Enqueue(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs to the end (failing the test after <paramref name="timeout"/>).</summary>
    public static CliProcess Run(IEnumerable<string> args, TimeSpan? timeout = null, string? asUser = null)
    {
        var cli = Start(args, asUser);
        cli.WaitForExit(timeout ?? TimeSpan.FromMinutes(3));
        return cli;
    }

    public int Pid => _process.Id;

    public IReadOnlyList<string> Out => _out.ToArray();

    public IReadOnlyList<string> Err => _err.ToArray();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Transcript => $"exit {(_process.HasExited ? _process.ExitCode.ToString() : "(running)")}\nstdout:\n{string.Join("\n", Out.TakeLast(30))}\nstderr:\n{string.Join("\n", Err.TakeLast(30))}";

    /// <summary>Trial ids of this worker's "trial N completed ..." lines.</summary>
    public IReadOnlyList<int> Completed => Out.Where(l => l.StartsWith("trial ", StringComparison.Ordinal) && l.Split(' ')[2] == "completed")
        .Select(l => int.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Sends a signal (SIGTERM, SIGINT...) with kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{name} {_process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{name} {_process.Id} failed");
    }

    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            Assert.Fail($"nasnotebooks did not exit within {timeout}.\n{Transcript}");
        _process.WaitForExit(); // flush the redirected streams
    }

    /// <summary>Waits until a stdout line satisfies <paramref name="match"/>; returns it.</summary>
    public string WaitForLine(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var line = Out.FirstOrDefault(match);
            if (line is not null) return line;
            if (sw.Elapsed > timeout) Assert.Fail($"Timed out after {timeout} waiting for {what}.\n{Transcript}");
            if (_process.HasExited && Out.FirstOrDefault(match) is null) Assert.Fail($"nasnotebooks exited before {what}.\n{Transcript}");
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
