using System.Collections.Concurrent;

namespace NasNotebooks.Kernel;

/// <summary>The result of running a cell's code: its value, or abandoned when it did not stop after an interrupt.</summary>
internal readonly record struct CellOutcome<T>(bool Abandoned, T? Value);

/// <summary>
/// Runs the code of C# and F# cells on a dedicated thread (with a large stack), so that an interrupt can wake it with
/// <see cref="Thread.Interrupt"/> when it blocks in a managed wait, and so that a cell that never returns (a native
/// call) can be left behind: the next cell then gets a fresh thread.
/// </summary>
internal sealed class CellThread
{
    /// <summary>
    /// Stack of a cell thread: as deep as the thread-pool threads that ran cells before (8 MB on Linux, from the usual
    /// <c>ulimit -s</c>). Runaway recursion is stopped by <see cref="CellGuard.Enter"/> near its end; a larger stack
    /// would only make that take longer (each megabyte is about 30,000 more frames to unwind and report).
    /// </summary>
    public const int StackSize = 8 * 1024 * 1024;

    private readonly object _gate = new();
    private Worker? _worker;
    private int _created;

    /// <summary>Number of threads started so far (one unless cells were abandoned).</summary>
    public int ThreadsStarted => Volatile.Read(ref _created);

    /// <summary>
    /// Runs <paramref name="work"/> on the cell thread for <paramref name="run"/> and waits for the task it returns.
    /// Returns abandoned when the run was interrupted and the work had not ended when its grace period was over;
    /// the work then goes on in the background and <paramref name="run"/> is released when it ends.
    /// </summary>
    public async Task<CellOutcome<T>> RunAsync<T>(CellRun run, Func<Task<T>> work)
    {
        run.Retain();
        var item = new WorkItem<T>(run, work, ExecutionContext.Capture());
        Post(item);
        var task = item.Task;
        if (!task.IsCompleted)
        {
            await Task.WhenAny(task, run.Abandoned).ConfigureAwait(false);
        }
        if (task.IsCompleted)
        {
            run.Release();
            return new CellOutcome<T>(false, await task.ConfigureAwait(false));
        }
        item.Abandoned = true;
        run.MarkAbandoned();
        _ = task.ContinueWith(t =>
        {
            Log.Debug($"abandoned cell ended {(t.IsFaulted ? "with " + t.Exception!.InnerException?.GetType().Name : "")}");
            run.Release();
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return new CellOutcome<T>(true, default);
    }

    private void Post(IWorkItem item)
    {
        lock (_gate)
        {
            if (_worker is null || _worker.IsStuck)
            {
                // The thread still runs an abandoned cell's code (a native call, say): leave it to that and start another.
                _worker?.Retire();
                _worker = new Worker(Interlocked.Increment(ref _created));
            }
            _worker.Enqueue(item);
        }
    }

    private interface IWorkItem
    {
        /// <summary>Set when the kernel stopped waiting for the item after an interrupt.</summary>
        bool Abandoned { get; }

        void Execute();
    }

    private sealed class WorkItem<T>(CellRun run, Func<Task<T>> work, ExecutionContext? context) : IWorkItem
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _abandoned;

        public Task<T> Task => _done.Task;

        public bool Abandoned
        {
            get => _abandoned;
            set => _abandoned = value;
        }

        public void Execute()
        {
            run.AttachCellThread(Thread.CurrentThread);
            Task<T> task;
            try
            {
                if (context is null)
                {
                    task = work();
                }
                else
                {
                    Task<T>? started = null;
                    ExecutionContext.Run(context, _ => started = work(), null);
                    task = started!;
                }
            }
            catch (Exception e)
            {
                task = System.Threading.Tasks.Task.FromException<T>(e);
            }
            finally
            {
                run.LeaveUserCode();
            }
            if (task.IsCompleted)
            {
                _done.TrySetFromTask(task);
            }
            else
            {
                task.ContinueWith(static (t, s) => ((TaskCompletionSource<T>)s!).TrySetFromTask(t), _done,
                    CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private sealed class Worker
    {
        private readonly BlockingCollection<IWorkItem> _queue = [];
        private volatile IWorkItem? _executing;
        private volatile bool _retired;

        public Worker(int number)
        {
            var thread = new Thread(Loop, StackSize) { IsBackground = true, Name = $"cell-{number}" };
            thread.Start();
        }

        /// <summary>True while the thread runs the synchronous part of an abandoned item.</summary>
        public bool IsStuck => _executing is { Abandoned: true };

        public void Enqueue(IWorkItem item) => _queue.Add(item);

        public void Retire()
        {
            _retired = true;
            _queue.CompleteAdding();
        }

        private void Loop()
        {
            while (true)
            {
                IWorkItem item;
                try
                {
                    if (!_queue.TryTake(out item!, Timeout.Infinite))
                    {
                        return;
                    }
                }
                catch (ThreadInterruptedException)
                {
                    // Left over from an interrupt that raced with the end of the previous cell.
                    continue;
                }
                catch (InvalidOperationException)
                {
                    return;
                }
                ClearPendingInterrupt();
                _executing = item;
                try
                {
                    item.Execute();
                }
                catch (Exception e)
                {
                    Log.Warn("cell thread: " + e);
                }
                _executing = null;
                if (_retired)
                {
                    return;
                }
            }
        }

        /// <summary>Consumes an interrupt aimed at the previous cell that arrived after it stopped waiting.</summary>
        private static void ClearPendingInterrupt()
        {
            try
            {
                Thread.Sleep(0);
            }
            catch (ThreadInterruptedException)
            {
            }
        }
    }
}
