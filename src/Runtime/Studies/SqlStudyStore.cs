using System.Data.Common;
using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Studies;

/// <summary>
/// Shared implementation of the SQL study stores (<see cref="SqliteStudyStore"/>, <see cref="PostgresStudyStore"/>):
/// one schema (<c>schema_version</c>, <c>studies</c>, <c>trials</c>, <c>measurements</c>), leases kept as
/// milliseconds since the Unix epoch on the database's clock.
/// </summary>
public abstract partial class SqlStudyStore : IStudyStore
{
    /// <summary>Value of <c>schema_version.app</c> in every study store.</summary>
    public const string SchemaApp = "nasnotebooks.study";

    /// <summary>The schema version this build writes and reads.</summary>
    public const int SchemaVersion = 1;

    private protected SqlStudyStore() { }

    /// <inheritdoc />
    public abstract string Location { get; }

    /// <inheritdoc />
    public bool IsShared => true;

    private protected abstract T Execute<T>(Func<DbConnection, T> work);

    private protected abstract DbTransaction BeginWrite(DbConnection connection);

    private protected abstract void LockStudy(DbConnection connection, DbTransaction transaction, string study);

    /// <summary>SQL expression for the database's current time in Unix milliseconds.</summary>
    private protected abstract string Now { get; }

    /// <summary>Row-lock clause for the expired-trial query (empty where the whole claim is exclusive).</summary>
    private protected abstract string SkipLocked { get; }

    /// <summary>True where one connection is used under a lock, so commands (and their prepared statements) can be reused.</summary>
    private protected virtual bool CacheCommands => false;

    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    private protected readonly struct CommandScope(DbCommand command, bool cached) : IDisposable
    {
        public DbCommand Command => command;
        public void Dispose() { if (!cached) command.Dispose(); }
    }

