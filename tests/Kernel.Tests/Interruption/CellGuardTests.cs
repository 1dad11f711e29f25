using System.Runtime.CompilerServices;

namespace NasNotebooks.Kernel.Tests.Interruption;

/// <summary>Tests that interrupt cells in this process change <see cref="CellGuard"/>'s count of interrupted cells: one at a time.</summary>
[CollectionDefinition("CellGuard state", DisableParallelization = true)]
public sealed class CellGuardStateCollection;

/// <summary>The checks inserted into cells: they stop only the interrupted cell's code, and runaway recursion throws.</summary>
[Collection("CellGuard state")]
public sealed class CellGuardTests
{
    [Fact]
    public async Task Poll_ThrowsOnlyInTheInterruptedCellsCode_WhereverItRuns()
    {
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        var runA = new CellRun(a.Token, TimeSpan.FromSeconds(5));
        var runB = new CellRun(b.Token, TimeSpan.FromSeconds(5));
        Exception? Poll(CellRun? run) => Record.Exception(() =>
        {
            CellGuard.Current = run;
            CellGuard.Poll();
            CellGuard.Enter();
        });
        Assert.Null(Poll(runA));
        Assert.True(runA.Interrupt());
        var stopped = Assert.IsType<OperationCanceledException>(Poll(runA));
        Assert.Equal("The cell was interrupted.", stopped.Message);
        Assert.Null(Poll(runB));
        Assert.Null(Poll(null));
        // The cell's context flows into tasks it starts.
        CellGuard.Current = runA;
        var inTask = await Task.Run(() => Record.Exception(CellGuard.Poll));
        CellGuard.Current = null;
        Assert.IsType<OperationCanceledException>(inTask);
        runA.Release();
        runB.Release();
    }

    [Fact]
    public async Task AfterAnInterruptedCellEnds_TheChecksStopLookingForIt()
    {
        // The count is process-wide: cells abandoned by earlier tests may still end while this runs, so the run's own
        // share is what is checked.
        using var cts = new CancellationTokenSource();
        var run = new CellRun(cts.Token, TimeSpan.FromSeconds(5));
        Assert.False(run.CountsAsInterrupted);
        run.Interrupt();
        Assert.True(run.CountsAsInterrupted);
        Assert.True(CellGuard.InterruptedCells >= 1);
        run.Release();
        // Code it started in the background still sees the interrupt for a short while, then the checks are free again.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (run.CountsAsInterrupted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.False(run.CountsAsInterrupted);
        Assert.False(run.Interrupt());
        Assert.False(run.CountsAsInterrupted);
    }

    [Theory]
    [InlineData(256 * 1024 + 512 * 1024)]
    [InlineData(8 * 1024 * 1024)]
    public void Enter_ThrowsInsufficientExecutionStack_BeforeTheStackOverflows(int stackSize)
    {
        Exception? caught = null;
        int depth = 0;
        var thread = new Thread(() => caught = Record.Exception(() => Recurse(ref depth)), stackSize);
        thread.Start();
        thread.Join();
        var e = Assert.IsType<InsufficientExecutionStackException>(caught);
        Assert.StartsWith("Recursion too deep", e.Message);
        Assert.True(depth > 1000, $"stopped after {depth} calls");
    }

    [Fact]
    public void Enter_DoesNotThrowForOrdinaryDepths()
    {
        int depth = 0;
        Assert.Equal(10_000, Bounded(10_000, ref depth));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Recurse(ref int depth)
    {
        CellGuard.Enter();
        depth++;
        return Recurse(ref depth) + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Bounded(int n, ref int depth)
    {
        CellGuard.Enter();
        depth++;
        return n == 0 ? 0 : Bounded(n - 1, ref depth) + 1;
    }
}
