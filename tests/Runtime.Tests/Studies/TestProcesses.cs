using System.Collections.Concurrent;
using System.Diagnostics;

namespace NasNotebooks.Runtime.Tests.Studies;

/// <summary>A Runtime.WorkerHost child process (<c>dotnet Runtime.WorkerHost.dll ...</c>) with its output lines.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private WorkerProcess(Process process) => _process = process;

    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "Runtime.WorkerHost.dll");

    private static string DotnetHost =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static WorkerProcess Start(params string[] args)
    {
        Assert.True(File.Exists(HostDll), $"{HostDll} is missing; build tests/Runtime.WorkerHost (referenced by the test project).");
        var psi = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(HostDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_TieredPGO"] = "0";
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var w = new WorkerProcess(p);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) w._lines.Enqueue(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) w._errors.Enqueue(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return w;
    }

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Errors => string.Join("\n", _errors);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Trial ids of the "done ID DNA" lines.</summary>
    public IReadOnlyList<int> Done => Lines.Where(l => l.StartsWith("done ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[1])).ToArray();

    /// <summary>Trial ids of the "start ID" lines.</summary>
    public IReadOnlyList<int> Started => Lines.Where(l => l.StartsWith("start ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[1])).ToArray();

    /// <summary>Trial id of the "hang ID" line, or null.</summary>
    public int? Hanging => Lines.Where(l => l.StartsWith("hang ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[1])).FirstOrDefault();

    /// <summary>SIGKILL: no clean-up of any kind in the child.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
            Assert.Fail($"Worker did not exit within {timeout}. Output:\n{string.Join("\n", Lines.TakeLast(20))}\nErrors:\n{Errors}");
        _process.WaitForExit(); // flush the redirected streams
        Assert.True(_process.ExitCode == 0, $"Worker exited with {_process.ExitCode}. Errors:\n{Errors}\nOutput:\n{string.Join("\n", Lines.TakeLast(20))}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    /// <summary>Polls <paramref name="condition"/> until true or the timeout.</summary>
    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) Assert.Fail($"Timed out after {timeout} waiting for {what}.");
            Thread.Sleep(20);
        }
    }
}
