using System.Diagnostics;
using System.Security;
using System.Text;

namespace NasNotebooks.Scripts.Tests;

/// <summary>
/// A synthetic results folder as run-tests.sh leaves it: TRX files shaped like those of
/// `dotnet test --logger trx` (xUnit adapter 3.1), the build's status and log, and the
/// `dotnet test --list-tests` output of each test project.
/// </summary>
internal sealed class TestRunFiles : IDisposable
{
    private readonly List<string> _trx = [];

    public TestRunFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "nasnb-report-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Rerun => Path.Combine(Root, "rerun");

    /// <summary>One test result: outcome as vstest writes it (Passed, Failed, NotExecuted, Timeout...).</summary>
    public sealed record TestResult(string Assembly, string Class, string Method, string Outcome, string Message = "", string? Arguments = null)
    {
        public string Name => $"{Class}.{Method}{Arguments}";
    }

    public static TestResult Passed(string assembly, string cls, string method, string? args = null) => new(assembly, cls, method, "Passed", "", args);

    public static TestResult Failed(string assembly, string cls, string method, string message = "Assert.Equal() Failure: Values differ") => new(assembly, cls, method, "Failed", message);

    public static TestResult Skipped(string assembly, string cls, string method, string reason) => new(assembly, cls, method, "NotExecuted", reason);

