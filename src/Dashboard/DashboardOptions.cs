using NasNotebooks.Dsl;

namespace NasNotebooks.Dashboard;

/// <summary>What <see cref="DashboardServer.StartAsync"/> serves and how.</summary>
/// <example><code>
/// await using var dashboard = await DashboardServer.StartAsync(new DashboardOptions { Stores = [StoreSource.Parse("runs.db")], Port = 8080 });
/// Console.WriteLine(dashboard.Url);   // http://127.0.0.1:8080/
/// </code></example>
public sealed record DashboardOptions
{
    /// <summary>The study stores to show (at least one): SQLite files, folders of them, PostgreSQL databases or open stores.</summary>
    public IReadOnlyList<StoreSource> Stores { get; init; } = [];

    /// <summary>The address to listen on: an IP address or <c>localhost</c> (default <c>127.0.0.1</c>, this machine only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="DashboardServer.Url"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// Adds a stop button to study pages. Without it the dashboard has no endpoint that changes anything.
    /// A stop asks the study's workers to stop taking trials (see <see cref="Runtime.Studies.StudyStopRequest"/>), or calls
    /// <see cref="StudyHints.Stop"/> when the study has one.
    /// </summary>
    public bool AllowStop { get; init; }

    /// <summary>How often a watched study is read for new and changed trials (default 250 ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Extra knowledge about a study (its space, objective names, a stop action), by store and study name; may return null.</summary>
    public Func<StoreSource, string, StudyHints?>? Hints { get; init; }

    /// <summary>Writes one line per request and the server's own log to this writer when set (default: silent).</summary>
    public TextWriter? Log { get; init; }

    internal void Validate()
    {
        if (Stores.Count == 0) throw new ArgumentException("The dashboard needs at least one study store (a SQLite file, a folder of them or postgres://...).", nameof(Stores));
        if (Port is < 0 or > 65535) throw new ArgumentException($"--port {Port} is out of range; expected 0 (any free port) to 65535.", nameof(Port));
        HostAddress.Parse(Host);
        if (PollInterval <= TimeSpan.Zero || PollInterval > TimeSpan.FromMinutes(1))
            throw new ArgumentException($"The poll interval {PollInterval} must be positive and at most a minute.", nameof(PollInterval));
    }
}

/// <summary>What the dashboard cannot read from the store itself about a study.</summary>
/// <param name="Spec">The space (better decision names and the best trial's materialized value when the store's space JSON can't be read back).</param>
/// <param name="ObjectiveNames">Names of the reward's objectives for tables and axes (default <c>reward</c>, <c>reward[1]</c>...).</param>
/// <param name="Stop">Stops the study's search (used by the stop button with <see cref="DashboardOptions.AllowStop"/>); returns false when nothing was running.</param>
public sealed record StudyHints(SpaceSpec? Spec = null, IReadOnlyList<string>? ObjectiveNames = null, Func<bool>? Stop = null);
