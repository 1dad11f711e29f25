using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Gives the processes that use one SQLite study file their turns at it in the order they asked: a ticket lock
/// in a small shared-memory file beside the study (<c>FILE-turns</c>, 4 KiB). SQLite's own busy wait is not
/// fair: a waiting worker sleeps up to 100 ms between tries while workers with quick trials take the lock again
/// within microseconds, so with four workers on 200 quick trials one did 199 and another 0-1, and a finished
/// trial could wait to be recorded while ~110 others completed. The turns only order the workers; SQLite's
/// locks still make the writes safe. So a turn held longer than <see cref="StallLimit"/> (its process died or
/// stalls) is skipped, and without the file (a read-only folder) the store works as before, unordered.
/// </summary>
internal sealed unsafe class SqliteWriteTurns : IDisposable
{
    /// <summary>How long a turn may stay unchanged before the waiters skip it.</summary>
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(1);

    private const int Size = 4096;
    private readonly FileStream _stream;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _next;
    private readonly long* _serving;
    private bool _disposed;

    private SqliteWriteTurns(FileStream stream)
    {
        _stream = stream;
        if (stream.Length < Size) stream.SetLength(Size);
        _map = MemoryMappedFile.CreateFromFile(stream, null, Size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, Size, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        p += _view.PointerOffset;
        _next = (long*)p;
        _serving = (long*)(p + 64); // another cache line
    }

    /// <summary>Opens (creating when needed) the turns file of the study file <paramref name="databasePath"/>; null when it can't be used.</summary>
    public static SqliteWriteTurns? TryOpen(string databasePath)
    {
        FileStream? stream = null;
        try
        {
            stream = new FileStream(databasePath + "-turns", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            return new SqliteWriteTurns(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            stream?.Dispose();
            return null;
        }
    }

    /// <summary>Takes a ticket and waits for its turn (or until the turns moved past it); returns the ticket for <see cref="Release"/>.</summary>
    public long Take()
    {
        long ticket = Interlocked.Increment(ref *_next) - 1;
        long seen = Volatile.Read(ref *_serving);
        long since = Stopwatch.GetTimestamp();
        for (int spins = 0; ; spins++)
        {
            long serving = Volatile.Read(ref *_serving);
            if (serving >= ticket) return ticket; // our turn, or ours was skipped: SQLite's lock decides
            if (serving != seen)
            {
                seen = serving;
                since = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(since) > StallLimit)
            {
                // The holder of the current turn died or stalls: move on without it.
                Interlocked.CompareExchange(ref *_serving, serving + 1, serving);
                since = Stopwatch.GetTimestamp();
                continue;
            }
            if (spins < 50) Thread.SpinWait(20);
            else Thread.Sleep(1);
        }
    }

    /// <summary>Ends the turn of <paramref name="ticket"/> (nothing when it was skipped meanwhile).</summary>
    public void Release(long ticket) => Interlocked.CompareExchange(ref *_serving, ticket + 1, ticket);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _stream.Dispose();
    }
}
