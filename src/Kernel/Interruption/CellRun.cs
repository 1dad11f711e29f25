namespace NasNotebooks.Kernel;

/// <summary>
/// One execution of a cell, as far as interrupting it is concerned: its cancellation token, whether it was
/// interrupted, the thread its code is running on while it runs synchronously, and when the kernel stops waiting for it.
/// </summary>
/// <remarks>
/// An interrupt (<see cref="Interrupt"/>) cancels nothing by itself (the kernel cancels the token); it makes the
/// checks inserted into the cell's code throw (<see cref="CellGuard"/>), wakes the thread running the cell's code with
/// <see cref="Thread.Interrupt"/> when it is blocked in a managed wait (Sleep, Wait, Join, Monitor.Wait, ...), and
/// starts the grace period after which the kernel gives up waiting (<see cref="Abandoned"/>).
/// </remarks>
internal sealed class CellRun
{
    /// <summary>The message of the exception that stops an interrupted cell.</summary>
    public const string InterruptedMessage = "The cell was interrupted.";

    // How long interrupted code keeps being stopped by the checks at least, even when the cell itself ended:
    // loops the cell started in the background (Task.Run) see the interrupt within that time.
    private static readonly TimeSpan MinimumStopWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan WakeInterval = TimeSpan.FromMilliseconds(25);

    private readonly object _gate = new();
    private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _interrupted;
    private bool _finished;
    private bool _counted;
    private bool _abandonedByKernel;
    private int _references = 1;
    // The thread running the cell's synchronous part, and the one running its own code now (null outside it). Guarded by
    // a spin lock, not a monitor: the cell's thread must never block in a wait that an interrupt would break.
    private SpinLock _threadLock = new(enableThreadOwnerTracking: false);
    private Thread? _userCodeThread;
    private Thread? _interruptedThread;
    private volatile Thread? _cellThread;
    private Timer? _timer;
    private DateTime _interruptedAt;

    public CellRun(CancellationToken token, TimeSpan gracePeriod)
    {
        Token = token;
        GracePeriod = gracePeriod;
    }

    /// <summary>The cell's cancellation token (<c>Kernel.CancellationToken</c>).</summary>
    public CancellationToken Token { get; }

    /// <summary>How long the kernel waits after an interrupt before it abandons the cell.</summary>
    public TimeSpan GracePeriod { get; }

    public bool IsInterrupted => _interrupted;

    /// <summary>Completes when the grace period after an interrupt is over and the cell is still running.</summary>
    public Task Abandoned => _abandoned.Task;

    /// <summary>True once the kernel answered for the cell without waiting for its code to end.</summary>
    public bool IsAbandoned
    {
        get
        {
            lock (_gate)
            {
                return _abandonedByKernel;
            }
        }
    }

    /// <summary>The kernel stops waiting for the cell's code: from now on <see cref="CommitUnlessAbandoned"/> refuses.</summary>
    public void MarkAbandoned()
    {
        lock (_gate)
        {
            _abandonedByKernel = true;
        }
    }

    /// <summary>
    /// Runs <paramref name="commit"/> (e.g. making the cell's variables the session's) unless the kernel already gave up
    /// on the cell: an abandoned cell that ends late must not replace the state of the cells that ran after it.
    /// </summary>
    public bool CommitUnlessAbandoned(Action commit)
    {
        lock (_gate)
        {
            if (_abandonedByKernel)
            {
                return false;
            }
            commit();
            return true;
        }
    }

    /// <summary>Called on the thread that runs the cell's code, before it runs it.</summary>
    internal void AttachCellThread(Thread thread) => _cellThread = thread;

    /// <summary>
    /// The cell's own code starts on the calling thread (its compilation is over): from now on until
    /// <see cref="LeaveUserCode"/> a blocked wait on this thread is woken by an interrupt. Only the thread that runs the
    /// cell's synchronous part counts; code of the cell running elsewhere (magics, continuations after awaits) is
    /// stopped by the checks alone.
    /// </summary>
    public void EnterUserCode()
    {
        var thread = Thread.CurrentThread;
        if (!ReferenceEquals(thread, _cellThread))
        {
            return;
        }
        bool taken = false;
        try
        {
            _threadLock.Enter(ref taken);
            _userCodeThread = thread;
        }
        finally
        {
            if (taken) _threadLock.Exit(useMemoryBarrier: false);
        }
        if (_interrupted)
        {
            WakeIfBlocked();
        }
    }

