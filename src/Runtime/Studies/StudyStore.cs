using System.Text.RegularExpressions;

namespace NasNotebooks.Runtime.Studies;

/// <summary>Opens study stores from connection strings.</summary>
public static partial class StudyStore
{
    /// <summary>
    /// Opens (creating when needed) a study store:
    /// <list type="bullet">
    /// <item><c>memory:</c> — an <see cref="InMemoryStudyStore"/>;</item>
    /// <item>a file path or <c>sqlite:PATH</c> — a <see cref="SqliteStudyStore"/> (the embedded default);</item>
    /// <item><c>postgres://user[:password]@host[:port]/database</c> (or <c>postgresql://</c>) or an Npgsql
    /// connection string such as <c>Host=...;Username=...;Database=...</c> — a <see cref="PostgresStudyStore"/>.</item>
    /// </list>
    /// </summary>
    /// <example><code>using var store = StudyStore.Open("studies.db");</code></example>
    /// <exception cref="ArgumentException">Empty string or an unknown scheme; the message lists the accepted forms.</exception>
    /// <exception cref="StudyStoreFormatException">The file or database exists but is not a study store of a version this build reads.</exception>
    public static IStudyStore Open(string connection)
    {
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException("A study store connection string is required. " + Forms, nameof(connection));
        var c = connection.Trim();
        if (c.Equals("memory:", StringComparison.OrdinalIgnoreCase) || c.Equals(":memory:", StringComparison.Ordinal))
            return new InMemoryStudyStore();
        if (c.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = c["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
            if (path.Length == 0) throw new ArgumentException($"Study store '{connection}' names no file. " + Forms, nameof(connection));
            return new SqliteStudyStore(path);
        }
        if (c.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new PostgresStudyStore(PostgresStudyStore.FromUrl(c));
        if (KeyValueForm().IsMatch(c))
            return new PostgresStudyStore(c);
        var scheme = Scheme().Match(c);
        if (scheme.Success)
            throw new ArgumentException($"Unknown study store scheme '{scheme.Groups[1].Value}' in '{connection}'. " + Forms, nameof(connection));
        return new SqliteStudyStore(c);
    }

    private const string Forms = "Expected a file path, 'sqlite:PATH', 'memory:', 'postgres://user@host:port/database' or 'Host=...;Username=...;Database=...'.";

    [GeneratedRegex(@"(^|;)\s*(Host|Server)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValueForm();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]+):")]
    private static partial Regex Scheme();
}
