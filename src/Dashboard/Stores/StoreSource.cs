using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard;

/// <summary>The kinds of <see cref="StoreSource"/>.</summary>
public enum StoreSourceKind
{
    /// <summary>One SQLite study file.</summary>
    SqliteFile,
    /// <summary>A folder: every SQLite study file in it (<c>*.db</c>, <c>*.sqlite</c>, <c>*.sqlite3</c>), rescanned as files come and go.</summary>
    Folder,
    /// <summary>A PostgreSQL database.</summary>
    Postgres,
    /// <summary>A store this process already has open (e.g. the kernel's); the dashboard never disposes it.</summary>
    Open,
}

/// <summary>Where the dashboard reads studies from; made by <see cref="Parse"/> (which checks it) or <see cref="FromStore"/>.</summary>
public sealed class StoreSource
{
    private StoreSource(StoreSourceKind kind, string text, string location, IStudyStore? store)
    {
        Kind = kind;
        Text = text;
        Location = location;
        Store = store;
    }

    /// <summary>The kind of source.</summary>
    public StoreSourceKind Kind { get; }

    /// <summary>The text it was made from (for messages).</summary>
    public string Text { get; }

    /// <summary>Full path of the file or folder, or the PostgreSQL location without password.</summary>
    public string Location { get; }

    internal IStudyStore? Store { get; }

    internal string? ConnectionString { get; private init; }

    /// <summary>
    /// Reads a <c>--study</c> value: an existing SQLite study file (or <c>sqlite:PATH</c>), an existing folder
    /// of them, <c>postgres://user@host:port/db</c> or an Npgsql connection string (<c>Host=...;Database=...</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The value names nothing the dashboard can read; the message says what is wrong and what is expected.</exception>
    public static StoreSource Parse(string text)
    {
        const string forms = "Expected an existing SQLite study file (e.g. runs.db), a folder of them, postgres://user@host:5432/database or 'Host=...;Username=...;Database=...'.";
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("--study is empty. " + forms);
        var t = text.Trim();
        if (t.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            string cs;
            try { cs = PostgresStudyStore.FromUrl(t); }
            catch (ArgumentException e) { throw new ArgumentException($"--study {text}: {e.Message}", e); }
            return new StoreSource(StoreSourceKind.Postgres, text, RedactUrl(t), null) { ConnectionString = cs };
        }
        if (System.Text.RegularExpressions.Regex.IsMatch(t, @"(^|;)\s*(Host|Server)\s*=", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            Npgsql.NpgsqlConnectionStringBuilder b;
            try { b = new Npgsql.NpgsqlConnectionStringBuilder(t); }
            catch (ArgumentException e) { throw new ArgumentException($"--study: invalid PostgreSQL connection string: {e.Message}", e); }
            return new StoreSource(StoreSourceKind.Postgres, "postgres connection string", $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database ?? b.Username}", null) { ConnectionString = t };
        }
        if (t.Equals("memory:", StringComparison.OrdinalIgnoreCase) || t == ":memory:")
            throw new ArgumentException("--study memory: names a store that lives inside one process and is empty anywhere else; " +
                "give the SQLite file or PostgreSQL database the search writes to (in a notebook, '#!nas dashboard' shows the current study).");
        if (t.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            t = t["sqlite:".Length..];
            if (t.StartsWith("//", StringComparison.Ordinal)) t = t[2..];
            if (t.Length == 0) throw new ArgumentException($"--study {text} names no file. " + forms);
        }
        else if (System.Text.RegularExpressions.Regex.Match(t, "^([A-Za-z][A-Za-z0-9+.-]+)://") is { Success: true } scheme)
            throw new ArgumentException($"--study {text}: unknown scheme '{scheme.Groups[1].Value}'. " + forms);
        string full;
        try { full = Path.GetFullPath(t); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new ArgumentException($"--study {text} is not a valid path: {e.Message}", e); }
        if (Directory.Exists(full)) return new StoreSource(StoreSourceKind.Folder, text, full, null);
        if (!File.Exists(full))
        {
            var parent = Path.GetDirectoryName(full);
            var where = parent is not null && !Directory.Exists(parent) ? $" (the folder {parent} does not exist either)" : "";
            throw new ArgumentException($"--study {text}: no such file or folder: {full}{where}. The dashboard shows existing studies; " +
                "start a search or a worker with this --study first, or give the folder that holds the study files.");
        }
        if (SqliteFiles.CheckHeader(full) is { } problem) throw new ArgumentException($"--study {text}: {problem}");
        try { using var probe = new SqliteStudyStore(full); }
        catch (StudyStoreFormatException e) { throw new ArgumentException($"--study {text}: {e.Message}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ArgumentException($"--study {text}: cannot read {full}: {e.Message}", e); }
        return new StoreSource(StoreSourceKind.SqliteFile, text, full, null);
    }

    /// <summary>A store this process already has open (the dashboard reads it and never disposes it).</summary>
    public static StoreSource FromStore(IStudyStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new StoreSource(StoreSourceKind.Open, store.Location, store.Location, store);
    }

    private static string RedactUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return url;
        var user = uri.UserInfo.Split(':', 2)[0];
        return $"{uri.Scheme}://{(user.Length > 0 ? user + "@" : "")}{uri.Host}{(uri.IsDefaultPort || uri.Port <= 0 ? "" : ":" + uri.Port)}{uri.AbsolutePath}";
    }

    /// <inheritdoc />
    public override string ToString() => Location;
}

/// <summary>SQLite file checks that never create or change a file.</summary>
internal static class SqliteFiles
{
    private static readonly byte[] Header = "SQLite format 3\0"u8.ToArray();

    /// <summary>Extensions of the study files a folder source lists.</summary>
    public static readonly string[] Extensions = [".db", ".sqlite", ".sqlite3"];

    /// <summary>Null when <paramref name="path"/> starts like an SQLite database, else what is wrong.</summary>
    public static string? CheckHeader(string path)
    {
        var buffer = new byte[Header.Length];
        int n;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (FileNotFoundException) { return $"no such file: {path}"; }
        catch (DirectoryNotFoundException) { return $"no such file: {path}"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"cannot read {path}: {e.Message}"; }
        if (n == 0) return $"{path} is empty, not a study store yet (a search or worker creates it).";
        return n == Header.Length && buffer.AsSpan().SequenceEqual(Header) ? null
            : $"{path} is not a NasNotebooks study store: it is not an SQLite database (it does not start with the SQLite header).";
    }
}
