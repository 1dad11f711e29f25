using System.Data.Common;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard;

/// <summary>A store could not be read now (file gone, server down, not a study store); the message says which and why.</summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One study store the dashboard reads: opened on first use, closed when its file disappears or a read
/// fails, and opened again on a later use, so a store that goes away and comes back is followed.
/// </summary>
internal sealed class StoreEntry : IDisposable
{
    private readonly object _gate = new();
    private IStudyStore? _store;
    private bool _disposed;

    public StoreEntry(string key, StoreSource source, string location, string? sqlitePath)
    {
        Key = key;
        Source = source;
        Location = location;
        SqlitePath = sqlitePath;
    }

    /// <summary>The store's key in URLs (file name, or <c>postgres</c>).</summary>
    public string Key { get; }

    /// <summary>The source it came from (a folder source yields one entry per file).</summary>
    public StoreSource Source { get; }

    /// <summary>File path or PostgreSQL location.</summary>
    public string Location { get; }

    /// <summary>The SQLite file, when the store is one.</summary>
    public string? SqlitePath { get; }

    /// <summary>Bumped each time the store is opened afresh: watchers reload when it changes.</summary>
    public int Generation { get; private set; }

    /// <summary>Runs <paramref name="read"/> on the store; failures become <see cref="StoreUnavailableException"/>.</summary>
    public T Use<T>(Func<IStudyStore, T> read)
    {
        IStudyStore store;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (SqlitePath is not null && !File.Exists(SqlitePath))
            {
                Close();
                throw new StoreUnavailableException($"The study store file {SqlitePath} no longer exists (deleted or moved). The dashboard keeps running and shows it again when the file is back.");
            }
            store = _store ??= Open();
        }
        try { return read(store); }
        catch (Exception e) when (e is DbException or IOException or StudyStoreFormatException or ObjectDisposedException or TimeoutException or System.Net.Sockets.SocketException)
        {
            lock (_gate) if (ReferenceEquals(_store, store)) Close();
            throw new StoreUnavailableException($"The study store {Location} could not be read: {e.Message}", e);
        }
    }

    private IStudyStore Open()
    {
        try
        {
            IStudyStore opened;
            if (Source.Store is { } given) opened = given;
            else if (SqlitePath is not null)
            {
                if (SqliteFiles.CheckHeader(SqlitePath) is { } problem) throw new StoreUnavailableException(problem);
                opened = new SqliteStudyStore(SqlitePath);
            }
            else opened = new PostgresStudyStore(Source.ConnectionString!);
            Generation++;
            return opened;
        }
        catch (StoreUnavailableException) { throw; }
        catch (Exception e) when (e is DbException or IOException or StudyStoreFormatException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
        {
            throw new StoreUnavailableException(SqlitePath is null
                ? $"The study store {Location} is unreachable: {e.Message}. The dashboard keeps trying."
                : $"The study store {Location} could not be opened: {e.Message}", e);
        }
    }

    private void Close()
    {
        if (_store is null) return;
        if (Source.Store is null) _store.Dispose();
        _store = null;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Close();
            _disposed = true;
        }
    }
}

/// <summary>The stores behind the dashboard's sources, by key; a folder source is rescanned for new and vanished files.</summary>
internal sealed class StoreRegistry : IDisposable
{
    private readonly IReadOnlyList<StoreSource> _sources;
    private readonly Dictionary<string, StoreEntry> _byKey = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private DateTime _scannedAt = DateTime.MinValue;
    private IReadOnlyList<StoreEntry> _current = [];

    public StoreRegistry(IReadOnlyList<StoreSource> sources)
    {
        _sources = sources;
        Rescan(force: true);
    }

    /// <summary>The stores shown now (a folder's files as of the last scan, at most a second old).</summary>
    public IReadOnlyList<StoreEntry> Current
    {
        get
        {
            Rescan(force: false);
            return _current;
        }
    }

    /// <summary>Folders that hold no study file (for the studies page's message).</summary>
    public IEnumerable<StoreSource> EmptyFolders => _sources.Where(s => s.Kind == StoreSourceKind.Folder && !_current.Any(e => e.Source == s));

    /// <summary>The store with <paramref name="key"/> (also one whose file has vanished since), or null.</summary>
    public StoreEntry? Find(string key)
    {
        Rescan(force: false);
        lock (_gate) return _byKey.GetValueOrDefault(key);
    }

    /// <summary>The key of the first store that <paramref name="source"/> yields.</summary>
    public string? KeyOf(StoreSource source)
    {
        lock (_gate) return _byKey.Values.FirstOrDefault(e => e.Source == source)?.Key;
    }

    private void Rescan(bool force)
    {
        lock (_gate)
        {
            if (!force && (DateTime.UtcNow - _scannedAt).TotalMilliseconds < 1000) return;
            _scannedAt = DateTime.UtcNow;
            var current = new List<StoreEntry>();
            foreach (var source in _sources)
            {
                switch (source.Kind)
                {
                    case StoreSourceKind.Folder:
                        string[] files;
                        try { files = Directory.GetFiles(source.Location).Where(f => SqliteFiles.Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray(); }
                        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { files = []; }
                        foreach (var f in files) current.Add(Entry(Path.GetFileName(f), source, f, f));
                        break;
                    case StoreSourceKind.SqliteFile:
                        current.Add(Entry(Path.GetFileName(source.Location), source, source.Location, source.Location));
                        break;
                    case StoreSourceKind.Postgres:
                        current.Add(Entry("postgres", source, source.Location, null));
                        break;
                    default:
                        // An open store: a SQLite file (also behind a wrapper whose location is the file), PostgreSQL or memory.
                        var sqlite = (source.Store as SqliteStudyStore)?.FilePath ?? (Path.IsPathRooted(source.Location) && File.Exists(source.Location) ? source.Location : null);
                        var key = sqlite is not null ? Path.GetFileName(sqlite) : source.Location.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? "postgres" : "memory";
                        current.Add(Entry(key, source, source.Location, sqlite));
                        break;
                }
            }
            _current = current;
        }
    }

    private StoreEntry Entry(string key, StoreSource source, string location, string? sqlitePath)
    {
        // The same key from another source (two files of one name in two folders): number it.
        var k = key;
        for (int i = 2; _byKey.TryGetValue(k, out var existing) && (existing.Source != source || existing.Location != location); i++) k = $"{key}~{i}";
        if (!_byKey.TryGetValue(k, out var entry)) _byKey[k] = entry = new StoreEntry(k, source, location, sqlitePath);
        return entry;
    }

    public void Dispose()
    {
        lock (_gate)
            foreach (var e in _byKey.Values) e.Dispose();
    }
}
