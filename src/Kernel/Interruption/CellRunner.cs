namespace NasNotebooks.Kernel;

/// <summary>The result of running a cell's code: its value, or abandoned when it did not stop after an interrupt.</summary>
internal readonly record struct CellOutcome<T>(bool Abandoned, T? Value);

/// <summary>
/// Runs the code of C# and F# cells on a thread-pool thread (one hop from the shell loop, as before interrupts were
/// added), waits for it, and gives up waiting when an interrupted cell has not stopped within its grace period: the
/// kernel then answers and goes on while the cell's code (a native call, an await that ignores the interrupt) keeps
/// its thread.
/// </summary>
internal static class CellRunner
{
    /// <summary>
    /// Runs <paramref name="work"/> for <paramref name="run"/> and waits for the task it returns. Returns abandoned when
    /// the run was interrupted and the work had not ended when the grace period was over; the work then goes on in the
    /// background and <paramref name="run"/> is released when it ends.
    /// </summary>
    public static async Task<CellOutcome<T>> RunAsync<T>(CellRun run, Func<Task<T>> work)
    {
        run.Retain();
        var task = Task.Run(() =>
        {
            run.AttachCellThread(Thread.CurrentThread);
            try
            {
                return work();
            }
            finally
            {
                // The synchronous part is over: the thread goes back to the kernel (or the pool) without a pending interrupt.
                run.LeaveUserCode();
            }
        });
        if (!task.IsCompleted)
        {
            await Task.WhenAny(task, run.Abandoned).ConfigureAwait(false);
        }
        if (task.IsCompleted)
        {
            run.Release();
            return new CellOutcome<T>(false, await task.ConfigureAwait(false));
        }
        run.MarkAbandoned();
        _ = task.ContinueWith(t =>
        {
            Log.Debug($"abandoned cell ended{(t.IsFaulted ? " with " + t.Exception!.InnerException?.GetType().Name : "")}");
            run.Release();
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return new CellOutcome<T>(true, default);
    }
}
