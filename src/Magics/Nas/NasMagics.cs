using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Reporting;
using NasNotebooks.Runtime.Studies;

namespace NasNotebooks.Magics.Nas;

/// <summary>Registers the <c>#!nas</c> subcommands and the result formatters.</summary>
public static class NasMagics
{
    /// <summary>Adds search, status, best, plot, pareto, stop, resume and export to <c>#!nas</c>.</summary>
    public static void Register(MagicRegistry registry)
    {
        var group = registry.Group("nas", "Neural architecture search: run and inspect studies from the notebook.");
        group.Add(new SearchCommand(resume: false)).Add(new SearchCommand(resume: true)).Add(new StatusCommand()).Add(new BestCommand())
            .Add(new PlotCommand()).Add(new ParetoCommand()).Add(new StopCommand()).Add(new ExportCommand());
        NasFormatters.Register();
    }

    internal static MagicOption NameOption => new("name", "Study name (default: the latest study of this session).") { Alias = "-n" };

    internal static string Path(string commandPath, string option) => $"{commandPath} --{option}";
}

/// <summary><c>#!nas search</c> and <c>#!nas resume</c>: run a search on session variables with live progress.</summary>
internal sealed class SearchCommand(bool resume) : IMagicCommand
{
    public string Name => resume ? "resume" : "search";

