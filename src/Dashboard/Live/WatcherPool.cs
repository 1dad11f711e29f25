namespace NasNotebooks.Dashboard.Live;

/// <summary>
/// The watched studies: a watcher is made on the first request for a study, polled while a page listens
/// (or was served in the last minute), and dropped — with the trials it held — after two idle minutes.
/// </summary>
internal sealed class WatcherPool : IAsyncDisposable
{
    private static readonly TimeSpan Active = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Evict = TimeSpan.FromMinutes(2);
    private readonly Dictionary<(string Store, string Study), StudyWatcher> _watchers = [];
    private readonly object _gate = new();
    private readonly DashboardOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WatcherPool(DashboardOptions options)
    {
        _options = options;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The watcher of <paramref name="study"/> in <paramref name="store"/> (made on first use).</summary>
    public StudyWatcher Get(StoreEntry store, string study)
    {
        lock (_gate)
        {
            if (!_watchers.TryGetValue((store.Key, study), out var w))
                _watchers[(store.Key, study)] = w = new StudyWatcher(store, study, _options.Hints?.Invoke(store.Source, study));
            w.Touch();
            return w;
        }
    }

    /// <summary>Reads a study in the background (before its page is asked for), so that its first page load is a warm one.</summary>
    public void Warm(StoreEntry store, string study)
    {
        var watcher = Get(store, study);
        if (watcher.State.Loaded) return;
        _ = Task.Run(() =>
        {
            try { watcher.EnsureLoaded(); }
            catch (Exception e) when (e is not OutOfMemoryException) { _options.Log?.WriteLine($"dashboard: reading '{study}' failed: {e.Message}"); }
        });
    }

    /// <summary>Number of studies held in memory now.</summary>
    public int Count
    {
        get { lock (_gate) return _watchers.Count; }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                StudyWatcher[] all;
                lock (_gate) all = [.. _watchers.Values];
                foreach (var w in all)
                {
                    if (w.IsActive(Active))
                    {
                        try { w.Poll(); }
                        catch (Exception e) when (e is not OutOfMemoryException)
                        {
                            // A bug in one study's poll must not stop the others; the page shows the store error path.
                            _options.Log?.WriteLine($"dashboard: polling '{w.Study}' failed: {e.GetType().Name}: {e.Message}");
                        }
                    }
                    else if (!w.IsActive(Evict))
                    {
                        lock (_gate) _watchers.Remove((w.Store.Key, w.Study));
                        w.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var w in _watchers.Values) w.Dispose();
            _watchers.Clear();
        }
        _stop.Dispose();
    }
}
