using System.Collections.Concurrent;
using System.Net;
using NasNotebooks.Dashboard;
using NasNotebooks.Magics;
using NasNotebooks.Magics.Nas;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Kernel.Nas;

/// <summary>
/// <c>#!nas dashboard [--port P] [--name STUDY] [--study STORE] [--host H] [--allow-stop]</c>: serves the live study
/// dashboard from this kernel process (in the background, one server per study store) and shows the link to the
/// study's page (also in the session variable <c>nasDashboard</c>). Without <c>--study</c> it serves the store of this
/// session's current study; with it, any store (e.g. one that worker processes write). The server stops with the kernel.
/// </summary>
internal sealed class DashboardMagic : IMagicCommand
{
    // Keyed by the session's store object, or by the --study text's location.
    private static readonly ConcurrentDictionary<object, (DashboardServer Server, StoreSource Source)> Servers = new();
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static int _exitHooked;

    public string Name => "dashboard";

    public string Description => "Serve a live dashboard of the current study in the browser (from this kernel; it stops with the kernel).";

    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("port", "TCP port (0: any free port).") { Alias = "-p", Kind = MagicValueKind.Integer, Default = "0" },
        NasMagics.NameOption,
        new("study", "Serve this store instead of the current study's: a SQLite file, a folder of them or postgres://... (e.g. one that workers write).") { Alias = "-s" },
        new("host", "Address to listen on (default: this machine only).") { Default = "127.0.0.1" },
        new("allow-stop", "Add a stop button that stops the study's search.") { Kind = MagicValueKind.Flag },
    ];

    public async Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var storeText = inv.GetString("study");
        NasStudy? study = null;
        StoreSource? given = null;
        if (storeText is null) study = NasStudies.Get(inv.GetString("name"), inv.CommandPath);
        else
        {
            try { given = StoreSource.Parse(storeText); }
            catch (ArgumentException e) { throw inv.UsageError(e.Message); }
        }
        string? studyName = study?.Name ?? inv.GetString("name");
        if (given is { Kind: StoreSourceKind.Folder } && studyName is not null)
            throw inv.UsageError($"--name {studyName} needs a store, not the folder {given.Location}: give the study's file to --study, or leave --name out and pick the study from the list");
        int port = inv.GetInt("port", 0);
        if (port is < 0 or > 65535) throw inv.UsageError($"--port {port} is out of range; expected 0 (any free port) to 65535");
        var host = inv.GetString("host") ?? "127.0.0.1";
        bool allowStop = inv.Has("allow-stop");
        object key = study is not null ? study.Store : given!.Location;
        var storeLabel = study?.StoreText ?? storeText!;
        await Gate.WaitAsync(context.CancellationToken).ConfigureAwait(false);
        try
        {
            if (!Servers.TryGetValue(key, out var running))
            {
                var source = given ?? StoreSource.FromStore(study!.Store);
                var sessionStore = study?.Store;
                var options = new DashboardOptions
                {
                    Stores = [source],
                    Port = port,
                    Host = host,
                    AllowStop = allowStop,
                    // The kernel knows the space and objective names of its own studies, and how to stop their searches.
                    Hints = (_, name) => sessionStore is not null && NasStudies.All.FirstOrDefault(s => s.Name == name && ReferenceEquals(s.Store, sessionStore)) is { } known
                        ? new StudyHints(known.Spec, known.ObjectiveNames.Count > 0 ? known.ObjectiveNames : null, allowStop ? known.Stop : null)
                        : null,
                };
                DashboardServer server;
                try { server = await DashboardServer.StartAsync(options, context.CancellationToken).ConfigureAwait(false); }
                catch (ArgumentException e) { throw inv.UsageError(e.Message); }
                catch (IOException e) { throw inv.UsageError(e.Message); }
                Servers[key] = running = (server, source);
                if (Interlocked.Exchange(ref _exitHooked, 1) == 0)
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
                if (!IPAddress.TryParse(host, out var ip) || !IPAddress.IsLoopback(ip))
                    context.Out.WriteLine($"note: listening on {host}: other machines can read the studies of {storeLabel}.");
            }
            else if (inv.Has("port") && port != 0 && port != running.Server.Url.Port)
                context.Out.WriteLine($"The dashboard of {storeLabel} already runs at {running.Server.Url} (this kernel serves one per store); --port {port} is ignored.");
            var url = studyName is null ? running.Server.Url : running.Server.StudyUrl(running.Source, studyName);
            context.Display(new DashboardLink(url, studyName, storeLabel));
            await context.SetVariableAsync("nasDashboard", url).ConfigureAwait(false);
        }
        finally { Gate.Release(); }
    }

    /// <summary>Stops every dashboard this kernel serves (at process exit).</summary>
    internal static void StopAll()
    {
        foreach (var (store, (server, _)) in Servers)
        {
            Servers.TryRemove(store, out _);
            try { server.StopAsync().Wait(TimeSpan.FromSeconds(3)); }
            catch (AggregateException) { }
        }
    }
}

/// <summary>The link <c>#!nas dashboard</c> shows.</summary>
public sealed class DashboardLink : IMimeFormattable
{
    internal DashboardLink(Uri url, string? study, string store)
    {
        Url = url;
        Study = study;
        Store = store;
    }

    /// <summary>The study page's address.</summary>
    public Uri Url { get; }

    /// <summary>The study (null: the link is to the studies of the store).</summary>
    public string? Study { get; }

    /// <summary>Its store, as given to <c>--study</c>.</summary>
    public string Store { get; }

    /// <inheritdoc />
    public override string ToString() => Study is null ? $"Dashboard of the studies in {Store}: {Url}" : $"Dashboard of study '{Study}' ({Store}): {Url}";

    /// <inheritdoc />
    public void Format(MimeBundle bundle)
    {
        var url = WebUtility.HtmlEncode(Url.ToString());
        var what = Study is null ? "Dashboard of the studies in" : $"Dashboard of study <b>{WebUtility.HtmlEncode(Study)}</b> in";
        bundle.Set("text/html",
            $"<div class=\"nas-dashboard-link\">{what} <code>{WebUtility.HtmlEncode(Store)}</code>: " +
            $"<a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{url}</a></div>");
    }
}
