using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime;

/// <summary>State of a trial.</summary>
public enum TrialStatus
{
    /// <summary>Proposed and being evaluated (or waiting to be).</summary>
    Pending,
    /// <summary>Finished with a reward.</summary>
    Completed,
    /// <summary>Ended by an error (the reason is kept).</summary>
    Failed,
    /// <summary>Skipped by the user or stopped early by a policy.</summary>
    Skipped,
}

/// <summary>One intermediate or final measurement of a trial (e.g. per training epoch).</summary>
/// <param name="Step">Step number (epoch, iteration), increasing.</param>
/// <param name="Reward">Objective value(s) at this step.</param>
/// <param name="Metrics">Any other named figures (loss, accuracy, latency...).</param>
/// <param name="ElapsedSeconds">Seconds since the trial started.</param>
public sealed record Measurement(int Step, Reward Reward, IReadOnlyDictionary<string, double> Metrics, double ElapsedSeconds);

/// <summary>A proposed point of the space and what happened to it.</summary>
[Interop.TypeFormatterSource(typeof(Interop.InteractiveFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed record Trial
{
    /// <summary>Sequence number within the study, from 1.</summary>
    public required int Id { get; init; }

    /// <summary>The proposed DNA.</summary>
    public required Dna Dna { get; init; }

    /// <summary>Current state.</summary>
    public TrialStatus Status { get; init; }

    /// <summary>Measurements reported so far, by step.</summary>
    public IReadOnlyList<Measurement> Measurements { get; init; } = [];

    /// <summary>Final reward of a completed trial.</summary>
    public Reward? FinalReward { get; init; }

    /// <summary>Final metrics of a completed trial.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Why the trial failed or was skipped.</summary>
    public string? Reason { get; init; }

    /// <summary>When the trial was proposed (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>When the trial ended (UTC), if it has.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The worker that evaluated the trial.</summary>
    public string? Worker { get; init; }
}
