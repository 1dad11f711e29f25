using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NasNotebooks.Dashboard.Live;
using NasNotebooks.Dashboard.Web;

namespace NasNotebooks.Dashboard;

/// <summary>
/// The study dashboard: an ASP.NET Core (Kestrel) server, bound to 127.0.0.1 unless told otherwise,
/// serving the studies of its stores with live updates. Start it with <see cref="StartAsync"/> (in any
/// process: the command line's <c>dashboard</c> command, or a notebook kernel), stop it with
/// <see cref="StopAsync"/> or by disposing it.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StoreRegistry _stores;
    private readonly WatcherPool _watchers;
    private readonly StudiesFeed _studies;
    private int _stopped;

    private DashboardServer(WebApplication app, StoreRegistry stores, WatcherPool watchers, StudiesFeed studies, Uri url)
    {
        _app = app;
        _stores = stores;
        _watchers = watchers;
        _studies = studies;
        Url = url;
    }

    /// <summary>The address of the studies page, e.g. <c>http://127.0.0.1:8080/</c>.</summary>
    public Uri Url { get; }

    /// <summary>Number of studies whose trials the server holds in memory now (watched recently).</summary>
    public int WatchedStudies => _watchers.Count;

    /// <summary>The address of a study's page.</summary>
    /// <param name="source">The store (one of <see cref="DashboardOptions.Stores"/>; for a folder, its first file).</param>
    /// <param name="study">The study name.</param>
    public Uri StudyUrl(StoreSource source, string study)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = _stores.KeyOf(source) ?? throw new ArgumentException($"{source.Location} is not one of this dashboard's stores.", nameof(source));
        return new Uri(Url, Routes.Study(key, study));
    }

    /// <summary>Starts the server and returns once it listens.</summary>
    /// <exception cref="ArgumentException">Bad options (no store, bad host or port); the message names the option.</exception>
    /// <exception cref="IOException">The address is in use; the message names it.</exception>
    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var ip = HostAddress.Parse(options.Host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DashboardServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        // The host process (a terminal command, a notebook kernel) owns Ctrl+C and SIGTERM, not the web host.
        builder.Services.AddSingleton<IHostLifetime, HostedLifetime>();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(ip, options.Port);
        });
        var app = builder.Build();
        var stores = new StoreRegistry(options.Stores);
        var watchers = new WatcherPool(options);
        var studies = new StudiesFeed(stores);
        var token = options.AllowStop ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) : null;
        Endpoints.Map(app, new EndpointContext(options, stores, watchers, studies, ip, token, app.Lifetime.ApplicationStopping));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await DisposeAllAsync(app, stores, watchers, studies).ConfigureAwait(false);
            throw new IOException($"The dashboard cannot listen on {HostAddress.ForUrl(ip)}:{options.Port}: {(e.InnerException ?? e).Message}. " +
                "Choose another --port (0 picks a free one).", e);
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var url = new Uri($"http://{HostAddress.ForUrl(ip)}:{port}/");
        options.Log?.WriteLine($"dashboard: listening on {url}");
        // The most recently active studies are read in the background at once, so that their first page load is a warm one.
        _ = Task.Run(() =>
        {
            try
            {
                studies.Current();
                foreach (var (store, study) in studies.RecentlyActive(4))
                    if (stores.Find(store) is { } entry) watchers.Warm(entry, study);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException) { }
        }, CancellationToken.None);
        return new DashboardServer(app, stores, watchers, studies, url);
    }

    /// <summary>Stops listening and releases the stores it opened (stores given open are left open).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await _app.StopAsync(timeout.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await DisposeAllAsync(_app, _stores, _watchers, _studies).ConfigureAwait(false);
    }

    private static async Task DisposeAllAsync(WebApplication app, StoreRegistry stores, WatcherPool watchers, StudiesFeed studies)
    {
        await watchers.DisposeAsync().ConfigureAwait(false);
        await studies.DisposeAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        stores.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>A host lifetime that leaves process signals alone.</summary>
    private sealed class HostedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Everything the endpoints need.</summary>
internal sealed record EndpointContext(DashboardOptions Options, StoreRegistry Stores, WatcherPool Watchers, StudiesFeed Studies, IPAddress Address, string? StopToken, CancellationToken Stopping);

/// <summary>URLs of the pages.</summary>
internal static class Routes
{
    public static string Study(string store, string study) => $"study?store={Uri.EscapeDataString(store)}&name={Uri.EscapeDataString(study)}";
}
