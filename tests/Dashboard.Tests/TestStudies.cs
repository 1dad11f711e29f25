using System.Collections.Concurrent;
using System.Diagnostics;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Tests;

/// <summary>Studies written through the real search loop into real stores, with every kind of trial the pages show.</summary>
internal static class TestStudies
{
    /// <summary>Width, activation (strings) and a log-scale learning rate.</summary>
    public static SymDict Space() => NasNotebooks.Dsl.Space.Dict()
        .OneOf("width", 16, 32, 64)
        .OneOf("activation", "relu", "gelu", "tanh")
        .Float("lr", 1e-4, 1e-1, Scale.Log)
        .Build();

    public static double Accuracy(SymDict d) =>
        0.6 + 0.05 * Math.Log2(Convert.ToDouble(d["width"]) / 16) + ((string)d["activation"]! == "gelu" ? 0.08 : 0)
        - 0.05 * Math.Abs(Math.Log10(Convert.ToDouble(d["lr"])) + 2.5);

    /// <summary>
    /// "demo": every trial reports steps 1-3; trial ids divisible by 7 fail (diverged), by 5 are pruned (skipped after
    /// reporting), the others complete with a params metric.
    /// </summary>
    public static IReadOnlyList<Trial> WriteDemo(IStudyStore store, string name = "demo", int trials = 40)
    {
        var options = new SearchOptions { Store = store, StudyName = name, MaxTrials = trials };
        foreach (var (c, f) in Search.Sample(Space(), Runtime.Algorithms.AlgorithmCatalog.Create("random", 3), options))
        {
            var d = (SymDict)c!;
            double acc = Accuracy(d);
            for (int s = 1; s <= 3; s++) f.Report(s, acc * (0.7 + 0.1 * s));
            if (f.TrialId % 7 == 0) f.Fail("diverged: loss NaN at epoch 2");
            else if (f.TrialId % 5 == 0) f.Skip("stopped early after epoch 3");
            else f.Done(acc, new Dictionary<string, double> { ["params"] = 1000 * Convert.ToDouble(d["width"]) });
        }
        return store.GetTrials(name);
    }

    /// <summary>"multi": two objectives, accuracy and minus the parameter count.</summary>
    public static IReadOnlyList<Trial> WriteMulti(IStudyStore store, string name = "multi", int trials = 30)
    {
        var options = new SearchOptions { Store = store, StudyName = name, MaxTrials = trials };
        foreach (var (c, f) in Search.Sample(Space(), Runtime.Algorithms.AlgorithmCatalog.Create("random", 4), options))
        {
            var d = (SymDict)c!;
            f.Done([Accuracy(d), -1000 * Convert.ToDouble(d["width"]) - 10 * f.TrialId]);
        }
        return store.GetTrials(name);
    }
}

/// <summary>A <c>Runtime.WorkerHost</c> process (a study worker, as on another machine) with its output lines and when each arrived.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<(string Line, long At)> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(params string[] args)
    {
        var dll = System.IO.Path.Combine(AppContext.BaseDirectory, "Runtime.WorkerHost.dll");
        Assert.True(System.IO.File.Exists(dll), $"{dll} is missing; build tests/Runtime.WorkerHost (referenced by this test project).");
        var host = Environment.ProcessPath is { } p && System.IO.Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi };
        var w = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) w._lines.Enqueue((e.Data, Stopwatch.GetTimestamp())); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) w._errors.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return w;
    }

    public IReadOnlyList<(string Line, long At)> Lines => _lines.ToArray();

    public string Output => string.Join("\n", _lines.Select(l => l.Line)) + "\n" + string.Join("\n", _errors);

    /// <summary>Waits for a line starting with <paramref name="prefix"/>; returns it and the timestamp it arrived at.</summary>
    public (string Line, long At) WaitForLine(string prefix, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            foreach (var l in _lines) if (l.Line.StartsWith(prefix, StringComparison.Ordinal)) return l;
            if (_process.HasExited && !_lines.Any(l => l.Line.StartsWith(prefix, StringComparison.Ordinal)))
            {
                _process.WaitForExit(); // the output may still be arriving: wait for the end of the streams
                foreach (var l in _lines) if (l.Line.StartsWith(prefix, StringComparison.Ordinal)) return l;
                Assert.Fail($"the worker exited ({_process.ExitCode}) without printing '{prefix}...':\n{Output}");
            }
            Thread.Sleep(10);
        }
        Assert.Fail($"no '{prefix}...' line from the worker within {timeout}:\n{Output}");
        return default;
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