    /// <summary>Writes a TRX file with these results into the results folder (or a subfolder such as "rerun").</summary>
    public void WriteTrx(IEnumerable<TestResult> results, string? subfolder = null, string? abortedBecause = null, string? discoveringAssembly = null)
    {
        var list = results.ToList();
        var dir = subfolder is null ? Root : Path.Combine(Root, subfolder);
        Directory.CreateDirectory(dir);
        var sb = new StringBuilder();
        sb.Append("""<?xml version="1.0" encoding="utf-8"?>""").Append('\n');
        sb.Append("""<TestRun id="a9bb894a-8dee-4083-91ef-ae6ea5cde7eb" name="@vm 2026-12-06 04:10:47" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">""").Append('\n');
        sb.Append("  <Results>\n");
        var ids = list.Select(_ => (Test: Guid.NewGuid(), Execution: Guid.NewGuid())).ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var r = list[i];
            sb.Append($"""    <UnitTestResult executionId="{ids[i].Execution}" testId="{ids[i].Test}" testName="{X(r.Name)}" computerName="vm" duration="00:00:00.0001157" outcome="{r.Outcome}" testListId="8c84fa94-04c1-424b-9868-57a2d4851a1d">""");
            if (r.Message.Length > 0)
                sb.Append($"\n      <Output>\n        <ErrorInfo>\n          <Message>{X(r.Message)}</Message>\n        </ErrorInfo>\n      </Output>\n    ");
            sb.Append("</UnitTestResult>\n");
        }
        sb.Append("  </Results>\n  <TestDefinitions>\n");
        for (int i = 0; i < list.Count; i++)
        {
            var r = list[i];
            string codeBase = $"/repo/tests/X/bin/Release/net10.0/{r.Assembly}";
            sb.Append($"""    <UnitTest name="{X(r.Name)}" storage="{codeBase.ToLowerInvariant()}" id="{ids[i].Test}">""").Append('\n');
            sb.Append($"""      <Execution id="{ids[i].Execution}" />""").Append('\n');
            sb.Append($"""      <TestMethod codeBase="{codeBase}" adapterTypeName="executor://xunit/VsTestRunner3/netcore/" className="{X(r.Class)}" name="{X(r.Method)}" />""").Append('\n');
            sb.Append("    </UnitTest>\n");
        }
        sb.Append("  </TestDefinitions>\n");
        int Count(string outcome) => list.Count(r => r.Outcome == outcome);
        sb.Append($"""  <ResultSummary outcome="{(abortedBecause is not null || Count("Failed") > 0 ? "Failed" : "Completed")}">""").Append('\n');
        sb.Append($"""    <Counters total="{list.Count}" executed="{list.Count - Count("NotExecuted")}" passed="{Count("Passed")}" failed="{Count("Failed")}" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="{Count("NotExecuted")}" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />""").Append('\n');
        var stdout = discoveringAssembly is null ? "" : $"[xUnit.net 00:00:00.12]   Discovering: {discoveringAssembly}\n[xUnit.net 00:00:00.27]   Starting:    {discoveringAssembly}\n";
        sb.Append($"    <Output>\n      <StdOut>{X(stdout)}</StdOut>\n    </Output>\n");
        sb.Append("    <RunInfos>\n");
        sb.Append("""      <RunInfo computerName="vm" outcome="Error" timestamp="2026-12-06T04:10:49.4816385+00:00">""").Append("\n        <Text>[xUnit.net 00:00:00.48]     T.DynFail [FAIL]</Text>\n      </RunInfo>\n");
        if (abortedBecause is not null)
            sb.Append("""      <RunInfo computerName="vm" outcome="Error" timestamp="2026-12-06T04:10:49.5121767+00:00">""").Append($"\n        <Text>{X(abortedBecause)}</Text>\n      </RunInfo>\n");
        sb.Append("    </RunInfos>\n  </ResultSummary>\n</TestRun>\n");
        var path = Path.Combine(dir, $"_vm_2026-12-06_04_10_{47 + _trx.Count:00}_net10.0.trx");
        _trx.Add(path);
        File.WriteAllText(path, "\uFEFF" + sb, new UTF8Encoding(false));
    }

    /// <summary>What `dotnet test PROJECT --list-tests` printed for a project.</summary>
    public void WriteDiscovered(string project, string assembly, IEnumerable<string> names)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, "discovered")).FullName;
        var sb = new StringBuilder();
        sb.Append($"Test run for /repo/tests/{project}/bin/Release/net10.0/{assembly} (.NETCoreApp,Version=v10.0)\n");
        sb.Append("The following Tests are available:\n");
        foreach (var n in names) sb.Append("    ").Append(n).Append('\n');
        File.WriteAllText(Path.Combine(dir, project + ".txt"), sb.ToString());
    }

    /// <summary>The discovery output of a project whose listing failed (e.g. its assembly was never built).</summary>
    public void WriteDiscoveryFailure(string project, string output)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, "discovered")).FullName;
        File.WriteAllText(Path.Combine(dir, project + ".txt"), output);
    }

    /// <summary>Discovery output listing exactly the given results (the usual, complete case).</summary>
    public void WriteDiscovered(IEnumerable<TestResult> results)
    {
        foreach (var g in results.GroupBy(r => r.Assembly))
            WriteDiscovered(Path.GetFileNameWithoutExtension(g.Key), g.Key, g.Select(r => r.Name));
    }

    public void WriteBuild(int status, string log)
    {
        File.WriteAllText(Path.Combine(Root, "build-status"), status + "\n");
        File.WriteAllText(Path.Combine(Root, "build.log"), log);
    }

    private static string X(string s) => SecurityElement.Escape(s);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Runs scripts/test-report.py (or the script named by $TEST_REPORT_SCRIPT) with Debian's /usr/bin/python3.</summary>
internal static class TestReport
{
    public const string Python = "/usr/bin/python3";

    public static string Script => Environment.GetEnvironmentVariable("TEST_REPORT_SCRIPT") is { Length: > 0 } s ? s : Path.Combine(RepoRoot(), "scripts", "test-report.py");

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NasNotebooks.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("NasNotebooks.sln not found above " + AppContext.BaseDirectory);
    }

    public sealed record Output(int ExitCode, string[] Lines, string Stderr)
    {
        public string Last => Lines.Length > 0 ? Lines[^1] : "";

        public override string ToString() => $"exit {ExitCode}\n{string.Join("\n", Lines)}\n{Stderr}";
    }

    public static Output Run(params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install Debian's python3 (scripts/install-deps.sh does)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "test-report.py did not exit within 60 s");
        return new Output(p.ExitCode, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr.Result);
    }

    public static Output Summary(int status, TestRunFiles run, bool withRerun = false) =>
        withRerun ? Run("summary", status.ToString(), run.Root, run.Rerun) : Run("summary", status.ToString(), run.Root);
}
