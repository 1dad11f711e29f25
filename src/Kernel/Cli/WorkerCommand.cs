using System.CommandLine;
using System.CommandLine.Parsing;
using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Presets;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Kernel.Cli;

/// <summary>
/// <c>nasnotebooks worker</c>: one of many processes (on one machine with a SQLite file, on many with
/// PostgreSQL) that share a study: claims trials, evaluates them with a preset, records them, until the
/// study holds <c>--trials</c> trials. SIGINT and SIGTERM stop it cleanly (the trial in progress is given back
/// at once); a store that is unreachable or busy for a while is waited for (<c>--store-retry</c>); a worker
/// whose first trials all fail stops with the reason (<c>--fail-fast</c>).
/// </summary>
internal static class WorkerCommand
{
    /// <summary>How long an evaluation may take to stop after SIGINT/SIGTERM before the worker exits anyway.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private sealed record Settings(string Study, string Name, string Preset, int Trials, string Algorithm, int Seed, string? Data, int Epochs,
        string? WorkerId, int FailFast, TimeSpan StoreRetry);

    public static Command Create()
    {
        var study = new Option<string>("--study")
        {
            Description = "The study store: a SQLite file (created when missing; workers on one machine) or postgres://user@host:port/database (workers on many machines)",
            HelpName = "STORE",
            Required = true,
        };
        study.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (string.IsNullOrWhiteSpace(v)) r.AddError("--study is empty; expected a SQLite file path or postgres://user@host:port/database");
            else if (!v.Contains("://", StringComparison.Ordinal) && Directory.Exists(v))
                r.AddError($"--study '{Path.GetFullPath(v)}' is a directory; expected a SQLite study file (created when missing) or postgres://user@host:port/database");
        });
        var name = new Option<string>("--name") { Description = "The study's name (every worker of a study gives the same name, preset, algorithm and seed)", HelpName = "STUDY", Required = true };
        var preset = new Option<string>("--preset") { Description = "What to search: digits-mlp (MLPs trained with TorchSharp on digits) or nb201 (NAS-Bench-201 cells looked up in a table)", Required = true };
        NasCommandLine.OneOf(preset, [.. SearchPresets.Names]);
        var trials = new Option<int>("--trials") { Description = "Trials the study holds when done (all workers together)", HelpName = "N", DefaultValueFactory = _ => 20 };
        AtLeast(trials, 1);
        var algo = new Option<string>("--algo") { Description = $"Search algorithm ({string.Join(", ", AlgorithmCatalog.Names)}; '+dedup' appended never evaluates a DNA twice)", HelpName = "ALGORITHM", DefaultValueFactory = _ => "auto" };
        algo.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!AlgorithmCatalog.IsKnown(v)) r.AddError($"unknown --algo '{v}' (known: {string.Join(", ", AlgorithmCatalog.Names)})");
        });
        var seed = new Option<int>("--seed") { Description = "Seed of the algorithm (and of the data split and weights for digits-mlp)", HelpName = "S", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data")
        {
            Description = "digits.csv.gz for digits-mlp, an NB201-format CSV for nb201 (default: $NAS_DIGITS_PATH / $NASNB_DATA or the usual places)",
            HelpName = "PATH",
        };
        data.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string?>();
            if (v is null) return;
            var full = Path.GetFullPath(v);
            if (Directory.Exists(full)) r.AddError($"--data '{full}' is a directory; expected a data file");
            else if (!File.Exists(full)) r.AddError($"--data '{full}' does not exist");
        });
        var epochs = new Option<int>("--epochs") { Description = "Training epochs per candidate (digits-mlp)", HelpName = "E", DefaultValueFactory = _ => 2 };
        AtLeast(epochs, 1);
        var workerId = new Option<string?>("--worker-id") { Description = "This worker's id in the study (default host/pid/random); a restarted worker with the same id takes its unfinished trials back at once", HelpName = "ID" };
        var failFast = new Option<int>("--fail-fast")
        {
            Description = "Stop with an error when the first N trials this worker ends all fail (a broken data file or setup); 0: never",
            HelpName = "N",
            DefaultValueFactory = _ => 10,
        };
        AtLeast(failFast, 0);
        var storeRetry = new Option<string>("--store-retry")
        {
            Description = "How long to wait for a store that is unreachable, restarting or busy before giving up, retrying with backoff (e.g. 30s, 2m, 1h; 0: give up at once)",
            HelpName = "DURATION",
            DefaultValueFactory = _ => "2m",
        };
        storeRetry.Validators.Add(r =>
        {
            if (ParseDuration(r.GetValueOrDefault<string>()) is null) r.AddError($"invalid duration '{r.GetValueOrDefault<string>()}' for --store-retry: expected e.g. 30s, 2m, 1h, 500ms or 00:02:00");
        });

        var command = new Command("worker", "Work on a shared study: claim trials, evaluate them with a preset, record them (run as many as you like, on one machine with a SQLite file, on many with PostgreSQL)");
        foreach (var option in new Option[] { study, name, preset, trials, algo, seed, data, epochs, workerId, failFast, storeRetry }) command.Options.Add(option);
        command.SetAction((result, cancellation) => RunAsync(new Settings(
            result.GetValue(study)!, result.GetValue(name)!, result.GetValue(preset)!, result.GetValue(trials), result.GetValue(algo)!, result.GetValue(seed),
            result.GetValue(data), result.GetValue(epochs), result.GetValue(workerId), result.GetValue(failFast), ParseDuration(result.GetValue(storeRetry))!.Value),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return NasCommandLine.HandlesItsOwnSignals(command);
    }

    private static void AtLeast(Option<int> option, int min) => option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() < min) r.AddError($"{option.Name} must be at least {min}, got {r.GetValueOrDefault<int>()}");
    });

    /// <summary>Parses 90, 90s, 500ms, 2m, 1.5h or 00:02:00; null when it is none of them.</summary>
    internal static TimeSpan? ParseDuration(string? text)
    {
        text = text?.Trim() ?? "";
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value < 1e9)
            return TimeSpan.FromSeconds(value * unit);
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
            return span;
        return null;
    }

    private static async Task<int> RunAsync(Settings s, TextWriter output, TextWriter error)
    {
        SearchPreset preset;
        try { preset = SearchPresets.Create(s.Preset, s.Data, s.Epochs, s.Seed); }
        catch (ArgumentException e) { throw new UsageException(e.Message, e); }
        catch (Exception e) when (e is InvalidDataException or IOException && s.Data is not null && !e.Message.Contains(Path.GetFileName(s.Data), StringComparison.Ordinal))
        {
            throw new InvalidDataException($"--data '{Path.GetFullPath(s.Data)}': {e.Message}", e);
        }
        var spec = Dsl.Space.Spec(preset.Space);
        ISearchAlgorithm Algorithm() => AlgorithmCatalog.Create(s.Algorithm, s.Seed, spec);
        try { _ = Algorithm(); }
        catch (ArgumentException e) { throw new UsageException($"--algo {s.Algorithm}: {e.Message}", e); }

        using var cts = new CancellationTokenSource();
        using var signals = new StopSignals(cts, error);
        void Warn(string message) => error.WriteLine("warning: " + message);
        IStudyStore store;
        try { store = new StoreRetry(s.Study, s.StoreRetry, Warn, cts.Token).Run("opening the store", () => StudyStore.Open(s.Study)); }
        catch (ArgumentException e) { throw new UsageException($"--study: {e.Message}", e); }
        using var storeScope = store;

        var tally = new Tally();
        var options = new SearchOptions
        {
            MaxTrials = s.Trials,
            WorkerId = s.WorkerId,
            FailFast = s.FailFast > 0 ? s.FailFast : null,
            StoreRetryWindow = s.StoreRetry,
            StoreRetrying = Warn,
            TrialEnded = t =>
            {
                tally.Add(t);
                output.WriteLine($"trial {t.Id} {t.Status.ToString().ToLowerInvariant()} " +
                    (t.FinalReward is { } r ? r.ToString() : t.Reason ?? "") + $" {t.Dna}");
            },
        };
        output.WriteLine($"worker {s.WorkerId ?? "(unnamed)"}: study '{s.Name}' in {store.Location}, preset {s.Preset}, algorithm {s.Algorithm}, {s.Trials} trials");
        var run = StudyWorker.RunAsync(store, s.Name, preset.Space, Algorithm, async (candidate, feedback, ct) =>
        {
            output.WriteLine($"trial {feedback.TrialId} started" + (feedback.IsReserved ? " (served again)" : ""));
            await preset.Evaluator.EvaluateAsync(candidate, feedback, ct).ConfigureAwait(false);
        }, options, cts.Token);

        var stoppedAndGrace = signals.Stopped.ContinueWith(_ => Task.Delay(StopGrace), TaskScheduler.Default).Unwrap();
        if (await Task.WhenAny(run, stoppedAndGrace).ConfigureAwait(false) != run)
        {
            error.WriteLine($"{signals.Signal}: the evaluation did not stop within {StopGrace.TotalSeconds:0} s; exiting (its trial was given back to the study)");
            return 0;
        }
        SearchResult result;
        try { result = await run.ConfigureAwait(false); }
        catch (Exception e) when (e is DbException || e.InnerException is DbException)
        {
            throw new InvalidOperationException($"study store {store.Location}: {e.Message}", e);
        }
        output.WriteLine(Summary(result));
        if (signals.Signal is { } signal)
        {
            error.WriteLine($"{signal}: stopped cleanly");
            return 0;
        }
        if (tally.FirstFailure is { } first && tally.Completed == 0)
            throw new InvalidOperationException($"all {tally.Ended} trials this worker ended failed; the first, trial {first.Id}, failed with: {first.Reason}");
        return 0;
    }

    private static string Summary(SearchResult result)
    {
        var counts = string.Join(", ", result.Trials.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        var best = result.Best is { } b ? $"best {b.FinalReward} (trial {b.Id}, {b.Dna})" : "no completed trial yet";
        return $"finished {result.StopReason}: the study holds {result.Trials.Count} trials ({(counts.Length == 0 ? "none" : counts)}); {best}";
    }

    /// <summary>What this worker's trials did.</summary>
    private sealed class Tally
    {
        private readonly object _gate = new();
        public int Ended { get; private set; }
        public int Completed { get; private set; }
        public Trial? FirstFailure { get; private set; }

        public void Add(Trial t)
        {
            lock (_gate)
            {
                Ended++;
                if (t.Status == TrialStatus.Completed) Completed++;
                else if (t.Status == TrialStatus.Failed) FirstFailure ??= t;
            }
        }
    }

    /// <summary>SIGINT and SIGTERM (Kubernetes, Slurm, systemd) stop the worker cleanly; a second one ends it at once.</summary>
    private sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _cts;
        private readonly TextWriter _error;
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PosixSignalRegistration _int, _term;
        private string? _signal;

        public StopSignals(CancellationTokenSource cts, TextWriter error)
        {
            _cts = cts;
            _error = error;
            _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Handle(ctx, "SIGINT"));
            _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Handle(ctx, "SIGTERM"));
        }

        public string? Signal => Volatile.Read(ref _signal);

        public Task Stopped => _stopped.Task;

        private void Handle(PosixSignalContext context, string name)
        {
            if (Interlocked.CompareExchange(ref _signal, name, null) is not null) return; // the second signal: default handling ends the process
            context.Cancel = true;
            _error.WriteLine($"{name}: stopping; the trial in progress is given back to the study");
            _cts.Cancel();
            _stopped.TrySetResult();
        }

        public void Dispose()
        {
            _int.Dispose();
            _term.Dispose();
        }
    }
}
