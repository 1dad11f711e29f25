using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Study store in an SQLite file (the embedded default): WAL journal, a busy timeout, and
/// <c>BEGIN IMMEDIATE</c> transactions for claims, so several worker processes on one machine can share
/// a study file. Open with <c>StudyStore.Open("path.db")</c> or <c>"sqlite:path.db"</c>.
/// </summary>
public sealed class SqliteStudyStore : SqlStudyStore
{
    private static readonly byte[] Header = "SQLite format 3\0"u8.ToArray();
    private readonly SqliteConnection _connection;
    private readonly object _gate = new();
    private readonly string _path;
    private readonly SqliteWriteTurns? _turns;
    private bool _disposed;

    /// <summary>Opens (or creates) the study store file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is a directory.</exception>
    /// <exception cref="StudyStoreFormatException">The file exists but is not a study store this build reads, or is damaged; the message names the file.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its folder is read-only for this user (workers write to both); the message names the file.</exception>
    public SqliteStudyStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        if (Directory.Exists(_path))
            throw new ArgumentException($"Study store '{_path}' is a directory; expected an SQLite study file (created when missing), e.g. '{Path.Combine(_path, "studies.db")}'.", nameof(path));
        try
        {
            CheckHeader(_path);
            var dir = Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Study store '{_path}' can't be read or created by this user: {e.Message}", e);
        }
        var cs = new SqliteConnectionStringBuilder { DataSource = _path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 60 };
        _connection = new SqliteConnection(cs.ToString());
        try
        {
            _connection.Open();
            NonQuery(_connection, null, "PRAGMA busy_timeout = 30000");
            var mode = Scalar(_connection, null, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new StudyStoreFormatException($"Study store '{_path}' could not be switched to WAL journal mode (got '{mode}').");
            NonQuery(_connection, null, "PRAGMA synchronous = NORMAL");
            EnsureSchema();
            _turns = SqliteWriteTurns.TryOpen(_path);
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw Translate(e) ?? new StudyStoreFormatException($"'{_path}' could not be opened as a NasNotebooks study store (an SQLite file with schema '{SchemaApp}' version {SchemaVersion}): {e.Message}", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>A clearer exception for SQLite errors that are about the file rather than the query; null for the others.</summary>
    private Exception? Translate(SqliteException e) => e.SqliteErrorCode switch
    {
        8 => new UnauthorizedAccessException($"Study store '{_path}' is read-only for this user ({e.Message}); workers need write access to the file and to its folder (for its -wal and -shm files).", e),
        14 => new UnauthorizedAccessException(File.Exists(_path)
            ? $"Study store '{_path}' can't be opened for writing ({e.Message}); workers need write access to the file and to its folder (for its -wal and -shm files)."
            : $"Study store '{_path}' can't be created ({e.Message}); is its folder writable?", e),
        11 or 26 => new StudyStoreFormatException($"Study store '{_path}' is damaged ({e.Message}): it is truncated or overwritten. Restore it from a copy, or use a new file.", e),
        _ => null,
    };

    /// <summary>Full path of the study file.</summary>
    public string FilePath => _path;

    /// <inheritdoc />
    public override string Location => _path;

    private static void CheckHeader(string path)
    {
        if (!File.Exists(path)) return;
        var buffer = new byte[Header.Length];
        int n;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n == 0) return;
        if (n < Header.Length || !buffer.AsSpan().SequenceEqual(Header))
            throw new StudyStoreFormatException($"'{path}' is not a NasNotebooks study store: it is not an SQLite database (it does not start with the SQLite header). " +
                $"Expected an SQLite file created by StudyStore.Open (schema '{SchemaApp}' version {SchemaVersion}), or a path that does not exist yet.");
    }

    private void EnsureSchema()
    {
        using var tx = _connection.BeginTransaction(deferred: false);
        var tables = new List<string>();
        using (var cmd = Command(_connection, tx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) tables.Add(r.GetString(0));
        var what = $"'{_path}'";
        if (tables.Contains("schema_version"))
        {
            CheckVersion(_connection, tx, what);
            tx.Commit();
            return;
        }
        if (tables.Count > 0) throw new StudyStoreFormatException(ForeignMessage(what, tables));
        NonQuery(_connection, tx, """
            CREATE TABLE schema_version (app TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE TABLE studies (name TEXT PRIMARY KEY, space_json TEXT, space_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL,
                algorithm_settings TEXT, metadata TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE trials (study TEXT NOT NULL, id INTEGER NOT NULL, dna TEXT NOT NULL, status TEXT NOT NULL, reward TEXT, metrics TEXT,
                reason TEXT, created_at INTEGER NOT NULL, ended_at INTEGER, worker TEXT, lease_expires INTEGER, attempts INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (study, id));
            CREATE INDEX trials_pending ON trials (study, status, lease_expires);
            CREATE TABLE measurements (study TEXT NOT NULL, trial_id INTEGER NOT NULL, step INTEGER NOT NULL, reward TEXT, metrics TEXT,
                elapsed REAL NOT NULL, PRIMARY KEY (study, trial_id, step));
            """);
        NonQuery(_connection, tx, "INSERT INTO schema_version (app, version) VALUES (@a, @v)", ("@a", SchemaApp), ("@v", SchemaVersion));
        tx.Commit();
    }

    private protected override T Execute<T>(Func<DbConnection, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            long? ticket = _turns?.Take();
            try { return work(_connection); }
            catch (SqliteException e) when (Translate(e) is { } clearer) { throw clearer; }
            finally
            {
                if (ticket is { } t) _turns!.Release(t);
            }
        }
    }

    private protected override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    private protected override void LockStudy(DbConnection connection, DbTransaction transaction, string study) { }

    private protected override string Now => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

    private protected override string SkipLocked => "";

    private protected override bool CacheCommands => true;

    private protected override string FirstObjective(string column) => $"json_extract({column}, '$[0]')";

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            DisposeCommands();
            _connection.Dispose();
            _turns?.Dispose();
        }
    }
}
