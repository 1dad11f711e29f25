using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Bench.Algorithms;

/// <summary>
/// NB201 search quality. Each algorithm searches on the valid column; every proposal counts as one
/// evaluation (repeats included unless the row is "+dedup"); per seed we record the test column of
/// the best-valid architecture after every evaluation. The report: mean ± std at each budget, % of
/// runs hitting the table's best test accuracy at the last budget, distinct DNAs evaluated, a
/// Markdown table, a CSV of the anytime curves and a Plotly HTML file of the curves (mean and 95%
/// confidence band of the mean over seeds). With <c>--optuna</c> the Optuna samplers run side by
/// side (bench/algorithms/optuna_nb201.py, same protocol) and join the table and the plot.
/// </summary>
internal static class Nb201SearchBench
{
    private const string Usage = """
        usage: nb201-search [TABLE.csv] [SEEDS] [FILTER] [options]
          TABLE.csv            an NB201-format table (default: $NASNB_DATA or ../shared/data/nb201-cifar10.csv)
          SEEDS                runs per algorithm, seeds 0..SEEDS-1 (default 100)
          FILTER               only algorithms whose name contains this text
          --valid-column C     the column searched on (default cifar10_valid_acc)
          --test-column C      the column reported (default cifar10_test_acc)
          --budgets A,B        evaluation budgets reported (default 100,300)
          --dedup off|on|both  run each algorithm as is, wrapped in Deduping, or both ways (default both)
          --first-seed K       seeds K..K+SEEDS-1 (default 0), e.g. to confirm a choice on seeds it was not made on
          --parallel P         P trials in flight: each proposal is fed back P-1 proposals later (default 1)
          --optuna             run the Optuna samplers side by side (needs /usr/bin/python3 with optuna)
          --out DIR            where report.md, curves.csv and curves.html go (default artifacts/bench/nb201-search)
        """;

    private sealed record Row(string Name, bool Dedup, double[][] Curves, int[] Distinct, double SecondsPerRun);

