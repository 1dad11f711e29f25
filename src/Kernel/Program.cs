using System.Runtime.InteropServices;

namespace NasNotebooks.Kernel;

/// <summary>Entry point of the NasNotebooks Jupyter kernel.</summary>
public static class Program
{
    private const string Usage = """
        nasnotebooks-kernel - Jupyter kernel for C# with #!nas magics

        Usage:
          nasnotebooks-kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT] [--interrupt-mode message|signal]
          nasnotebooks-kernel uninstall [--user | --prefix DIR] [--name NAME]
          nasnotebooks-kernel list [--prefix DIR]
          nasnotebooks-kernel run --connection-file FILE [--restart-in-process]
          nasnotebooks-kernel FILE                    (same as run --connection-file FILE)
          nasnotebooks-kernel worker --study STORE --name STUDY --preset digits-mlp|nb201 [--trials N] [--algo A] [--seed S]
                                     [--data PATH] [--epochs E] [--worker-id ID]
                                                      (one of many workers sharing a SQLite file or a PostgreSQL study)
          nasnotebooks-kernel dashboard --study runs.db|DIR|postgres://... [--port 8080] [--host 127.0.0.1] [--name STUDY] [--allow-stop]
                                                      (a live dashboard of the studies in the browser; read-only by default)
          nasnotebooks-kernel convert INPUT [--output FILE] [--to ipynb|dib]
                                                      (Polyglot .dib / .ipynb -> .ipynb for this kernel; --to dib the reverse)

        install writes <data-dir>/kernels/<name>/kernel.json (data dir: $JUPYTER_DATA_DIR or ~/.local/share/jupyter;
        with --prefix: DIR/share/jupyter/kernels/<name>).
        """;

    /// <summary>Runs the kernel command line; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        try
        {
            return Dispatch(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            Console.Error.WriteLine("see 'nasnotebooks-kernel --help'");
            return 2;
        }
    }