    /// <summary>
    /// The calling thread leaves the cell's code: interrupts no longer aim at it, and one that arrived as it left a
    /// wait (and so is still pending) is consumed here, not in the kernel's or the thread pool's next wait.
    /// </summary>
    public void LeaveUserCode()
    {
        var thread = Thread.CurrentThread;
        bool taken = false;
        bool interrupted;
        try
        {
            _threadLock.Enter(ref taken);
            if (ReferenceEquals(_userCodeThread, thread))
            {
                _userCodeThread = null;
            }
            interrupted = ReferenceEquals(_interruptedThread, thread);
        }
        finally
        {
            if (taken) _threadLock.Exit(useMemoryBarrier: false);
        }
        if (interrupted)
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

    /// <summary>Interrupts the cell (idempotent); returns false when nothing of it was running any more.</summary>
    public bool Interrupt()
    {
        lock (_gate)
        {
            if (_finished || _interrupted)
            {
                return !_finished;
            }
            _interrupted = true;
            _counted = true;
            _countsAsInterrupted = true;
            _interruptedAt = DateTime.UtcNow;
            CellGuard.AddInterrupted();
            _timer = new Timer(_ => OnTimer(), null, WakeInterval, WakeInterval);
        }
        WakeIfBlocked();
        return true;
    }

    /// <summary>Work of the cell starts (its code on a thread of its own): the run lasts until it ends too.</summary>
    public void Retain() => Interlocked.Increment(ref _references);

    /// <summary>
    /// The kernel is done with the cell, or a piece of its work has ended (maybe long after it was abandoned). When
    /// nothing of the cell is left running, interrupts no longer apply to it.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Finish();
        }
    }

    private void Finish()
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }
            _finished = true;
            _timer?.Dispose();
            _timer = null;
            if (!_counted)
            {
                return;
            }
            wait = MinimumStopWindow - (DateTime.UtcNow - _interruptedAt);
        }
        if (wait <= TimeSpan.Zero)
        {
            Uncount();
        }
        else
        {
            _ = Task.Delay(wait).ContinueWith(_ => Uncount(), TaskScheduler.Default);
        }
    }

    /// <summary>True from the interrupt until the run's share of <see cref="CellGuard.InterruptedCells"/> is given back.</summary>
    internal bool CountsAsInterrupted => _countsAsInterrupted;

    private volatile bool _countsAsInterrupted;

    private void Uncount()
    {
        _countsAsInterrupted = false;
        CellGuard.RemoveInterrupted();
    }

    private void OnTimer()
    {
        bool abandon;
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }
            abandon = DateTime.UtcNow - _interruptedAt >= GracePeriod;
            if (abandon)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
        if (abandon)
        {
            _abandoned.TrySetResult();
            return;
        }
        // The cell may have entered a wait after the interrupt: wake it again.
        WakeIfBlocked();
    }

    /// <summary>Wakes the thread running the cell's code with <see cref="Thread.Interrupt"/> if it is blocked in it.</summary>
    private void WakeIfBlocked()
    {
        bool taken = false;
        try
        {
            _threadLock.Enter(ref taken);
            var thread = _userCodeThread;
            // Only a thread in the cell's code and blocked right now. If it leaves the wait meanwhile, the interrupt stays
            // pending and hits its next wait: in the cell's code (which is being interrupted anyway), or it is consumed
            // when the thread leaves the cell's code (LeaveUserCode, which can't run while this holds the lock).
            if (thread is not null && (thread.ThreadState & ThreadState.WaitSleepJoin) != 0)
            {
                _interruptedThread = thread;
                thread.Interrupt();
            }
        }
        finally
        {
            if (taken) _threadLock.Exit(useMemoryBarrier: false);
        }
    }
}