    public string Description => resume
        ? "Continue a stored study (e.g. after a crash or a restart) with the space and evaluator variables."
        : "Run a search: the space and evaluator are session variables; shows live progress and a summary.";

    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("space", "Variable holding the search space (a symbolic space or a SpaceSpec).") { Alias = "-s", Required = true },
        new("evaluator", "Variable holding the evaluator: an IEvaluator or a function candidate -> reward.") { Alias = "-e", Required = true },
        new("algo", $"Algorithm: {string.Join(", ", AlgorithmCatalog.Names)}, or a variable holding an ISearchAlgorithm.") { Alias = "-a", Default = resume ? null : "auto" },
        new("trials", "Total number of trials in the study.") { Alias = "-t", Kind = MagicValueKind.Integer, Default = "20" },
        new("study", "Where the study is stored: a SQLite file, 'memory:' or postgres://user@host/db.") { Default = resume ? null : "nas-studies.db", Required = resume },
        new("name", "Study name (default: <space>-<algo>; an existing study of that name continues).") { Alias = "-n" },
        new("seed", "Seed of the algorithm.") { Kind = MagicValueKind.Integer, Default = "0" },
        new("parallel", "Trials evaluated at the same time.") { Alias = "-p", Kind = MagicValueKind.Integer, Default = "1" },
        new("timeout", "Time budget in seconds.") { Kind = MagicValueKind.Number },
        new("early-stop", "Early stopping of trials that report per-step results.") { Default = "none", AllowedValues = ["none", "asha", "median"] },
        new("objectives", "Comma-separated names of the reward's objectives, for tables and plots (e.g. accuracy,-params)."),
        new("device", "Device for evaluators that train networks: cpu, cuda, cuda:N or auto.") { Alias = "-d" },
        new("background", "Start the search and return at once; follow it with '#!nas status' and stop it with '#!nas stop'.") { Kind = MagicValueKind.Flag },
    ];

    public async Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        string spaceVar = inv.GetString("space")!;
        var (spaceFound, space) = await context.TryGetVariableAsync(spaceVar).ConfigureAwait(false);
        if (!spaceFound)
            throw inv.UsageError($"no variable '{spaceVar}' (--space) in this session; define it in a C# cell first");
        SpaceSpec spec;
        try { spec = space as SpaceSpec ?? Space.Spec(space); }
        catch (ArgumentException e) { throw inv.UsageError($"--space {spaceVar} is not a valid search space: {e.Message}"); }
        if (!spec.DecisionPoints.Any())
            throw inv.UsageError($"--space {spaceVar} is not a valid search space: the {(space is null ? "null value" : Formatter.FriendlyName(space.GetType()))} holds no decisions (build one with Space.Dict()..., Hyper.OneOf(...) or a [Searchable] type)");

        string evalVar = inv.GetString("evaluator")!;
        var (evalFound, evalObj) = await context.TryGetVariableAsync(evalVar).ConfigureAwait(false);
        if (!evalFound)
            throw inv.UsageError($"no variable '{evalVar}' (--evaluator) in this session");
        IEvaluator evaluator;
        try { evaluator = Evaluators.Adapt(evalObj); }
        catch (ArgumentException e) { throw inv.UsageError($"--evaluator {evalVar}: {e.Message}"); }
        if (inv.GetString("device") is { } device)
        {
            if (evaluator is not IDeviceSelectable selectable)
                throw inv.UsageError($"--device {device}: the evaluator '{evalVar}' ({evalObj?.GetType().Name}) does not train on a device");
            try { selectable.UseDevice(device); }
            catch (ArgumentException e) { throw inv.UsageError($"--device {device}: {e.Message}"); }
        }

        var objectives = (inv.GetString("objectives") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string storeText = inv.GetString("study")!;
        IStudyStore store;
        try { store = StudyStore.Open(storeText); }
        catch (Exception e) when (e is ArgumentException or StudyStoreFormatException or IOException or UnauthorizedAccessException)
        { throw inv.UsageError($"--study {storeText}: {e.Message}"); }

        string? name = inv.GetString("name");
        string? algoText = inv.GetString("algo");
        if (resume)
        {
            var studies = store.ListStudies();
            name ??= studies.Count == 1 ? studies[0]
                : throw inv.UsageError($"--study {storeText} holds {(studies.Count == 0 ? "no studies" : $"several studies ({string.Join(", ", studies)})")}; choose one with --name");
            var info = store.FindStudy(name) ?? throw inv.UsageError($"--name {name}: no such study in {storeText} (studies: {string.Join(", ", studies)})");
            algoText ??= info.Algorithm;
        }
        algoText ??= "auto";
        int seed = inv.GetInt("seed", 0);
        int trials = inv.GetInt("trials", 20);
        if (trials < 1) throw inv.UsageError($"--trials must be at least 1, got {trials}");
        ISearchAlgorithm algorithm;
        string algoName;
        if (AlgorithmCatalog.IsKnown(algoText))
        {
            algoName = AlgorithmCatalog.Resolve(algoText, spec, Math.Max(1, objectives.Length), trials);
            algorithm = AlgorithmCatalog.Create(algoName, seed, spec, Math.Max(1, objectives.Length), trials);
        }
        else if (await context.TryGetVariableAsync(algoText).ConfigureAwait(false) is (true, ISearchAlgorithm custom))
        {
            algorithm = custom;
            algoName = custom.Name;
        }
        else throw inv.UsageError($"--algo {algoText}: unknown algorithm; use one of {string.Join(", ", AlgorithmCatalog.Names)} or a variable holding an ISearchAlgorithm");
        name ??= $"{spaceVar}-{algoName}";

        int parallel = inv.GetInt("parallel", 1);
        if (parallel < 1) throw inv.UsageError($"--parallel must be at least 1, got {parallel}");
        double? timeout = inv.Has("timeout") ? inv.GetDouble("timeout") : null;
        if (timeout is <= 0) throw inv.UsageError($"--timeout must be positive, got {timeout}");
        IEarlyStoppingPolicy? early = inv.GetString("early-stop") switch
        {
            "asha" => new Runtime.EarlyStopping.Asha(),
            "median" => Runtime.EarlyStopping.PercentilePolicy.Median(),
            _ => null,
        };

        if (NasStudies.All.FirstOrDefault(s => s.Name == name && s.State == "running") is not null)
            throw inv.UsageError($"study '{name}' is already running; stop it with '#!nas stop --name {name}' or choose another --name");
        var study = new NasStudy(name, store, storeText, spec, algoName, trials, objectives);
        var options = new SearchOptions
        {
            MaxTrials = trials, Parallelism = parallel, Store = store, StudyName = name,
            TimeBudget = timeout is null ? null : TimeSpan.FromSeconds(timeout.Value),
            EarlyStopping = early, AlgorithmSettings = $"{{\"seed\": {seed}}}",
            RewardMetrics = objectives.Length > 0 ? objectives : null,
        };
        bool background = inv.Has("background");
        var cts = background ? new CancellationTokenSource() : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        study.Cancellation = cts;
        try { study.CompletedAtStart = store.FindStudy(name) is null ? 0 : store.GetTrials(name).Count(t => t.Status != TrialStatus.Pending); }
        catch (Exception) { study.CompletedAtStart = 0; }
        NasStudies.Add(study);

        var display = context.Display(new NasProgress(study, "running"));
        var gate = new object();
        var lastUpdate = DateTime.MinValue;
        void Update(bool force, string phase = "running")
        {
            lock (gate)
            {
                if (!force && (DateTime.UtcNow - lastUpdate).TotalMilliseconds < 100) return;
                lastUpdate = DateTime.UtcNow;
            }
            try { display.Update(new NasProgress(study, phase)); }
            catch (Exception) { /* a closed front end must not break the search */ }
        }

        study.Clock.Start();
        Task<SearchResult> run;
        try
        {
            run = Search.RunAsync(spec, algorithm, async (candidate, feedback, ct) =>
            {
                try { await evaluator.EvaluateAsync(candidate, feedback, ct).ConfigureAwait(false); }
                finally { Update(force: false); }
            }, options, cts.Token);
        }
        catch (StudySpaceMismatchException e) { throw inv.UsageError($"--name {name}: {e.Message}"); }
        study.Run = run.ContinueWith(t =>
        {
            study.Clock.Stop();
            Update(force: true, t.IsFaulted ? "failed" : t.IsCanceled || t.Result.StopReason == StopReason.Cancelled ? "stopped" : "finished");
            return t;
        }, TaskScheduler.Default).Unwrap();

        if (background)
        {
            context.Out.WriteLine($"Search '{name}' started in the background ({algoName}, {trials} trials, store {storeText}). Use '#!nas status', '#!nas best', '#!nas stop --name {name}'.");
            return;
        }
        SearchResult result;
        try { result = await study.Run.ConfigureAwait(false); }
        catch (StudySpaceMismatchException e) { throw inv.UsageError($"--name {name}: {e.Message}"); }
        var report = study.Report();
        if (result.StopReason == StopReason.Cancelled)
            context.Out.WriteLine($"Search '{name}' interrupted: {report.Completed.Count} completed trials are kept in {storeText}; continue with '#!nas resume --study {storeText} --name {name} --space {spaceVar} --evaluator {evalVar}'.");
        context.Display(new NasSummary(study, report));
        await context.SetVariableAsync("nasResult", result).ConfigureAwait(false);
    }
}

