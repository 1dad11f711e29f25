using System.Data.Common;
using Npgsql;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Study store in a PostgreSQL database, for many workers on many machines: expired trials are claimed
/// with <c>SELECT ... FOR UPDATE SKIP LOCKED</c>, new proposals are serialized per study by a
/// transaction-level advisory lock, and leases run on the server's clock. Open with
/// <c>StudyStore.Open("postgres://user@host:5432/db")</c> or an Npgsql connection string.
/// </summary>
public sealed class PostgresStudyStore : SqlStudyStore
{
    private const long SchemaLockKey = 0x4E41_5353_5455_4459; // "NASSTUDY"
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _location;

    /// <summary>Connects with an Npgsql connection string and creates the schema when the database has none.</summary>
    /// <exception cref="StudyStoreFormatException">The database holds tables that are not a study store, or a newer schema.</exception>
    /// <exception cref="InvalidOperationException">The server can't be reached; the message names it.</exception>
    public PostgresStudyStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new ArgumentException($"Invalid PostgreSQL connection string: {e.Message}", nameof(connectionString), e); }
        _location = $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database ?? b.Username}";
        _dataSource = NpgsqlDataSource.Create(b.ConnectionString);
        try { EnsureSchema(); }
        catch (NpgsqlException e)
        {
            _dataSource.Dispose();
            throw new InvalidOperationException($"Cannot open the PostgreSQL study store {_location}: {e.Message}", e);
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }
    }

    /// <summary>Converts <c>postgres://user[:password]@host[:port]/database[?key=value...]</c> to an Npgsql connection string.</summary>
    /// <exception cref="ArgumentException">Not such a URL.</exception>
    public static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "postgres" && uri.Scheme != "postgresql") || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"Invalid PostgreSQL URL '{url}'; expected postgres://user[:password]@host[:port]/database.", nameof(url));
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length > 1) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        var db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length > 0) b.Database = db;
        foreach (var kv in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = kv.Split('=', 2);
            b[Uri.UnescapeDataString(p[0])] = p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "";
        }
        return b.ConnectionString;
    }

    /// <inheritdoc />
    public override string Location => _location;

    private void EnsureSchema()
    {
        using var c = _dataSource.OpenConnection();
        using var tx = c.BeginTransaction();
        NonQuery(c, tx, "SELECT pg_advisory_xact_lock(@k)", ("@k", SchemaLockKey));
        var tables = new List<string>();
        using (var cmd = Command(c, tx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('schema_version', 'studies', 'trials', 'measurements') ORDER BY table_name"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) tables.Add(r.GetString(0));
        var what = $"PostgreSQL database {_location}";
        if (tables.Contains("schema_version"))
        {
            CheckVersion(c, tx, what);
            tx.Commit();
            return;
        }
        if (tables.Count > 0) throw new StudyStoreFormatException(ForeignMessage(what, tables));
        NonQuery(c, tx, """
            CREATE TABLE schema_version (app TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE TABLE studies (name TEXT PRIMARY KEY, space_json TEXT, space_fingerprint TEXT NOT NULL, algorithm TEXT NOT NULL,
                algorithm_settings TEXT, metadata TEXT NOT NULL, created_at BIGINT NOT NULL);
            CREATE TABLE trials (study TEXT NOT NULL, id INTEGER NOT NULL, dna TEXT NOT NULL, status TEXT NOT NULL, reward TEXT, metrics TEXT,
                reason TEXT, created_at BIGINT NOT NULL, ended_at BIGINT, worker TEXT, lease_expires BIGINT, attempts INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (study, id));
            CREATE INDEX trials_pending ON trials (study, status, lease_expires);
            CREATE TABLE measurements (study TEXT NOT NULL, trial_id INTEGER NOT NULL, step INTEGER NOT NULL, reward TEXT, metrics TEXT,
                elapsed DOUBLE PRECISION NOT NULL, PRIMARY KEY (study, trial_id, step));
            """);
        NonQuery(c, tx, "INSERT INTO schema_version (app, version) VALUES (@a, @v)", ("@a", SchemaApp), ("@v", SchemaVersion));
        tx.Commit();
    }

    private protected override T Execute<T>(Func<DbConnection, T> work)
    {
        try
        {
            using var c = _dataSource.OpenConnection();
            return work(c);
        }
        catch (NpgsqlException e) when (TransientStoreErrors.IsTransient(e))
        {
            // The server went away (restart, failover): the pooled connections are dead too; the retry opens new ones.
            _dataSource.Clear();
            throw;
        }
    }

    private protected override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    private protected override void LockStudy(DbConnection connection, DbTransaction transaction, string study) =>
        NonQuery(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended(@s, 0))", ("@s", study));

    private protected override string Now => "(extract(epoch from clock_timestamp()) * 1000)::bigint";

    private protected override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    private protected override string FirstObjective(string column) => $"({column}::jsonb->>0)::double precision";

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => _dataSource.Dispose();
}
