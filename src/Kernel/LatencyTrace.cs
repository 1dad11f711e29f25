using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NasNotebooks.Kernel;

/// <summary>
/// With <c>NASNOTEBOOKS_KERNEL_TRACE=1</c>, logs one line per shell request to standard error: the time in ms
/// from the request's arrival to each step (decoded, dequeued by the worker, compile+run of a C# cell, each
/// message sent, with the thread id after <c>@</c>) and the bytes allocated meanwhile. Off, each step costs one
/// static bool test. Start-up steps (<see cref="Startup"/>) are logged at once, in ms since the process started.
/// </summary>
internal static class LatencyTrace
{
    public static readonly bool On = Environment.GetEnvironmentVariable("NASNOTEBOOKS_KERNEL_TRACE") == "1";
    private static readonly List<(string Step, int Thread, long Ticks)> Steps = [];
    private static long _allocated;

    public static void Mark(string step)
    {
        if (!On)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        lock (Steps)
        {
            if (Steps.Count == 0)
            {
                _allocated = GC.GetTotalAllocatedBytes();
            }
            Steps.Add((step, Environment.CurrentManagedThreadId, now));
        }
    }

    private static readonly Lazy<DateTime> ProcessStart = new(() => Process.GetCurrentProcess().StartTime.ToUniversalTime());

    /// <summary>Logs a start-up step (warm-up phases, first replies) with the time since the process started.</summary>
    public static void Startup(string step)
    {
        if (!On)
        {
            return;
        }
        var ms = (DateTime.UtcNow - ProcessStart.Value).TotalMilliseconds;
        Log.Warn($"startup: {step} at {ms.ToString("0", CultureInfo.InvariantCulture)} ms (thread {Environment.CurrentManagedThreadId}, CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms)");
    }

    /// <summary>Logs and clears the steps recorded since the last request finished.</summary>
    public static void Flush()
    {
        if (!On)
        {
            return;
        }
        var line = new StringBuilder("trace:");
        lock (Steps)
        {
            if (Steps.Count == 0)
            {
                return;
            }
            var t0 = Steps[0].Ticks;
            var sinceStart = (DateTime.UtcNow - ProcessStart.Value).TotalMilliseconds - (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency;
            line.Append(" (first step at ").Append(sinceStart.ToString("0", CultureInfo.InvariantCulture)).Append(" ms since process start)");
            foreach (var (step, thread, ticks) in Steps)
            {
                line.Append(' ').Append(step).Append('@').Append(thread).Append('=')
                    .Append(((ticks - t0) * 1000.0 / Stopwatch.Frequency).ToString("0.00", CultureInfo.InvariantCulture));
            }
            line.Append(" allocated=").Append((GC.GetTotalAllocatedBytes() - _allocated) / 1024).Append("KB");
            Steps.Clear();
        }
        Log.Warn(line.ToString());
    }
}