/// <summary>The final summary of a search: counts, best trial, top trials and the progress chart.</summary>
public sealed class NasSummary : IMimeFormattable
{
    private readonly NasStudy _study;
    private readonly StudyReport _report;

    internal NasSummary(NasStudy study, StudyReport report) { _study = study; _report = report; }

    /// <inheritdoc />
    public override string ToString()
    {
        var best = _report.Best(5);
        var sb = new StringBuilder();
        sb.AppendLine(new NasProgress(_study, _study.State).ToString());
        if (best.Count > 0) sb.Append(_report.ToTextTable(best));
        return sb.ToString();
    }

    /// <inheritdoc />
    public void Format(MimeBundle bundle)
    {
        var best = _report.Best(5);
        var html = new StringBuilder();
        html.Append(new NasProgress(_study, _study.State).ToHtml());
        if (best.Count > 0) html.Append(_report.ToHtmlTable(best, "Top trials"));
        var fig = _report.ProgressChart($"{_study.Name}: progress");
        html.Append(PlotlyFormatter.Html(fig.ToJson()));
        bundle.Set("text/html", html.ToString());
        bundle.SetJson(PlotlyFormatter.PlotlyMimeType, fig.ToJsonObject());
    }
}

internal sealed class StatusCommand : IMagicCommand
{
    public string Name => "status";
    public string Description => "Show the studies of this session (or of a store) and how far they are.";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("study", "List the studies stored in this store (SQLite file, postgres://...) instead of this session's."),
    ];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        if (inv.GetString("study") is { } storeText)
        {
            IStudyStore store;
            try { store = StudyStore.Open(storeText); }
            catch (Exception e) when (e is ArgumentException or StudyStoreFormatException or IOException or UnauthorizedAccessException) { throw inv.UsageError($"--study {storeText}: {e.Message}"); }
            using (store)
            {
                var rows = store.ListStudies().Select(n =>
                {
                    var trials = store.GetTrials(n);
                    var best = trials.Where(t => t.FinalReward is not null && t.Status == TrialStatus.Completed).MaxBy(t => t.FinalReward!.Value.Value);
                    return new Dictionary<string, object?>
                    {
                        ["study"] = n, ["algorithm"] = store.FindStudy(n)?.Algorithm, ["trials"] = trials.Count,
                        ["completed"] = trials.Count(t => t.Status == TrialStatus.Completed), ["best"] = best?.FinalReward?.ToString(),
                    };
                }).ToList();
                context.Display(rows.Count == 0 ? $"No studies in {storeText}." : rows);
            }
            return Task.CompletedTask;
        }
        var all = NasStudies.All;
        if (all.Count == 0) { context.Out.WriteLine("No studies in this session yet; run '#!nas search --help'."); return Task.CompletedTask; }
        foreach (var s in all) context.Display(new NasProgress(s, s.State));
        return Task.CompletedTask;
    }
}