    /// <summary>A command for a hot path: reused (statement prepared once) where <see cref="CacheCommands"/>.</summary>
    private protected CommandScope Cmd(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!CacheCommands) return new CommandScope(Command(c, tx, sql, parameters), false);
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = c.CreateCommand();
            cmd.CommandText = sql;
            _commands[sql] = cmd;
        }
        cmd.Transaction = tx;
        cmd.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return new CommandScope(cmd, true);
    }

    private protected int Exec(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] ps)
    {
        using var s = Cmd(c, tx, sql, ps);
        return s.Command.ExecuteNonQuery();
    }

    private protected object? Value(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] ps)
    {
        using var s = Cmd(c, tx, sql, ps);
        var v = s.Command.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    /// <summary>Disposes the reused commands (call under the connection's lock).</summary>
    private protected void DisposeCommands()
    {
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
    }

    private protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private protected static int NonQuery(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] ps)
    {
        using var cmd = Command(c, tx, sql, ps);
        return cmd.ExecuteNonQuery();
    }

    private protected static object? Scalar(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] ps)
    {
        using var cmd = Command(c, tx, sql, ps);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private protected static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private protected static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static long LeaseMs(TimeSpan lease) => (long)Math.Clamp(lease.TotalMilliseconds, 1, 10L * 365 * 24 * 3600 * 1000);

    /// <summary>Checks the <c>schema_version</c> row; <paramref name="what"/> names the file or database in messages.</summary>
    private protected static void CheckVersion(DbConnection c, DbTransaction tx, string what)
    {
        using var cmd = Command(c, tx, "SELECT app, version FROM schema_version");
        using var r = cmd.ExecuteReader();
        if (!r.Read())
            throw new StudyStoreFormatException($"{what} has an empty schema_version table; expected one row ('{SchemaApp}', {SchemaVersion}).");
        var app = Str(r, 0);
        var version = Long(r, 1) ?? 0;
        if (app != SchemaApp)
            throw new StudyStoreFormatException($"{what} is not a NasNotebooks study store: its schema_version names '{app}', expected '{SchemaApp}'.");
        if (version > SchemaVersion)
            throw new StudyStoreFormatException($"{what} was written by a newer NasNotebooks (study schema version {version}); this build reads version {SchemaVersion}. Upgrade NasNotebooks to open it.");
        if (version < 1)
            throw new StudyStoreFormatException($"{what} has an invalid study schema version {version}; expected {SchemaVersion}.");
    }

    private protected static string ForeignMessage(string what, IEnumerable<string> tables) =>
        $"{what} is a database but not a NasNotebooks study store: it has no schema_version table (tables: {string.Join(", ", tables)}). " +
        $"Expected a store created by StudyStore.Open (schema '{SchemaApp}' version {SchemaVersion}), or a new, empty location.";

    /// <inheritdoc />
    public StudyInfo OpenOrCreateStudy(StudyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(definition.Name)) throw new ArgumentException("A study needs a name.", nameof(definition));
        return Execute(c =>
        {
            using var tx = BeginWrite(c);
            LockStudy(c, tx, definition.Name);
            var existing = ReadStudy(c, tx, definition.Name);
            if (existing is not null)
            {
                tx.Commit();
                if (existing.SpaceFingerprint != definition.SpaceFingerprint)
                    throw InMemoryStudyStore.Mismatch(definition.Name, existing.SpaceFingerprint, definition.SpaceFingerprint, Location);
                return existing;
            }
            var meta = StudyJson.Metadata(definition.Metadata);
            var created = Convert.ToInt64(Scalar(c, tx,
                $"INSERT INTO studies (name, space_json, space_fingerprint, algorithm, algorithm_settings, metadata, created_at) " +
                $"VALUES (@n, @j, @f, @a, @s, @m, {Now}) RETURNING created_at",
                ("@n", definition.Name), ("@j", definition.SpaceJson), ("@f", definition.SpaceFingerprint),
                ("@a", definition.Algorithm), ("@s", definition.AlgorithmSettings), ("@m", meta)), System.Globalization.CultureInfo.InvariantCulture);
            tx.Commit();
            return new StudyInfo(definition.Name, definition.SpaceJson, definition.SpaceFingerprint, definition.Algorithm,
                definition.AlgorithmSettings, StudyJson.ParseMetadata(meta), Time(created));
        });
    }

    private static StudyInfo? ReadStudy(DbConnection c, DbTransaction? tx, string name)
    {
        using var cmd = Command(c, tx, "SELECT name, space_json, space_fingerprint, algorithm, algorithm_settings, metadata, created_at FROM studies WHERE name = @n", ("@n", name));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        return new StudyInfo(r.GetString(0), Str(r, 1), r.GetString(2), r.GetString(3), Str(r, 4), StudyJson.ParseMetadata(Str(r, 5)), Time(Long(r, 6) ?? 0));
    }

    /// <inheritdoc />
    public StudyInfo? FindStudy(string name) => Execute(c => ReadStudy(c, null, name));

    /// <inheritdoc />
    public IReadOnlyList<string> ListStudies() => Execute(c =>
    {
        using var cmd = Command(c, null, "SELECT name FROM studies ORDER BY created_at, name");
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return (IReadOnlyList<string>)names;
    });

    private const string TrialColumns = "id, dna, status, reward, metrics, reason, created_at, ended_at, worker";

    private static Trial ReadTrial(DbDataReader r, IReadOnlyList<Measurement>? measurements) => new()
    {
        Id = (int)(Long(r, 0) ?? 0),
        Dna = Dna.FromJson(r.GetString(1)),
        Status = StudyJson.ParseStatus(r.GetString(2)),
        FinalReward = StudyJson.ParseReward(Str(r, 3)),
        Metrics = StudyJson.ParseMetrics(Str(r, 4)),
        Reason = Str(r, 5),
        CreatedAt = Time(Long(r, 6) ?? 0),
        EndedAt = Long(r, 7) is { } e ? Time(e) : null,
        Worker = Str(r, 8),
        Measurements = measurements ?? [],
    };

    private static Measurement ReadMeasurement(DbDataReader r, int offset) => new(
        (int)(Long(r, offset) ?? 0),
        StudyJson.ParseReward(Str(r, offset + 1)) ?? default,
        StudyJson.ParseMetrics(Str(r, offset + 2)),
        Convert.ToDouble(r.GetValue(offset + 3), System.Globalization.CultureInfo.InvariantCulture));

    private static Trial LoadTrial(DbConnection c, DbTransaction? tx, string study, int id)
    {
        var ms = new List<Measurement>();
        using (var mc = Command(c, tx, "SELECT step, reward, metrics, elapsed FROM measurements WHERE study = @s AND trial_id = @id ORDER BY step", ("@s", study), ("@id", id)))
        using (var mr = mc.ExecuteReader())
            while (mr.Read()) ms.Add(ReadMeasurement(mr, 0));
        using var cmd = Command(c, tx, $"SELECT {TrialColumns} FROM trials WHERE study = @s AND id = @id", ("@s", study), ("@id", id));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new KeyNotFoundException($"Study '{study}' has no trial {id} in {c.DataSource}.");
        return ReadTrial(r, ms);
    }

    /// <inheritdoc />
    public IReadOnlyList<Trial> GetTrials(string study) => Execute(c =>
    {
        var byTrial = new Dictionary<int, List<Measurement>>();
        using (var mc = Command(c, null, "SELECT trial_id, step, reward, metrics, elapsed FROM measurements WHERE study = @s ORDER BY trial_id, step", ("@s", study)))
        using (var mr = mc.ExecuteReader())
            while (mr.Read())
            {
                int id = (int)(Long(mr, 0) ?? 0);
                if (!byTrial.TryGetValue(id, out var list)) byTrial[id] = list = [];
                list.Add(ReadMeasurement(mr, 1));
            }
        var trials = new List<Trial>();
        using var cmd = Command(c, null, $"SELECT {TrialColumns} FROM trials WHERE study = @s ORDER BY id", ("@s", study));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            int id = (int)(Long(r, 0) ?? 0);
            trials.Add(ReadTrial(r, byTrial.GetValueOrDefault(id)));
        }
        return (IReadOnlyList<Trial>)trials;
    });

    /// <inheritdoc />
    public ClaimResult Claim(string study, ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Execute(c =>
        {
            using var tx = BeginWrite(c);
            var lease = LeaseMs(request.Lease);
            // 1. A pending trial whose lease expired (its worker died, or released it) is served again first.
            while (true)
            {
                int id; long attempts;
                using (var cmd = Cmd(c, tx,
                    $"SELECT id, attempts FROM trials WHERE study = @s AND status = 'pending' AND lease_expires < {Now} ORDER BY id LIMIT 1{SkipLocked}", ("@s", study)))
                using (var r = cmd.Command.ExecuteReader())
                {
                    if (!r.Read()) break;
                    id = (int)(Long(r, 0) ?? 0);
                    attempts = Long(r, 1) ?? 1;
                }
                if (attempts >= request.MaxAttempts)
                {
                    Exec(c, tx, $"UPDATE trials SET status = 'failed', reason = @r, ended_at = {Now}, lease_expires = NULL WHERE study = @s AND id = @id",
                        ("@s", study), ("@id", id), ("@r", $"abandoned: served {attempts} times without an outcome (Done, Skip or Fail); last worker died or gave it back"));
                    continue;
                }
                Exec(c, tx, $"UPDATE trials SET worker = @w, lease_expires = {Now} + @l, attempts = attempts + 1 WHERE study = @s AND id = @id",
                    ("@s", study), ("@id", id), ("@w", request.Worker), ("@l", lease));
                var trial = LoadTrial(c, tx, study, id);
                tx.Commit();
                return new ClaimResult(ClaimStatus.Claimed, trial, Reserved: true);
            }
            // 2. New proposals are serialized per study.
            LockStudy(c, tx, study);
            int maxId = Convert.ToInt32(Value(c, tx, "SELECT COALESCE(MAX(id), 0) FROM trials WHERE study = @s", ("@s", study)) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
            if (request.MaxTrials is { } max && maxId >= max)
            {
                var wait = Value(c, tx, $"SELECT MIN(lease_expires) - {Now} FROM trials WHERE study = @s AND status = 'pending'", ("@s", study));
                tx.Commit();
                if (wait is null) return new ClaimResult(ClaimStatus.MaxTrialsReached);
                var ms = Math.Clamp(Convert.ToInt64(wait, System.Globalization.CultureInfo.InvariantCulture) + 5, 10, 1000);
                return new ClaimResult(ClaimStatus.Wait, RetryAfter: TimeSpan.FromMilliseconds(ms));
            }
            var rows = new List<Trial>();
            if (request.SyncFromId <= maxId)
            {
                using var cmd = Cmd(c, tx, $"SELECT {TrialColumns} FROM trials WHERE study = @s AND id >= @from ORDER BY id", ("@s", study), ("@from", request.SyncFromId));
                using var r = cmd.Command.ExecuteReader();
                while (r.Read()) rows.Add(ReadTrial(r, null));
            }
            var dna = request.Propose(rows);
            if (dna is null)
            {
                tx.Commit();
                return new ClaimResult(ClaimStatus.AlgorithmExhausted);
            }
            var created = Convert.ToInt64(Value(c, tx,
                $"INSERT INTO trials (study, id, dna, status, created_at, worker, lease_expires, attempts) VALUES (@s, @id, @d, 'pending', {Now}, @w, {Now} + @l, 1) RETURNING created_at",
                ("@s", study), ("@id", maxId + 1), ("@d", dna.ToJson()), ("@w", request.Worker), ("@l", lease)), System.Globalization.CultureInfo.InvariantCulture);
            tx.Commit();
            return new ClaimResult(ClaimStatus.Claimed, new Trial { Id = maxId + 1, Dna = dna, Status = TrialStatus.Pending, CreatedAt = Time(created), Worker = request.Worker });
        });
    }

    /// <inheritdoc />
    public void AddMeasurement(string study, int trialId, Measurement measurement)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        Execute(c => Exec(c, null,
            "INSERT INTO measurements (study, trial_id, step, reward, metrics, elapsed) VALUES (@s, @id, @step, @r, @m, @e) " +
            "ON CONFLICT (study, trial_id, step) DO UPDATE SET reward = excluded.reward, metrics = excluded.metrics, elapsed = excluded.elapsed",
            ("@s", study), ("@id", trialId), ("@step", measurement.Step), ("@r", StudyJson.Reward(measurement.Reward)),
            ("@m", StudyJson.Metrics(measurement.Metrics)), ("@e", measurement.ElapsedSeconds)));
    }

    /// <inheritdoc />
    public bool FinishTrial(string study, int trialId, TrialOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Status == TrialStatus.Pending) throw new ArgumentException("A trial outcome can't be Pending.", nameof(outcome));
        return Execute(c => Exec(c, null,
            $"UPDATE trials SET status = @st, reward = @r, metrics = @m, reason = @why, ended_at = {Now}, worker = @w, lease_expires = NULL " +
            "WHERE study = @s AND id = @id AND status = 'pending'",
            ("@s", study), ("@id", trialId), ("@st", StudyJson.Status(outcome.Status)), ("@r", StudyJson.Reward(outcome.Reward)),
            ("@m", StudyJson.Metrics(outcome.Metrics)), ("@why", outcome.Reason), ("@w", outcome.Worker)) == 1);
    }

    /// <inheritdoc />
    public bool RenewLease(string study, int trialId, string worker, TimeSpan lease) => Execute(c => Exec(c, null,
        $"UPDATE trials SET lease_expires = {Now} + @l WHERE study = @s AND id = @id AND status = 'pending' AND worker = @w",
        ("@s", study), ("@id", trialId), ("@w", worker), ("@l", LeaseMs(lease))) == 1);

    /// <inheritdoc />
    public void ReleaseTrial(string study, int trialId, string worker) => Execute(c => Exec(c, null,
        "UPDATE trials SET lease_expires = 0 WHERE study = @s AND id = @id AND status = 'pending' AND worker = @w",
        ("@s", study), ("@id", trialId), ("@w", worker)));

    /// <inheritdoc />
    public void SetMetadata(string study, string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        Execute(c =>
        {
            using var tx = BeginWrite(c);
            LockStudy(c, tx, study);
            var info = ReadStudy(c, tx, study) ?? throw new KeyNotFoundException($"No study '{study}' in {Location}.");
            var meta = new Dictionary<string, string>(info.Metadata);
            if (value is null) meta.Remove(key); else meta[key] = value;
            NonQuery(c, tx, "UPDATE studies SET metadata = @m WHERE name = @n", ("@n", study), ("@m", StudyJson.Metadata(meta)));
            tx.Commit();
            return 0;
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connection(s).</summary>
    protected abstract void Dispose(bool disposing);
}