    public static int Run(string[] args)
    {
        string? path = null, filter = null, outDir = null;
        string validColumn = "cifar10_valid_acc", testColumn = "cifar10_test_acc", dedup = "both";
        int seeds = 100, parallel = 1, firstSeed = 0;
        int[] budgets = [100, 300];
        bool optuna = false;
        var positional = new List<string>();
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} expects a value");
                switch (args[i])
                {
                    case "--valid-column": validColumn = Value(); break;
                    case "--test-column": testColumn = Value(); break;
                    case "--budgets": budgets = Value().Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).Order().ToArray(); break;
                    case "--dedup": dedup = Value(); break;
                    case "--first-seed": firstSeed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--parallel": parallel = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--optuna": optuna = true; break;
                    case "--out": outDir = Value(); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return 0;
                    default:
                        if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unknown option {args[i]}");
                        positional.Add(args[i]);
                        break;
                }
            }
            if (positional.Count > 0) path = positional[0];
            if (positional.Count > 1) seeds = int.Parse(positional[1], CultureInfo.InvariantCulture);
            if (positional.Count > 2) filter = positional[2];
            if (dedup is not ("off" or "on" or "both")) throw new ArgumentException($"--dedup {dedup}: expected off, on or both");
            if (parallel < 1) throw new ArgumentException($"--parallel {parallel}: must be at least 1");
            if (seeds < 2) throw new ArgumentException($"SEEDS {seeds}: must be at least 2");
            if (budgets.Length == 0 || budgets[0] < 1) throw new ArgumentException("--budgets: positive numbers, comma separated");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
            return 2;
        }
        path ??= Nb201Table.FindDefault(Environment.CurrentDirectory) ?? "../shared/data/nb201-cifar10.csv";
        outDir ??= Path.Combine("artifacts", "bench", "nb201-search");
        var table = Nb201Table.Load(path, validColumn, testColumn);
        double bestTest = table.Records.Max(r => r.TestAccuracy);
        int horizon = budgets[^1];
        Directory.CreateDirectory(outDir);

        // Optuna runs in its own process beside ours (its time per run is printed by itself).
        Process? peer = null;
        string optunaCurves = Path.GetFullPath(Path.Combine(outDir, "optuna-curves.json"));
        if (optuna)
        {
            var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "algorithms", "optuna_nb201.py");
            if (!File.Exists(script)) script = Path.Combine("bench", "algorithms", "optuna_nb201.py");
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { script, table.Path, seeds.ToString(CultureInfo.InvariantCulture), "random,tpe,tpe_multivariate",
                         "--budgets", string.Join(",", budgets), "--valid-column", validColumn, "--test-column", testColumn, "--curves", optunaCurves })
                psi.ArgumentList.Add(a);
            File.Delete(optunaCurves);
            peer = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        }

        var header = new StringBuilder();
        header.AppendLine(CultureInfo.InvariantCulture, $"NB201 search quality: table {table.Path}; search on {validColumn}, report {testColumn} of the best-valid architecture; {seeds} seeds ({firstSeed}..{firstSeed + seeds - 1}); budgets {string.Join("/", budgets)}; {parallel} trial(s) in flight; best {testColumn} in the table {bestTest:F4}");
        Console.WriteLine(header);
        var columns = $"| algorithm | dedup | {string.Join(" | ", budgets.Select(b => $"test acc @{b}"))} | % runs hitting best test @{horizon} | distinct DNAs @{horizon} | s/run |";
        var rule = "|---|---|" + string.Concat(Enumerable.Repeat("---|", budgets.Length + 3));
        Console.WriteLine(columns);
        Console.WriteLine(rule);

        var rows = new List<Row>();
        var byValid = table.Records.OrderByDescending(r => r.ValidAccuracy).ToArray();
        var exactLine = $"| random, exact expectation | | {string.Join(" | ", budgets.Select(b => ExactRandom(byValid, b).ToString("F3", CultureInfo.InvariantCulture)))} | | | |";
        Console.WriteLine(exactLine);
        foreach (var (name, create, parallelOnly) in BenchmarkedAlgorithms.Catalog)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            if (parallelOnly && parallel == 1) continue;
            foreach (bool wrap in dedup switch { "off" => [false], "on" => [true], _ => new[] { false, true } })
            {
                var row = RunAlgorithm(name, wrap, s => wrap ? new Deduping(create(s), seed: s) : create(s), table, seeds, firstSeed, horizon, parallel);
                rows.Add(row);
                Console.WriteLine(FormatRow(row, budgets, bestTest));
            }
        }
        if (peer is not null)
        {
            var stdout = peer.StandardOutput.ReadToEndAsync();
            var stderr = peer.StandardError.ReadToEndAsync();
            peer.WaitForExit();
            if (peer.ExitCode != 0 || !File.Exists(optunaCurves))
                Console.WriteLine($"(Optuna side run failed, exit {peer.ExitCode}: {stderr.Result.Trim()})");
            else
            {
                var json = JsonNode.Parse(File.ReadAllText(optunaCurves))!.AsObject();
                foreach (var (name, node) in json)
                {
                    var curves = node!["curves"]!.AsArray().Select(c => c!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
                    var distinct = node["distinct"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
                    var row = new Row(name, false, curves, distinct, node["secondsPerRun"]!.GetValue<double>());
                    rows.Add(row);
                    Console.WriteLine(FormatRow(row, budgets, bestTest));
                }
            }
        }

        var md = new StringBuilder(header.ToString()).AppendLine().AppendLine(columns).AppendLine(rule).AppendLine(exactLine);
        foreach (var row in rows) md.AppendLine(FormatRow(row, budgets, bestTest));
        md.AppendLine().AppendLine("mean ± std over seeds of the test accuracy of the best-valid architecture; s/run is wall time per run (ours: two seeds at a time on two threads; Optuna: one process, one seed at a time).");
        File.WriteAllText(Path.Combine(outDir, "report.md"), md.ToString());
        File.WriteAllText(Path.Combine(outDir, "curves.csv"), CurvesCsv(rows));
        File.WriteAllText(Path.Combine(outDir, "curves.html"), CurvesHtml(rows, table, validColumn, testColumn, seeds, parallel));
        Console.WriteLine();
        Console.WriteLine($"wrote {Path.GetFullPath(Path.Combine(outDir, "report.md"))}, curves.csv and curves.html");
        return 0;
    }

    private static double ExactRandom(Nb201Record[] byValid, int budget)
    {
        // Uniform sampling with replacement: P(best of `budget` draws is the k-th best valid).
        double n = byValid.Length, e = 0;
        for (int k = 0; k < byValid.Length; k++) e += (Math.Pow((n - k) / n, budget) - Math.Pow((n - k - 1) / n, budget)) * byValid[k].TestAccuracy;
        return e;
    }

    private static Row RunAlgorithm(string name, bool dedup, Func<int, ISearchAlgorithm> create, Nb201Table table, int seeds, int firstSeed, int horizon, int parallel)
    {
        var curves = new double[seeds][];
        var distinct = new int[seeds];
        var sw = Stopwatch.StartNew();
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
        {
            var spec = Nb201Space.Spec();
            var algo = create(firstSeed + seed);
            algo.Setup(spec);
            var curve = new double[horizon];
            var seen = new HashSet<Dna>();
            var inFlight = new Queue<Dna>();
            double bestValid = double.NegativeInfinity, testOfBest = double.NaN;
            int done = 0;
            bool exhausted = false;
            while (done < horizon)
            {
                // Keep `parallel` proposals in flight; the oldest finishes first.
                while (!exhausted && inFlight.Count < parallel && done + inFlight.Count < horizon)
                {
                    try { inFlight.Enqueue(algo.Propose()); }
                    catch (SearchSpaceExhaustedException) { exhausted = true; }
                }
                if (inFlight.Count == 0) break;
                var dna = inFlight.Dequeue();
                seen.Add(dna);
                var rec = table[dna];
                if (rec.ValidAccuracy > bestValid) { bestValid = rec.ValidAccuracy; testOfBest = rec.TestAccuracy; }
                algo.Feedback(dna, rec.ValidAccuracy);
                curve[done++] = testOfBest;
            }
            for (int t = done; t < horizon; t++) curve[t] = testOfBest;
            curves[seed] = curve;
            distinct[seed] = seen.Count;
        });
        return new Row(name, dedup, curves, distinct, sw.Elapsed.TotalSeconds / seeds * 2);
    }

    private static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        var xs = values.ToArray();
        double m = xs.Average();
        return (m, Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / Math.Max(1, xs.Length - 1)));
    }

    private static string FormatRow(Row row, int[] budgets, double bestTest)
    {
        var cells = budgets.Select(b =>
        {
            var (m, sd) = MeanSd(row.Curves.Select(c => c[b - 1]));
            return string.Create(CultureInfo.InvariantCulture, $"{m:F3} ± {sd:F3}");
        });
        double hit = 100.0 * row.Curves.Count(c => Math.Abs(c[^1] - bestTest) < 1e-6) / row.Curves.Length;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {row.Name} | {(row.Dedup ? "on" : "off")} | {string.Join(" | ", cells)} | {hit:F0}% | {row.Distinct.Average():F0} | {row.SecondsPerRun:F3} |");
    }

    private static string Label(Row row) => row.Dedup ? row.Name + " +dedup" : row.Name;

    // Mean and the 95% confidence band of the mean (normal approximation, 1.96 standard errors) after each evaluation.
    private static (double[] Mean, double[] Low, double[] High) Band(Row row)
    {
        int t = row.Curves[0].Length, n = row.Curves.Length;
        var mean = new double[t]; var lo = new double[t]; var hi = new double[t];
        for (int i = 0; i < t; i++)
        {
            var (m, sd) = MeanSd(row.Curves.Select(c => c[i]));
            double half = 1.96 * sd / Math.Sqrt(n);
            mean[i] = m; lo[i] = m - half; hi[i] = m + half;
        }
        return (mean, lo, hi);
    }

    private static string CurvesCsv(List<Row> rows)
    {
        var sb = new StringBuilder("algorithm,evaluations,mean,ci95_low,ci95_high\n");
        foreach (var row in rows)
        {
            var (mean, lo, hi) = Band(row);
            for (int i = 0; i < mean.Length; i++)
                sb.Append(CultureInfo.InvariantCulture, $"\"{Label(row)}\",{i + 1},{mean[i]:F4},{lo[i]:F4},{hi[i]:F4}\n");
        }
        return sb.ToString();
    }

    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
         "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];

    private static string CurvesHtml(List<Row> rows, Nb201Table table, string validColumn, string testColumn, int seeds, int parallel)
    {
        var data = new JsonArray();
        double yLow = double.PositiveInfinity, yHigh = double.NegativeInfinity;
        int from = 10;
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var (mean, lo, hi) = Band(row);
            var x = Enumerable.Range(from, mean.Length - from + 1).Select(i => (double)i).ToArray();
            string color = Palette[r % Palette.Length], label = Label(row);
            bool visible = !row.Dedup && !row.Name.StartsWith("grid", StringComparison.Ordinal);
            JsonNode Vis() => visible ? JsonValue.Create(true) : JsonValue.Create("legendonly");
            data.Add(new JsonObject
            {
                ["x"] = Numbers(x), ["y"] = Numbers(hi[(from - 1)..]), ["mode"] = "lines", ["line"] = new JsonObject { ["width"] = 0 },
                ["legendgroup"] = label, ["showlegend"] = false, ["hoverinfo"] = "skip", ["visible"] = Vis(),
            });
            data.Add(new JsonObject
            {
                ["x"] = Numbers(x), ["y"] = Numbers(lo[(from - 1)..]), ["mode"] = "lines", ["line"] = new JsonObject { ["width"] = 0 },
                ["fill"] = "tonexty", ["fillcolor"] = color + "33", ["legendgroup"] = label, ["showlegend"] = false, ["hoverinfo"] = "skip", ["visible"] = Vis(),
            });
            data.Add(new JsonObject
            {
                ["x"] = Numbers(x), ["y"] = Numbers(mean[(from - 1)..]), ["mode"] = "lines", ["name"] = label,
                ["line"] = new JsonObject { ["color"] = color, ["width"] = 2 }, ["legendgroup"] = label, ["visible"] = Vis(),
            });
            if (visible)
            {
                yLow = Math.Min(yLow, mean[Math.Min(mean.Length, 20) - 1]);
                yHigh = Math.Max(yHigh, hi[^1]);
            }
        }
        var layout = new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = $"NB201 anytime search quality: {testColumn} of the best-{validColumn} architecture<br><sub>mean and 95% confidence band of the mean over {seeds} seeds; {parallel} trial(s) in flight; {Path.GetFileName(table.Path)}; click the legend to show +dedup rows</sub>" },
            ["xaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = "evaluations" } },
            ["yaxis"] = new JsonObject { ["title"] = new JsonObject { ["text"] = $"{testColumn} (%)" }, ["range"] = Numbers([Math.Floor((yLow - 0.05) * 10) / 10, yHigh + 0.03]) },
            ["height"] = 700, ["hovermode"] = "x unified", ["template"] = "plotly_white",
        };
        var figure = new JsonObject { ["data"] = data, ["layout"] = layout }.ToJsonString();
        return $$"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>NB201 anytime search quality</title>
            <script>{{PlotlyJs()}}</script></head>
            <body><div id="curves" style="width:100%;height:720px"></div>
            <script>var fig = {{figure}}; Plotly.newPlot('curves', fig.data, fig.layout, {responsive: true});</script>
            </body></html>
            """;
    }

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 4))).ToArray());

    // plotly.js as embedded in Plotly.NET, so the HTML file works offline.
    private static string PlotlyJs()
    {
        var asm = typeof(Plotly.NET.GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().First(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(asm.GetManifestResourceStream(name)!, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
