using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NasNotebooks.Kernel;

/// <summary>
/// The checks that the kernel inserts into C# and F# cell code (see <see cref="CSharpCellInstrumenter"/> and
/// <see cref="FSharpCellInstrumenter"/>): at loop back-edges (<see cref="Poll"/>) and at function entries
/// (<see cref="Enter"/>). Not meant to be called by hand.
/// </summary>
/// <remarks>
/// Both checks cost one read of a static field while no interrupted cell is running; only after an interrupt do
/// they look up which cell the running code belongs to (an <see cref="AsyncLocal{T}"/>), so that an interrupt stops
/// the interrupted cell's code, wherever it runs, and nothing else. <see cref="Enter"/> also compares the stack
/// pointer with a limit just above the end of the thread's stack, so that runaway recursion ends in an
/// <see cref="InsufficientExecutionStackException"/> instead of a stack overflow that kills the process.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CellGuard
{
    /// <summary>Stack kept free below the deepest guarded frame for the code it calls and for throwing.</summary>
    internal const int StackReserve = 256 * 1024;

    // Larger than any stack: the distance between the stack pointer and the limit is compared with this, so that
    // one unsigned comparison catches both "not computed yet" (limit 0) and "below the limit" (wraps around).
    private const ulong MaxStackSpan = 1UL << 40;

    private static readonly AsyncLocal<CellRun?> s_current = new();
    private static volatile int s_interrupted;
    [ThreadStatic] private static nuint t_stackLimit;

    /// <summary>The cell whose code runs in this execution context (flows into tasks and awaits).</summary>
    internal static CellRun? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Interrupted cells whose code may still run; while above zero the checks look at <see cref="Current"/>.</summary>
    internal static int InterruptedCells => s_interrupted;

    internal static void AddInterrupted() => Interlocked.Increment(ref s_interrupted);

    internal static void RemoveInterrupted() => Interlocked.Decrement(ref s_interrupted);

    /// <summary>Inserted at loop back-edges, after awaits and between top-level statements: throws if the cell was interrupted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Poll()
    {
        if (s_interrupted != 0)
        {
            ThrowIfInterrupted();
        }
    }

    /// <summary>Inserted at function entries: throws on runaway recursion or if the cell was interrupted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Enter()
    {
        byte probe = 0;
        var sp = (nuint)Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref probe);
        if (unchecked((ulong)(sp - t_stackLimit)) > MaxStackSpan)
        {
            CheckStack(sp);
        }
        if (s_interrupted != 0)
        {
            ThrowIfInterrupted();
        }
    }

    /// <summary>Inserted at the start of an F# cell: the cell's own code starts (its compilation is over).</summary>
    public static void Begin() => Current?.EnterUserCode();

    /// <summary>Throws <see cref="OperationCanceledException"/> if the cell running this code was interrupted.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIfInterrupted()
    {
        if (s_current.Value is { IsInterrupted: true } run)
        {
            throw new OperationCanceledException(CellRun.InterruptedMessage, run.Token);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CheckStack(nuint sp)
    {
        if (t_stackLimit == 0)
        {
            t_stackLimit = StackLimitOfThisThread();
            if (unchecked((ulong)(sp - t_stackLimit)) <= MaxStackSpan)
            {
                return;
            }
        }
        if (t_stackLimit == UnknownLimit && RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return;
        }
        throw new InsufficientExecutionStackException(RecursionMessage);
    }

    internal const string RecursionMessage =
        "Recursion too deep: the cell's code used up nearly all of its thread's stack (a recursion without a base case?). " +
        "The call stack was unwound; the session's variables are intact.";

    // Where the stack bounds can't be read, every guarded call asks the runtime instead (slower but safe).
    private const nuint UnknownLimit = 1;

    /// <summary>The lowest stack address guarded code may reach on this thread: the end of its stack plus a reserve.</summary>
    private static nuint StackLimitOfThisThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return UnknownLimit;
        }
        try
        {
            // glibc and musl: pthread_getattr_np reports the calling thread's stack (the main thread's from its rlimit).
            var attr = new byte[256];
            if (PThread.GetAttr(PThread.Self(), attr) != 0)
            {
                return UnknownLimit;
            }
            try
            {
                return PThread.GetStack(attr, out var low, out var size) == 0 && low != 0 && size > 2 * StackReserve
                    ? (nuint)low + StackReserve
                    : UnknownLimit;
            }
            finally
            {
                _ = PThread.Destroy(attr);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return UnknownLimit;
        }
    }

    private static class PThread
    {
        [DllImport("libc", EntryPoint = "pthread_self")]
        public static extern nint Self();

        [DllImport("libc", EntryPoint = "pthread_getattr_np")]
        public static extern int GetAttr(nint thread, byte[] attr);

        [DllImport("libc", EntryPoint = "pthread_attr_getstack")]
        public static extern int GetStack(byte[] attr, out nint stackAddress, out nuint stackSize);

        [DllImport("libc", EntryPoint = "pthread_attr_destroy")]
        public static extern int Destroy(byte[] attr);
    }
}
