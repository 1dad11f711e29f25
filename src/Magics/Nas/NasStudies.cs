using System.Collections.Concurrent;
using System.Diagnostics;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Magics.Nas;

/// <summary>A study this kernel session started or opened, with its running search if any.</summary>
public sealed class NasStudy
{
    internal NasStudy(string name, IStudyStore store, string storeText, SpaceSpec spec, string algorithm, int? maxTrials, IReadOnlyList<string> objectiveNames)
    {
        Name = name; Store = store; StoreText = storeText; Spec = spec; Algorithm = algorithm; MaxTrials = maxTrials; ObjectiveNames = objectiveNames;
    }

    /// <summary>Study name in its store.</summary>
    public string Name { get; }

    /// <summary>The store holding the study.</summary>
    public IStudyStore Store { get; }

    /// <summary>The store as given to <c>--study</c>.</summary>
    public string StoreText { get; }

    /// <summary>The space's DNA spec.</summary>
    public SpaceSpec Spec { get; }

    /// <summary>Algorithm name.</summary>
    public string Algorithm { get; }

    /// <summary>Trial budget of the current run (total trials in the study).</summary>
    public int? MaxTrials { get; internal set; }

    /// <summary>Names of the objectives for displays.</summary>
    public IReadOnlyList<string> ObjectiveNames { get; }

    internal CancellationTokenSource? Cancellation { get; set; }

    internal Task<SearchResult>? Run { get; set; }

    internal Stopwatch Clock { get; } = new();

    internal int CompletedAtStart { get; set; }

    /// <summary>The running search's task, if any.</summary>
    public Task<SearchResult>? Running => Run;

    /// <summary>idle, running, stopped, finished or failed.</summary>
    public string State => Run switch
    {
        null => "idle",
        { IsCompleted: false } => "running",
        { IsFaulted: true } => "failed",
        _ when Run.Result.StopReason == StopReason.Cancelled => "stopped",
        _ => "finished",
    };

    /// <summary>All trials of the study, from the store.</summary>
    public IReadOnlyList<Trial> Trials => Store.FindStudy(Name) is null ? [] : Store.GetTrials(Name);

    /// <summary>Tables and charts of the trials.</summary>
    public StudyReport Report() => new(Trials, Spec, ObjectiveNames);

    /// <summary>Asks a running search to stop; finished trials stay in the store.</summary>
    public bool Stop()
    {
        if (Run is null || Run.IsCompleted) return false;
        Cancellation?.Cancel();
        return true;
    }
}

/// <summary>The studies known to this kernel session, by name; <c>#!nas</c> subcommands default to the latest.</summary>
public static class NasStudies
{
    private static readonly ConcurrentDictionary<string, NasStudy> ByName = new(StringComparer.Ordinal);
    private static string? _latest;

    /// <summary>All known studies.</summary>
    public static IReadOnlyCollection<NasStudy> All => ByName.Values.ToList();

    /// <summary>The study started or opened last.</summary>
    public static NasStudy? Latest => _latest is not null && ByName.TryGetValue(_latest, out var s) ? s : null;

    internal static void Add(NasStudy study)
    {
        ByName[study.Name] = study;
        _latest = study.Name;
    }

    /// <summary>Finds a study by name (null: the latest).</summary>
    /// <exception cref="MagicUsageException">No such study; the message lists the known ones.</exception>
    public static NasStudy Get(string? name, string commandPath)
    {
        if (name is null)
            return Latest ?? throw new MagicUsageException($"error: no study yet for '{commandPath}'; run '#!nas search' or '#!nas resume' first, or pass --name.");
        if (ByName.TryGetValue(name, out var s)) return s;
        throw new MagicUsageException($"error: unknown study '{name}' for '{commandPath}' (--name). Known: {(ByName.IsEmpty ? "none" : string.Join(", ", ByName.Keys))}.");
    }

    internal static void Clear()
    {
        foreach (var s in ByName.Values) s.Stop();
        ByName.Clear();
        _latest = null;
    }
}
