using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Tells store errors that pass (a lost PostgreSQL connection, a server shutting down or starting up,
/// a busy SQLite file) from those that do not (a missing database, a bad password, a damaged file).
/// </summary>
public static class TransientStoreErrors
{
    /// <summary>
    /// True when <paramref name="exception"/> (or an exception it wraps) is a store error that retrying later
    /// may cure: PostgreSQL connection errors (SQLSTATE class 08, 57P01 admin shutdown, 57P02 crash shutdown,
    /// 57P03 cannot connect now, 53300 too many connections, serialization failures and deadlocks, whose
    /// transaction was rolled back), network errors and timeouts reaching the server, and SQLite
    /// <c>SQLITE_BUSY</c>/<c>SQLITE_LOCKED</c>.
    /// </summary>
    public static bool IsTransient(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01";
                case NpgsqlException npgsql:
                    // Not an answer from the server: Npgsql could not reach it, or lost it mid-request.
                    return npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException;
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED
                case DbException db:
                    return db.IsTransient;
            }
        }
        return false;
    }
}

/// <summary>
/// Runs store operations again after transient errors (<see cref="TransientStoreErrors.IsTransient"/>), with
/// exponential backoff and jitter (0.1 s doubling to 2 s), for up to a window; reports the first failure,
/// then at most every 10 s, and the recovery through a callback. The search loop uses one for every store
/// call (<see cref="SearchOptions.StoreRetryWindow"/>); use one to open a store that may not be up yet.
/// </summary>
/// <example><code>
/// var retry = new StoreRetry("postgres://nas@db/studies", TimeSpan.FromMinutes(2), Console.Error.WriteLine);
/// using var store = retry.Run("opening the store", () => StudyStore.Open("postgres://nas@db/studies"));
/// </code></example>
/// <param name="location">The store, for messages (<see cref="IStudyStore.Location"/>).</param>
/// <param name="window">How long an operation is retried before its error is thrown.</param>
/// <param name="report">Receives the one-line messages; null: <see cref="Trace"/>.</param>
/// <param name="cancellationToken">Stops the retrying (the error is then thrown).</param>
public sealed class StoreRetry(string location, TimeSpan window, Action<string>? report = null, CancellationToken cancellationToken = default)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100), Longest = TimeSpan.FromSeconds(2), ReportEvery = TimeSpan.FromSeconds(10);
    private readonly object _gate = new();
    private Stopwatch? _outage;
    private TimeSpan _lastReport;

    /// <summary>Runs <paramref name="operation"/>; <paramref name="onTransientFailure"/> runs after each failure that will be retried.</summary>
    /// <param name="what">What the operation does, for messages ("claiming a trial").</param>
    /// <param name="operation">The store call.</param>
    /// <param name="onTransientFailure">Undoes side effects of a failed attempt, if any.</param>
    public T Run<T>(string what, Func<T> operation, Action? onTransientFailure = null)
    {
        var clock = Stopwatch.StartNew();
        var delay = First;
        for (int attempt = 1; ; attempt++)
        {
            T result;
            try { result = operation(); }
            catch (Exception e) when (TransientStoreErrors.IsTransient(e) && clock.Elapsed < window && !cancellationToken.IsCancellationRequested)
            {
                onTransientFailure?.Invoke();
                Failed(what, e, window - clock.Elapsed);
                var sleep = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.5 + Random.Shared.NextDouble()));
                if (sleep > window - clock.Elapsed) sleep = window - clock.Elapsed;
                // At least a millisecond (a wait handle's resolution), so the last try before the window closes is one try.
                cancellationToken.WaitHandle.WaitOne(sleep < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : sleep);
                delay = delay * 2 < Longest ? delay * 2 : Longest;
                continue;
            }
            if (attempt > 1) Recovered();
            return result;
        }
    }

    /// <summary>Runs <paramref name="operation"/> (no result).</summary>
    /// <param name="what">What the operation does, for messages.</param>
    /// <param name="operation">The store call.</param>
    public void Run(string what, Action operation) => Run(what, () => { operation(); return 0; });

    private void Failed(string what, Exception e, TimeSpan left)
    {
        string? message = null;
        lock (_gate)
        {
            if (_outage is null)
            {
                _outage = Stopwatch.StartNew();
                _lastReport = TimeSpan.Zero;
                message = $"study store {location}: {what} failed ({OneLine(e)}); retrying for up to {Format(left)}";
            }
            else if (_outage.Elapsed - _lastReport >= ReportEvery)
            {
                _lastReport = _outage.Elapsed;
                message = $"study store {location}: still unavailable after {Format(_outage.Elapsed)} ({OneLine(e)}); retrying for up to {Format(left)}";
            }
        }
        if (message is not null) Report(message);
    }

    private void Recovered()
    {
        string? message = null;
        lock (_gate)
        {
            if (_outage is not null) message = $"study store {location}: available again after {Format(_outage.Elapsed)}; carrying on";
            _outage = null;
        }
        if (message is not null) Report(message);
    }

    private void Report(string message)
    {
        if (report is null) Trace.TraceWarning(message);
        else report(message);
    }

    private static string OneLine(Exception e)
    {
        var inner = e;
        while (inner is InvalidOperationException { InnerException: { } i } && i is DbException) inner = i;
        return string.Join(' ', inner.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string Format(TimeSpan t) => t.TotalSeconds < 90
        ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : t.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) + " min";
}