internal sealed class BestCommand : IMagicCommand
{
    public string Name => "best";
    public string Description => "Show the best trials and the best architecture.";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("top", "Number of trials to show.") { Alias = "-k", Kind = MagicValueKind.Integer, Default = "5" },
        NasMagics.NameOption,
    ];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        int top = inv.GetInt("top", 5);
        if (top < 1) throw inv.UsageError($"--top must be at least 1, got {top}");
        var study = NasStudies.Get(inv.GetString("name"), inv.CommandPath);
        var report = study.Report();
        var best = report.Best(top);
        if (best.Count == 0) { context.Out.WriteLine($"Study '{study.Name}' has no completed trial yet."); return Task.CompletedTask; }
        context.Display(new NasTable(report, best, $"{study.Name}: top {best.Count} of {report.Completed.Count} completed trials"));
        object? architecture;
        try { architecture = study.Spec.Materialize(best[0].Dna); }
        catch (Exception e) { architecture = $"(cannot materialize the best DNA: {e.Message})"; }
        context.Display(new NasArchitecture(best[0], architecture));
        return Task.CompletedTask;
    }
}

internal sealed class PlotCommand : IMagicCommand
{
    public string Name => "plot";
    public string Description => "Plot a study: progress over trials, decision importance, parallel coordinates or Pareto front.";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("kind", "What to plot.") { Alias = "-k", Default = "progress", AllowedValues = ["progress", "importance", "parallel", "pareto"] },
        NasMagics.NameOption,
    ];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var study = NasStudies.Get(inv.GetString("name"), inv.CommandPath);
        var report = study.Report();
        if (report.Completed.Count == 0) { context.Out.WriteLine($"Study '{study.Name}' has no completed trial to plot yet."); return Task.CompletedTask; }
        var kind = inv.GetString("kind") ?? "progress";
        if (kind == "pareto" && report.Completed.All(t => t.FinalReward!.Value.Count < 2))
            throw inv.UsageError($"--kind pareto needs rewards with two or more objectives; study '{study.Name}' has one");
        context.Display(kind switch
        {
            "importance" => report.ImportanceChart(),
            "parallel" => report.ParallelCoordinates(),
            "pareto" => report.ParetoChart(),
            _ => report.ProgressChart($"{study.Name}: progress"),
        });
        return Task.CompletedTask;
    }
}

internal sealed class ParetoCommand : IMagicCommand
{
    public string Name => "pareto";
    public string Description => "Show the Pareto front of a multi-objective study (table and chart).";
    public IReadOnlyList<MagicOption> Options { get; } = [NasMagics.NameOption];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var study = NasStudies.Get(inv.GetString("name"), inv.CommandPath);
        var report = study.Report();
        if (report.Completed.Count == 0) { context.Out.WriteLine($"Study '{study.Name}' has no completed trial yet."); return Task.CompletedTask; }
        if (report.Completed.All(t => t.FinalReward!.Value.Count < 2))
            throw inv.UsageError($"study '{study.Name}' has a single objective; a Pareto front needs two or more (return a Reward with several values)");
        var front = report.ParetoFront();
        context.Display(new NasTable(report, front, $"{study.Name}: Pareto front ({front.Count} of {report.Completed.Count} trials)"));
        context.Display(report.ParetoChart());
        return Task.CompletedTask;
    }
}

