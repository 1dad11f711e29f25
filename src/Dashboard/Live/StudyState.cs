using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Dashboard.Live;

/// <summary>One trial as the dashboard holds it: the trial (measurement metrics dropped), its decisions as text, and the version that last changed it.</summary>
internal sealed class TrialEntry
{
    public required Trial Trial { get; init; }
    public required long Version { get; init; }
    public required IReadOnlyDictionary<string, string> Decisions { get; init; }
    public bool Pruned => StudyReport.IsPruned(Trial);
    public int Id => Trial.Id;
}

/// <summary>
/// An immutable picture of a watched study; the watcher swaps in a new one per change, readers take the
/// current one without locks. <see cref="Entries"/> is in id order.
/// </summary>
internal sealed record StudyState(
    int Epoch,
    long Version,
    StudyInfo? Info,
    TrialEntry[] Entries,
    string[] DecisionColumns,
    string[] MetricColumns,
    string[] Objectives,
    TrialEntry? Best,
    string? BestMaterialized,
    string? Error,
    bool Gone,
    bool Loaded)
{
    public static StudyState Initial => new(1, 0, null, [], [], [], ["reward"], null, null, null, false, false);

    /// <summary>The trials changed after <paramref name="version"/>.</summary>
    public IEnumerable<TrialEntry> ChangedAfter(long version) => Entries.Where(e => e.Version > version);

    /// <summary>A report over the held trials (the notebook's charts).</summary>
    public StudyReport Report(SpaceSpec? spec) => new(Entries.Select(e => e.Trial), spec, Objectives);
}
