using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using NasNotebooks.Runtime.Studies;
using Npgsql;

using NasNotebooks.Tests;

namespace NasNotebooks.Runtime.Tests.Studies;

public class TransientStoreErrorTests
{
    [Theory]
    [InlineData("57P01", true)]  // terminating connection due to administrator command (pg_ctl stop -m fast)
    [InlineData("57P02", true)]  // crash shutdown
    [InlineData("57P03", true)]  // the database system is starting up
    [InlineData("08006", true)]  // connection failure
    [InlineData("53300", true)]  // too many connections
    [InlineData("40P01", true)]  // deadlock: the transaction was rolled back
    [InlineData("3D000", false)] // database does not exist
    [InlineData("28000", false)] // role does not exist
    [InlineData("28P01", false)] // password authentication failed
    [InlineData("42P01", false)] // undefined table
    public void PostgreSQL_errors_by_SQLSTATE(string sqlState, bool transient)
    {
        var e = new PostgresException("simulated", "FATAL", "FATAL", sqlState);
        Assert.Equal(transient, TransientStoreErrors.IsTransient(e));
        Assert.Equal(transient, TransientStoreErrors.IsTransient(new InvalidOperationException("Cannot open the PostgreSQL study store ...", e)));
    }

    [Fact]
    public void Network_errors_reaching_the_server_are_transient()
    {
        Assert.True(TransientStoreErrors.IsTransient(new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientStoreErrors.IsTransient(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
    }

    [Theory]
    [InlineData(5, true)]   // SQLITE_BUSY
    [InlineData(6, true)]   // SQLITE_LOCKED
    [InlineData(11, false)] // SQLITE_CORRUPT
    [InlineData(8, false)]  // SQLITE_READONLY
    public void SQLite_errors_by_code(int code, bool transient) =>
        Assert.Equal(transient, TransientStoreErrors.IsTransient(new SqliteException("simulated", code)));

    [Fact]
    public void Other_errors_are_not_transient()
    {
        Assert.False(TransientStoreErrors.IsTransient(new InvalidOperationException("no")));
        Assert.False(TransientStoreErrors.IsTransient(new IOException("disk")));
        Assert.False(TransientStoreErrors.IsTransient(null));
    }
}

public class SqliteStoreFileErrorTests
{
    [Fact]
    public void A_directory_is_named()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => StudyStore.Open(dir.Path));
        Assert.StartsWith($"Study store '{dir.Path}' is a directory; expected an SQLite study file (created when missing), e.g. '{Path.Combine(dir.Path, "studies.db")}'.", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_named_as_damaged()
    {
        using var dir = new TempDir();
        var path = dir.File("s.db");
        using (var store = StudyStore.Open(path)) SqliteStudyStoreTests.Script(store, "s1");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..4200]);
        var e = Assert.Throws<StudyStoreFormatException>(() =>
        {
            using var store = StudyStore.Open(path);
            store.GetTrials("s1");
        });
        Assert.StartsWith($"Study store '{path}' is damaged (SQLite Error 11: 'database disk image is malformed'.): it is truncated or overwritten.", e.Message);
    }
}

public class SqliteWriteTurnsTests
{
    [Fact]
    public void Turns_are_served_in_the_order_asked_across_instances()
    {
        using var dir = new TempDir();
        var path = dir.File("t.db");
        var turns = Enumerable.Range(0, 4).Select(_ => SqliteWriteTurns.TryOpen(path)!).ToList();
        try
        {
            var order = new List<int>();
            var first = turns[0].Take();
            var threads = new List<Thread>();
            for (int i = 1; i < 4; i++)
            {
                int me = i;
                var t = new Thread(() => { var ticket = turns[me].Take(); lock (order) order.Add(me); Thread.Sleep(20); turns[me].Release(ticket); });
                t.Start();
                threads.Add(t);
                Thread.Sleep(150); // each asks after the previous one
            }
            Thread.Sleep(100);
            lock (order) Assert.Empty(order); // all wait for the first turn
            turns[0].Release(first);
            foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal([1, 2, 3], order);
        }
        finally { foreach (var t in turns) t.Dispose(); }
    }

    [Fact]
    public void A_turn_that_is_never_given_back_is_skipped_after_the_stall_limit()
    {
        using var dir = new TempDir();
        var path = dir.File("t.db");
        using var dead = SqliteWriteTurns.TryOpen(path)!;
        using var alive = SqliteWriteTurns.TryOpen(path)!;
        dead.Take(); // its process "dies" holding the turn
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ticket = alive.Take();
        Assert.InRange(sw.Elapsed, SqliteWriteTurns.StallLimit * 0.9, SqliteWriteTurns.StallLimit * 10);
        alive.Release(ticket);
        sw.Restart();
        alive.Release(alive.Take()); // and the turns go on at once
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(500), $"took {sw.Elapsed}");
    }
}
