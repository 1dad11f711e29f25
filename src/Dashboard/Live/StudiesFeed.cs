using System.Text.Json;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Live;

/// <summary>
/// The studies page's data: one summary per study of every store (counted by the store in SQL, no trial
/// loaded), read on request and every second while a page listens; a new version only when it changed.
/// </summary>
internal sealed class StudiesFeed : IAsyncDisposable
{
    private readonly StoreRegistry _stores;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _json = [];
    private long _version;
    private int _subscribers;
    private long _refreshedAt;
    private List<(string Store, string Study)> _recent = [];

    public StudiesFeed(StoreRegistry stores)
    {
        _stores = stores;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The current payload and its version (read again when more than a second old).</summary>
    public (byte[] Json, long Version) Current()
    {
        lock (_gate) if (_version > 0 && Environment.TickCount64 - _refreshedAt < 1000) return (_json, _version);
        Refresh();
        lock (_gate) return (_json, _version);
    }

    /// <summary>The <paramref name="count"/> studies with the latest activity, as (store key, study).</summary>
    public IReadOnlyList<(string Store, string Study)> RecentlyActive(int count)
    {
        lock (_gate) return _recent.Take(count).ToList();
    }

    public IDisposable Subscribe()
    {
        Interlocked.Increment(ref _subscribers);
        return new Unsubscriber(() => Interlocked.Decrement(ref _subscribers));
    }

    private sealed class Unsubscriber(Action done) : IDisposable
    {
        private int _disposed;
        public void Dispose() { if (Interlocked.Exchange(ref _disposed, 1) == 0) done(); }
    }

    public Task WaitForChangeAsync(long version)
    {
        lock (_gate) return _version > version ? Task.CompletedTask : _changed.Task;
    }

    /// <summary>Reads every store's summaries and publishes them if they changed.</summary>
    public void Refresh()
    {
        var stores = _stores.Current;
        var results = new List<(StoreEntry Store, IReadOnlyList<StudySummary>? Studies, string? Error)>();
        foreach (var s in stores)
        {
            try { results.Add((s, s.Use(x => x.GetStudySummaries()), null)); }
            catch (StoreUnavailableException e) { results.Add((s, null, e.Message)); }
        }
        var json = Write(results, _stores.EmptyFolders.ToList());
        var recent = results.SelectMany(r => (r.Studies ?? []).Select(s => (Store: r.Store.Key, s.Name, Activity: s.LastActivity ?? s.CreatedAt)))
            .OrderByDescending(x => x.Activity).Select(x => (x.Store, x.Name)).ToList();
        lock (_gate)
        {
            _refreshedAt = Environment.TickCount64;
            _recent = recent;
            if (_version > 0 && json.AsSpan().SequenceEqual(_json)) return;
            _json = json;
            _version++;
            var done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.TrySetResult();
        }
    }

    private static byte[] Write(List<(StoreEntry Store, IReadOnlyList<StudySummary>? Studies, string? Error)> results, List<StoreSource> emptyFolders)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("stores");
            foreach (var (store, studies, error) in results)
            {
                w.WriteStartObject();
                w.WriteString("key", store.Key);
                w.WriteString("location", store.Location);
                if (error is null) w.WriteNull("error"); else w.WriteString("error", error);
                w.WriteStartArray("studies");
                foreach (var s in studies ?? [])
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    w.WriteString("algorithm", s.Algorithm);
                    w.WriteNumber("createdAt", s.CreatedAt.ToUnixTimeMilliseconds());
                    w.WriteNumber("pending", s.Pending);
                    w.WriteNumber("completed", s.Completed);
                    w.WriteNumber("failed", s.Failed);
                    w.WriteNumber("skipped", s.Skipped);
                    w.WriteNumber("total", s.Total);
                    if (s.LastActivity is { } a) w.WriteNumber("lastActivity", a.ToUnixTimeMilliseconds()); else w.WriteNull("lastActivity");
                    if (s.BestTrialId is { } b) w.WriteNumber("bestTrial", b); else w.WriteNull("bestTrial");
                    if (s.BestValue is { } v && double.IsFinite(v)) w.WriteNumber("bestValue", v); else w.WriteNull("bestValue");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("emptyFolders");
            foreach (var f in emptyFolders) w.WriteStringValue(f.Location);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                if (Volatile.Read(ref _subscribers) > 0) Refresh();
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
