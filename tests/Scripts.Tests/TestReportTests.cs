using static NasNotebooks.Scripts.Tests.TestRunFiles;

namespace NasNotebooks.Scripts.Tests;

/// <summary>
/// scripts/test-report.py, which decides CI's verdict, on synthetic results folders: one case per way a run can go
/// wrong. Each failing case also has a flaky test (failed, then passed on the rerun), because that is how the old
/// script hid a broken build: a failure explained by a flake must never excuse another cause.
/// </summary>
public class TestReportTests
{
    private const string Dsl = "NasNotebooks.Dsl.Tests.dll";
    private const string Runtime = "NasNotebooks.Runtime.Tests.dll";

    /// <summary>A run with 3 passing Dsl tests and a Runtime test that failed once and passed when rerun.</summary>
    private static List<TestResult> WithAFlake(TestRunFiles run)
    {
        var first = new List<TestResult>
        {
            Passed(Dsl, "NasNotebooks.Dsl.Tests.DnaTests", "A"),
            Passed(Dsl, "NasNotebooks.Dsl.Tests.DnaTests", "B"),
            Passed(Dsl, "NasNotebooks.Dsl.Tests.DnaTests", "C", "(x: 1)"),
            Failed(Runtime, "NasNotebooks.Runtime.Tests.Flaky", "Sometimes"),
        };
        run.WriteTrx([Passed(Runtime, "NasNotebooks.Runtime.Tests.Flaky", "Sometimes")], subfolder: "rerun");
        return first;
    }

    private static void AssertCauseAboveLastLine(TestReport.Output o, string cause)
    {
        int at = Array.FindIndex(o.Lines, l => l.Contains(cause, StringComparison.Ordinal));
        Assert.True(at >= 0 && at < o.Lines.Length - 1, $"no line with '{cause}' above the last line:\n{o}");
    }

    [Fact]
    public void CleanRun_PassesAndCountsEveryProject()
    {
        using var run = new TestRunFiles();
        var dsl = new[] { Passed(Dsl, "D", "A"), Skipped(Dsl, "D", "B", "NB201 table not found") };
        var rt = new[] { Passed(Runtime, "R", "A"), Passed(Runtime, "R", "T", "(k: 2)") };
        run.WriteBuild(0, "Build succeeded.\n    0 Warning(s)\n    0 Error(s)\n");
        run.WriteTrx(dsl);
        run.WriteTrx(rt);
        run.WriteDiscovered([.. dsl, .. rt]);
        var o = TestReport.Summary(0, run);
        Assert.True(o.ExitCode == 0, o.ToString());
        Assert.Equal(["3 passed, 0 failed, 1 skipped"], o.Lines);
    }