    private static int Dispatch(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var command = args[0];
        var rest = args.Skip(1).ToArray();
        if (command.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !command.StartsWith('-'))
        {
            return RunKernel(command, restartInProcess: false);
        }
        if (command == "dashboard") return new System.CommandLine.RootCommand { NasNotebooks.Dashboard.DashboardCommand.Create() }.Parse(args).InvokeAsync().GetAwaiter().GetResult();
        var opts = ParseOptions(command, rest);
        string? Opt(string name) => opts.TryGetValue(name, out var v) ? v : null;
        switch (command)
        {
            case "install":
            {
                var mode = Opt("interrupt-mode") ?? "message";
                if (mode is not ("message" or "signal"))
                {
                    throw new ArgumentException($"invalid value '{mode}' for --interrupt-mode (expected message or signal)");
                }
                var dir = KernelSpec.Install(Prefix(opts), Opt("name") ?? KernelSpec.DefaultName, Opt("display-name") ?? KernelSpec.DisplayName, mode);
                Console.WriteLine($"Installed kernelspec {Opt("name") ?? KernelSpec.DefaultName} in {dir}");
                return 0;
            }
            case "uninstall":
            {
                var name = Opt("name") ?? KernelSpec.DefaultName;
                if (KernelSpec.Uninstall(Prefix(opts), name))
                {
                    Console.WriteLine($"Removed kernelspec {name}");
                    return 0;
                }
                Console.Error.WriteLine($"error: no kernelspec named '{name}' in {KernelSpec.KernelsDir(Prefix(opts))}");
                return 1;
            }
            case "list":
                foreach (var (name, dir) in KernelSpec.List(Prefix(opts)))
                {
                    Console.WriteLine($"{name,-28} {dir}");
                }
                return 0;
            case "run":
            {
                var file = Opt("connection-file") ?? Opt("") ?? throw new ArgumentException("run needs --connection-file FILE");
                return RunKernel(file, opts.ContainsKey("restart-in-process"));
            }
            case "worker":
                return RunWorker(Opt("study") ?? throw new ArgumentException("worker needs --study STORE (a SQLite file or postgres://...)"),
                    Opt("name") ?? throw new ArgumentException("worker needs --name STUDY"),
                    Opt("preset") ?? throw new ArgumentException($"worker needs --preset ({string.Join(" or ", Runtime.Presets.SearchPresets.Names)})"),
                    IntOpt(opts, "trials", 20), Opt("algo") ?? "auto", IntOpt(opts, "seed", 0), Opt("data"), IntOpt(opts, "epochs", 2), Opt("worker-id"));
            case "convert":
            {
                var input = Opt("") ?? throw new ArgumentException("convert needs an input file (.dib or .ipynb)");
                var to = Opt("to") ?? (input.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) && Opt("output")?.EndsWith(".dib", StringComparison.OrdinalIgnoreCase) == true ? "dib" : "ipynb");
                if (to is not ("ipynb" or "dib")) throw new ArgumentException($"invalid value '{to}' for --to (expected ipynb or dib)");
                var output = Opt("output") ?? Path.ChangeExtension(input, null) + (to == "dib" ? ".dib" : input.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase) ? ".nasnotebooks.ipynb" : ".ipynb");
                Polyglot.NotebookConverter.Result result;
                try { result = Polyglot.NotebookConverter.Convert(input, toDib: to == "dib"); }
                catch (Exception e) when (e is FileNotFoundException or FormatException) { throw new ArgumentException(e.Message, e); }
                File.WriteAllText(output, result.Text);
                foreach (var w in result.Warnings) Console.Error.WriteLine("warning: " + w);
                Console.WriteLine($"Wrote {output}");
                return 0;
            }
            default:
                throw new ArgumentException($"unknown command '{command}'");
        }
    }

    private static int IntOpt(Dictionary<string, string?> opts, string name, int fallback)
    {
        if (!opts.TryGetValue(name, out var v) || v is null) return fallback;
        return int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) && i >= 0
            ? i : throw new ArgumentException($"--{name} expects a non-negative integer, got '{v}'");
    }

    /// <summary>Runs one study worker until the study holds <paramref name="trials"/> finished trials; Ctrl+C stops it cleanly.</summary>
    private static int RunWorker(string storeText, string study, string presetName, int trials, string algo, int seed, string? data, int epochs, string? workerId)
    {
        if (!Runtime.Algorithms.AlgorithmCatalog.IsKnown(algo))
            throw new ArgumentException($"unknown --algo '{algo}' (known: {string.Join(", ", Runtime.Algorithms.AlgorithmCatalog.Names)})");
        var preset = Runtime.Presets.SearchPresets.Create(presetName, data, epochs, seed);
        using var store = Runtime.Studies.StudyStore.Open(storeText);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var spec = NasNotebooks.Dsl.Space.Spec(preset.Space);
        var options = new Runtime.SearchOptions { MaxTrials = trials, WorkerId = workerId, TrialEnded = t => Console.WriteLine($"trial {t.Id} {t.Status.ToString().ToLowerInvariant()} {t.FinalReward} {t.Dna}") };
        var result = Runtime.Studies.StudyWorker.RunAsync(store, study, preset.Space, () => Runtime.Algorithms.AlgorithmCatalog.Create(algo, seed, spec),
            preset.Evaluator.EvaluateAsync, options, cts.Token).GetAwaiter().GetResult();
        Console.WriteLine($"finished {result.StopReason}: the study holds {result.Trials.Count} trials, best {result.Best?.FinalReward}");
        return 0;
    }

    private static string? Prefix(Dictionary<string, string?> opts)
    {
        if (opts.ContainsKey("user") && opts.ContainsKey("prefix"))
        {
            throw new ArgumentException("--user and --prefix cannot be combined");
        }
        return opts.TryGetValue("prefix", out var p) ? p : null;
    }

    private static Dictionary<string, string?> ParseOptions(string command, string[] args)
    {
        var known = command switch
        {
            "install" => new[] { "user", "prefix", "name", "display-name", "interrupt-mode", "sys-prefix" },
            "uninstall" => ["user", "prefix", "name"],
            "list" => ["prefix"],
            "run" => ["connection-file", "restart-in-process", "f"],
            "convert" => ["output", "to"],
            "worker" => ["study", "name", "preset", "trials", "algo", "seed", "data", "epochs", "worker-id"],
            _ => [],
        };
        var flags = new HashSet<string> { "user", "restart-in-process" };
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (!a.StartsWith('-'))
            {
                if (command is "run" or "convert" && !result.ContainsKey(""))
                {
                    result[""] = a;
                    continue;
                }
                throw new ArgumentException($"unexpected argument '{a}' for '{command}'");
            }
            var name = a.TrimStart('-');
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (name == "f")
            {
                name = "connection-file";
            }
            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown option --{name} for '{command}'");
            }
            if (!flags.Contains(name) && value is null)
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"option --{name} for '{command}' expects a value");
                }
                value = args[++i];
            }
            if (name == "sys-prefix")
            {
                throw new ArgumentException("--sys-prefix is not supported; use --prefix DIR");
            }
            result[name] = value;
        }
        return result;
    }

    /// <summary>Stops the kernel when the process that launched it (JPY_PARENT_PID, set by jupyter_client) is gone.</summary>
    private static void WatchParent(KernelServer server)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out var pid) || pid <= 1)
        {
            return;
        }
        var thread = new Thread(() =>
        {
            while (!server.Stopping.IsCancellationRequested)
            {
                if (!ProcessAlive(pid))
                {
                    Log.Warn($"parent process {pid} is gone; shutting down");
                    server.Stop();
                    return;
                }
                server.Stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
            }
        })
        { IsBackground = true, Name = "parent-watch" };
        thread.Start();
    }

    private static bool ProcessAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static int RunKernel(string connectionFile, bool restartInProcess)
    {
        var info = ConnectionInfo.Load(connectionFile);
        using var server = new KernelServer(info);
        server.Bind();
        var host = new KernelHost(server, Nas.KernelMagics.CreateDefault(), restartInProcess);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            host.Interrupt();
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            server.Stop();
        });
        host.Start();
        WatchParent(server);
        server.Run();
        Log.Debug("kernel stopped");
        return 0;
    }
}