internal sealed class StopCommand : IMagicCommand
{
    public string Name => "stop";
    public string Description => "Stop a running search; its finished trials stay in the study.";
    public IReadOnlyList<MagicOption> Options { get; } = [NasMagics.NameOption];

    public async Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var name = inv.GetString("name");
        var study = name is null ? NasStudies.All.FirstOrDefault(s => s.State == "running") ?? NasStudies.Get(null, inv.CommandPath) : NasStudies.Get(name, inv.CommandPath);
        if (!study.Stop()) { context.Out.WriteLine($"Study '{study.Name}' is not running ({study.State})."); return; }
        try { await study.Run!.WaitAsync(TimeSpan.FromSeconds(60), context.CancellationToken).ConfigureAwait(false); }
        catch (TimeoutException) { context.Out.WriteLine("The running trials have not returned yet; they will stop when they check for cancellation."); }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested) { }
        context.Display(new NasProgress(study, study.State));
    }
}

internal sealed class ExportCommand : IMagicCommand
{
    public string Name => "export";
    public string Description => "Write a study's trials to a CSV or JSON file.";
    public IReadOnlyList<MagicOption> Options { get; } =
    [
        new("format", "File format.") { Alias = "-f", Default = "csv", AllowedValues = ["csv", "json"] },
        new("output", "File to write (default: <study>.<format>).") { Alias = "-o" },
        NasMagics.NameOption,
    ];

    public Task RunAsync(MagicInvocation inv, IKernelContext context)
    {
        var study = NasStudies.Get(inv.GetString("name"), inv.CommandPath);
        var format = inv.GetString("format") ?? "csv";
        var path = inv.GetString("output") ?? $"{study.Name}.{format}";
        var report = study.Report();
        string text = format == "json" ? StudyExport.ToJson(study.Name, report, study.Trials) : StudyExport.ToCsv(report);
        try { File.WriteAllText(path, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        { throw inv.UsageError($"--output {path}: {e.Message}"); }
        context.Out.WriteLine($"Wrote {study.Trials.Count} trials of '{study.Name}' to {System.IO.Path.GetFullPath(path)}.");
        return Task.CompletedTask;
    }
}

/// <summary>CSV and JSON forms of a study's trials.</summary>
public static class StudyExport
{
    /// <summary>One row per trial: id, status, objectives, metrics, decisions (RFC 4180 quoting).</summary>
    public static string ToCsv(StudyReport report)
    {
        var rows = report.Rows();
        var columns = rows.SelectMany(r => r.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", columns.Select(Quote)));
        foreach (var r in rows)
            sb.AppendLine(string.Join(",", columns.Select(c => Quote(r.TryGetValue(c, out var v) ? Cell(v) : ""))));
        return sb.ToString();
    }

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>The study as JSON: name and trials with DNA, status, reward, metrics, measurements and decisions.</summary>
    public static string ToJson(string name, StudyReport report, IReadOnlyList<Trial> trials)
    {
        var arr = new JsonArray();
        foreach (var t in trials)
        {
            var decisions = new JsonObject();
            foreach (var (k, v) in report.Decisions(t)) decisions[k] = v switch { null => null, double d => d, int i => i, bool b => b, _ => v.ToString() };
            arr.Add(new JsonObject
            {
                ["id"] = t.Id, ["dna"] = t.Dna.ToString(), ["status"] = t.Status.ToString().ToLowerInvariant(),
                ["reward"] = t.FinalReward is { } r ? new JsonArray(r.Values.Select(x => (JsonNode?)x).ToArray()) : null,
                ["metrics"] = new JsonObject(t.Metrics.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value))),
                ["measurements"] = new JsonArray(t.Measurements.Select(m => (JsonNode?)new JsonObject
                {
                    ["step"] = m.Step, ["reward"] = new JsonArray(m.Reward.Values.Select(x => (JsonNode?)x).ToArray()),
                    ["metrics"] = new JsonObject(m.Metrics.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value))),
                }).ToArray()),
                ["decisions"] = decisions, ["reason"] = t.Reason,
            });
        }
        return new JsonObject { ["study"] = name, ["trials"] = arr }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