    [Fact]
    public void AFlakyTest_CountsAsPassed_AndIsNamed()
    {
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(0, "Build succeeded.\n");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.True(o.ExitCode == 0, o.ToString());
        Assert.StartsWith("FLAKY (failed, then passed when rerun once) NasNotebooks.Runtime.Tests.Flaky.Sometimes", o.Lines[0]);
        Assert.Equal("4 passed, 0 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void AFailureThatFailsAgain_FailsTheRun_WithItsMessage()
    {
        using var run = new TestRunFiles();
        var first = new[] { Passed(Dsl, "D", "A"), Failed(Dsl, "D", "Broken", "Expected: 1\nActual:   2") };
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteTrx([Failed(Dsl, "D", "Broken", "Expected: 1\nActual:   2")], subfolder: "rerun");
        run.WriteDiscovered(first);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        Assert.Equal("FAILED D.Broken", o.Lines[0]);
        Assert.Equal("    Expected: 1", o.Lines[1]);
        Assert.Equal("1 passed, 1 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void BuildError_FailsTheRun_EvenWhenTheOnlyFailedTestWasAFlake()
    {
        // The issue's reproduction: one project does not compile, another has a test that fails once.
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(1, """
              NasNotebooks.Dsl -> /repo/src/Dsl/bin/Release/net10.0/NasNotebooks.Dsl.dll
            /repo/tests/Generators.Tests/DiagnosticTests.cs(12,5): error CS1002: ; expected [/repo/tests/Generators.Tests/NasNotebooks.Generators.Tests.csproj]

            Build FAILED.

            /repo/tests/Generators.Tests/DiagnosticTests.cs(12,5): error CS1002: ; expected [/repo/tests/Generators.Tests/NasNotebooks.Generators.Tests.csproj]
                0 Warning(s)
                1 Error(s)
            """);
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "BUILD ERROR: /repo/tests/Generators.Tests/DiagnosticTests.cs(12,5): error CS1002: ; expected");
        Assert.Single(o.Lines, l => l.StartsWith("BUILD ERROR", StringComparison.Ordinal)); // the error is printed once
        Assert.Equal("4 passed, 1 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void CrashedTestHost_FailsTheRun_AndTheLostTestsCountAsFailed()
    {
        // vstest writes a TRX without results and a RunInfo naming the crash; the project's tests are missing.
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteTrx([], abortedBecause: "The active test run was aborted. Reason: Test host process crashed : Process terminated.\nboom",
            discoveringAssembly: "NasNotebooks.Kernel.Tests");
        run.WriteDiscovered(first);
        run.WriteDiscovered("NasNotebooks.Kernel.Tests", "NasNotebooks.Kernel.Tests.dll", ["K.One", "K.Two", "K.Three"]);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "TEST RUN ABORTED (NasNotebooks.Kernel.Tests.dll): The active test run was aborted. Reason: Test host process crashed : Process terminated.");
        AssertCauseAboveLastLine(o, "MISSING RESULTS: NasNotebooks.Kernel.Tests.dll: 3 tests discovered, 0 run (not run: K.One, K.Three, K.Two)");
        Assert.Equal("4 passed, 4 failed, 0 skipped", o.Last);
    }

    [Theory]
    [InlineData("Timeout")]
    [InlineData("Error")]
    [InlineData("Aborted")]
    [InlineData("Inconclusive")]
    [InlineData("NotRunnable")]
    [InlineData("PassedButRunAborted")]
    public void OutcomeOtherThanPassedFailedOrSkipped_FailsTheRun_AndIsNotCountedAsSkipped(string outcome)
    {
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        first.Add(new TestResult(Runtime, "R", "Odd", outcome, "the test host stopped answering"));
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, $"OUTCOME {outcome}: R.Odd: the test host stopped answering");
        Assert.Equal("4 passed, 1 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void SkipWithoutAReason_FailsTheRun()
    {
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        first.Add(Skipped(Dsl, "D", "Silent", reason: ""));
        first.Add(Skipped(Dsl, "D", "Explained", reason: "needs the NB201 table"));
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "SKIPPED WITHOUT REASON: D.Silent");
        Assert.DoesNotContain(o.Lines, l => l.Contains("D.Explained", StringComparison.Ordinal));
        Assert.Equal("4 passed, 1 failed, 1 skipped", o.Last);
    }

    [Fact]
    public void FewerTestsRunThanDiscovered_FailsTheRun_NamingTheMissingTests()
    {
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first.Where(r => r.Assembly == Runtime));
        run.WriteDiscovered("NasNotebooks.Dsl.Tests", Dsl, [.. first.Where(r => r.Assembly == Dsl).Select(r => r.Name), "NasNotebooks.Dsl.Tests.DnaTests.Lost"]);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "MISSING RESULTS: NasNotebooks.Dsl.Tests.dll: 4 tests discovered, 3 run (not run: NasNotebooks.Dsl.Tests.DnaTests.Lost)");
        Assert.Equal("4 passed, 1 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void ANewTestProjectWithoutResults_IsFound_ThroughItsDiscoveryOutput()
    {
        // A project added to the solution later is listed by run-tests.sh like the others; if its tests never ran
        // (no TRX at all), the run fails.
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        run.WriteDiscovered("NasNotebooks.Dashboard.Tests", "NasNotebooks.Dashboard.Tests.dll", ["Dash.Renders"]);
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "MISSING RESULTS: NasNotebooks.Dashboard.Tests.dll: 1 tests discovered, 0 run");
    }

    [Fact]
    public void DiscoveryThatFailed_FailsTheRun()
    {
        using var run = new TestRunFiles();
        var first = WithAFlake(run);
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        run.WriteDiscoveryFailure("NasNotebooks.Kernel.Tests", "The test source file \"/repo/tests/Kernel.Tests/bin/Release/net10.0/NasNotebooks.Kernel.Tests.dll\" provided was not found.\n");
        var o = TestReport.Summary(1, run, withRerun: true);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "DISCOVERY FAILED: the tests of NasNotebooks.Kernel.Tests could not be listed: The test source file");
    }

    [Fact]
    public void NoDiscoveryRecord_FailsTheRun()
    {
        using var run = new TestRunFiles();
        var first = new[] { Passed(Dsl, "D", "A") };
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        var o = TestReport.Summary(0, run);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "DISCOVERY FAILED: no test discovery was recorded");
    }

    [Fact]
    public void NonZeroExitWithoutAnyExplanation_FailsTheRun()
    {
        using var run = new TestRunFiles();
        var first = new[] { Passed(Dsl, "D", "A") };
        run.WriteBuild(0, "");
        run.WriteTrx(first);
        run.WriteDiscovered(first);
        var o = TestReport.Summary(3, run);
        Assert.Equal(1, o.ExitCode);
        AssertCauseAboveLastLine(o, "EXIT STATUS: dotnet test exited with 3");
        Assert.Equal("1 passed, 1 failed, 0 skipped", o.Last);
    }

    [Fact]
    public void Filter_SelectsTheFailedTestsByFullyQualifiedName()
    {
        using var run = new TestRunFiles();
        run.WriteTrx([Passed(Dsl, "D", "A"), Failed(Dsl, "N.D", "B"), Failed(Runtime, "N.R", "T", "x")]);
        var o = TestReport.Run("filter", run.Root);
        Assert.Equal(0, o.ExitCode);
        Assert.Equal(["FullyQualifiedName=N.D.B|FullyQualifiedName=N.R.T"], o.Lines);
    }
}
