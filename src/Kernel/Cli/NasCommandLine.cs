using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Reflection;

namespace NasNotebooks.Kernel.Cli;

/// <summary>
/// The <c>nasnotebooks</c> command line (System.CommandLine): <c>kernel install|uninstall|list|run</c>,
/// <c>worker</c>, <c>convert</c>, with help on every command, validation, and one error handler around all of
/// them: a usage error exits 2, any other error exits 1, each as one line <c>error: ...</c> on stderr that names
/// the file, URL or argument (the stack trace only with <c>--verbose</c>).
/// </summary>
/// <remarks>
/// The forms of the former <c>nasnotebooks-kernel</c> command still work, hidden from the help, so that
/// kernelspecs and scripts written for it keep running: <c>install</c>, <c>uninstall</c>, <c>list</c>,
/// <c>run --connection-file FILE</c> and a bare <c>FILE.json</c> (see <see cref="LegacyForms"/>).
/// </remarks>
public static class NasCommandLine
{
    /// <summary>The command name of the dotnet tool.</summary>
    public const string ToolName = "nasnotebooks";

    /// <summary>Exit code of a usage error (bad or missing argument, unknown command or option).</summary>
    public const int UsageExit = 2;

    /// <summary>Exit code of a runtime error (the arguments were fine, the work failed).</summary>
    public const int ErrorExit = 1;

    /// <summary><c>--verbose</c>: on every command, adds the stack trace to an error.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an error, print the stack trace too",
        Recursive = true,
    };

    /// <summary>
    /// The commands under the root, in help order. Adding a command to the tool is one line here. A command built
    /// elsewhere (e.g. in a project this one references) is a System.CommandLine <see cref="Command"/>: validate its
    /// arguments with validators (a parse error exits 2 through this class), let its action return the exit code;
    /// an exception from the action is a runtime error (exit 1, its message as one line: name the file or URL).
    /// An async action's token is cancelled on SIGINT/SIGTERM (2 s to finish) unless the command is marked with
    /// <see cref="HandlesItsOwnSignals"/>.
    /// </summary>
    private static IEnumerable<Command> Commands() =>
    [
        KernelCommand.Create(),
        WorkerCommand.Create(),
        ConvertCommand.Create(),
        HandlesItsOwnSignals(Dashboard.DashboardCommand.Create()),
    ];

    /// <summary>Commands that register their own SIGINT/SIGTERM handlers (System.CommandLine must not add its own).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, object> OwnSignalHandling = [];

    /// <summary>Marks <paramref name="command"/> as handling SIGINT/SIGTERM itself; returns it.</summary>
    internal static Command HandlesItsOwnSignals(Command command)
    {
        OwnSignalHandling.AddOrUpdate(command, command);
        return command;
    }

    /// <summary>The root command with every subcommand (and the hidden legacy forms).</summary>
    public static Command CreateRoot()
    {
        // A named command rather than RootCommand, whose name would be the executable's (nasnotebooks-kernel under `dotnet`).
        var root = new Command(ToolName, "NasNotebooks: neural architecture and hyperparameter search for .NET. The Jupyter kernel, study workers and notebook conversion.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(Verbose);
        foreach (var command in Commands()) root.Subcommands.Add(command);
        foreach (var command in LegacyForms.Commands()) root.Subcommands.Add(command);
        root.SetAction(result => ShowHelp(result, UsageExit));
        return root;
    }

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        args = LegacyForms.Rewrite(args);
        var root = CreateRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // SIGINT/SIGTERM cancel the token an async action gets (2 s to finish), except for commands that handle
            // signals themselves: the kernel turns SIGINT into an interrupt, a worker stops cleanly after giving its trial back.
            ProcessTerminationTimeout = OwnSignalHandling.TryGetValue(parse.CommandResult.Command, out _) ? null : TimeSpan.FromSeconds(2),
            Output = output,
            Error = error,
        };
        if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
        {
            foreach (var e in parse.Errors.Select(e => e.Message).Distinct()) error.WriteLine("error: " + OneLine(e));
            error.WriteLine($"see '{CommandPath(parse.CommandResult)} --help'");
            return UsageExit;
        }
        bool verbose = parse.GetValue(Verbose);
        try
        {
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return Report(e, verbose, CommandPath(parse.CommandResult), error);
        }
    }

    /// <summary>The one error handler: prints one line (and the stack trace with --verbose); returns the exit code.</summary>
    internal static int Report(Exception exception, bool verbose, string commandPath, TextWriter error)
    {
        var e = exception;
        while (e is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && e.InnerException is not null) e = e.InnerException!;
        if (e is UsageException usage)
        {
            error.WriteLine("error: " + OneLine(usage.Message));
            error.WriteLine($"see '{commandPath} --help'");
            if (verbose) error.WriteLine(exception);
            return UsageExit;
        }
        bool bug = e is NullReferenceException or IndexOutOfRangeException or InvalidCastException or NotImplementedException or ArgumentNullException;
        error.WriteLine("error: " + (bug ? $"internal error ({e.GetType().Name}): " : "") + OneLine(e.Message));
        if (verbose) error.WriteLine(exception);
        else if (bug) error.WriteLine("run again with --verbose for the stack trace, and please report it");
        return ErrorExit;
    }

    /// <summary>Prints the help of the parsed command; returns <paramref name="exitCode"/>.</summary>
    internal static int ShowHelp(ParseResult result, int exitCode)
    {
        var help = new HelpAction();
        help.Invoke(result);
        return exitCode;
    }

    /// <summary>Restricts <paramref name="option"/> to <paramref name="values"/>, with an error naming the option and the choices.</summary>
    internal static void OneOf(Option<string> option, params string[] values)
    {
        option.HelpName = string.Join('|', values);
        option.CompletionSources.Add(values);
        option.Validators.Add(r =>
        {
            var v = r.GetValueOrDefault<string>();
            if (!values.Contains(v, StringComparer.Ordinal)) r.AddError($"invalid value '{v}' for {option.Name} (expected {string.Join(" or ", values)})");
        });
    }

    /// <summary>The message on one line (an error is one line).</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string CommandPath(CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as CommandResult)
            names.Add(r.Command.Name);
        names.Reverse();
        return names.Count == 0 ? ToolName : string.Join(' ', names);
    }
}

/// <summary>A bad argument found by a command's action (after parsing): exit code 2, like a parse error.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the argument and what is expected.</summary>
    public UsageException(string message, Exception? inner = null) : base(message, inner) { }
}
