using System.CommandLine;
using System.CommandLine.Parsing;

namespace NasNotebooks.Kernel.Cli;

/// <summary><c>nasnotebooks kernel install|uninstall|list|run</c>: the Jupyter kernel and its kernelspecs.</summary>
internal static class KernelCommand
{
    public static Command Create()
    {
        var kernel = new Command("kernel", "The Jupyter kernel for C# and F# notebooks: install its kernelspec, list or remove kernelspecs, run it (Jupyter does)");
        kernel.Subcommands.Add(Install());
        kernel.Subcommands.Add(Uninstall());
        kernel.Subcommands.Add(List());
        kernel.Subcommands.Add(Run());
        kernel.SetAction(result => NasCommandLine.ShowHelp(result, NasCommandLine.UsageExit));
        return kernel;
    }

    private static Option<string?> PrefixOption() => new("--prefix")
    {
        Description = "Use DIR/share/jupyter/kernels instead of the user's Jupyter data folder ($JUPYTER_DATA_DIR or ~/.local/share/jupyter)",
        HelpName = "DIR",
    };

    private static Option<bool> UserOption() => new("--user") { Description = "Use the user's Jupyter data folder (the default)" };

    private static Option<string> NameOption() => new("--name")
    {
        Description = "Kernelspec name (the folder under kernels/)",
        HelpName = "NAME",
        DefaultValueFactory = _ => KernelSpec.DefaultName,
    };

    private static void UserOrPrefix(Command command, Option<bool> user, Option<string?> prefix) => command.Validators.Add(result =>
    {
        if (result.GetResult(user) is not null && result.GetResult(prefix) is not null)
            result.AddError("--user and --prefix cannot be combined");
    });

    /// <summary><c>install</c>: writes kernel.json and the logos.</summary>
    public static Command Install(bool hidden = false)
    {
        var user = UserOption();
        var prefix = PrefixOption();
        var name = NameOption();
        var display = new Option<string>("--display-name")
        {
            Description = "Name shown in Jupyter's kernel menu",
            HelpName = "TEXT",
            DefaultValueFactory = _ => KernelSpec.DisplayName,
        };
        var mode = new Option<string>("--interrupt-mode")
        {
            Description = "How Jupyter interrupts the kernel: an interrupt_request message, or SIGINT",
            DefaultValueFactory = _ => "message",
        };
        NasCommandLine.OneOf(mode, "message", "signal");
        var sysPrefix = new Option<bool>("--sys-prefix") { Hidden = true };
        sysPrefix.Validators.Add(r => { if (!r.Implicit) r.AddError("--sys-prefix is not supported; use --prefix DIR"); });
        var command = new Command("install", "Install the kernelspec, so that Jupyter, VS Code and nbconvert offer this kernel") { Hidden = hidden };
        command.Options.Add(user);
        command.Options.Add(prefix);
        command.Options.Add(name);
        command.Options.Add(display);
        command.Options.Add(mode);
        command.Options.Add(sysPrefix);
        UserOrPrefix(command, user, prefix);
        command.SetAction(result =>
        {
            var kernelName = result.GetValue(name)!;
            string dir;
            try { dir = KernelSpec.Install(result.GetValue(prefix), kernelName, result.GetValue(display)!, result.GetValue(mode)!); }
            catch (ArgumentException e) { throw new UsageException(e.Message, e); }
            result.InvocationConfiguration.Output.WriteLine($"Installed kernelspec {kernelName} in {dir}");
            return 0;
        });
        return command;
    }

    /// <summary><c>uninstall</c>: removes a kernelspec folder.</summary>
    public static Command Uninstall(bool hidden = false)
    {
        var user = UserOption();
        var prefix = PrefixOption();
        var name = NameOption();
        var command = new Command("uninstall", "Remove a kernelspec") { Hidden = hidden };
        command.Options.Add(user);
        command.Options.Add(prefix);
        command.Options.Add(name);
        UserOrPrefix(command, user, prefix);
        command.SetAction(result =>
        {
            var kernelName = result.GetValue(name)!;
            if (!KernelSpec.Uninstall(result.GetValue(prefix), kernelName))
                throw new InvalidOperationException($"no kernelspec named '{kernelName}' in {KernelSpec.KernelsDir(result.GetValue(prefix))}");
            result.InvocationConfiguration.Output.WriteLine($"Removed kernelspec {kernelName}");
            return 0;
        });
        return command;
    }

    /// <summary><c>list</c>: this kernel's kernelspecs, and those whose command no longer exists.</summary>
    public static Command List(bool hidden = false)
    {
        var prefix = PrefixOption();
        var command = new Command("list", "List the kernelspecs of this kernel (in the user's folder, $JUPYTER_PATH and --prefix)") { Hidden = hidden };
        command.Options.Add(prefix);
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            foreach (var spec in KernelSpec.List(result.GetValue(prefix)))
            {
                output.WriteLine($"{spec.Name,-28} {spec.Dir}" + (spec.Missing is { } missing
                    ? $"  (broken: {missing} no longer exists; run '{NasCommandLine.ToolName} kernel install --name {spec.Name}' again)" : ""));
            }
            return 0;
        });
        return command;
    }

    /// <summary><c>run</c>: the kernel itself, started by Jupyter with a connection file.</summary>
    public static Command Run(bool hidden = false)
    {
        var file = new Option<string?>("--connection-file", "-f") { Description = "The connection file Jupyter wrote", HelpName = "FILE" };
        var positional = new Argument<string?>("connection-file") { Description = "The connection file (instead of -f)", Arity = ArgumentArity.ZeroOrOne };
        var restart = new Option<bool>("--restart-in-process") { Description = "Answer shutdown_request with restart=true by resetting the session in place" };
        var command = new Command("run", "Run the kernel (what Jupyter starts, with the connection file it wrote)") { Hidden = hidden };
        command.Options.Add(file);
        command.Arguments.Add(positional);
        command.Options.Add(restart);
        command.Validators.Add(result =>
        {
            var a = result.GetValue(file);
            var b = result.GetValue(positional);
            if (a is null && b is null) result.AddError("run needs the connection file: --connection-file FILE");
            else if (a is not null && b is not null) result.AddError("give the connection file once: --connection-file FILE or FILE");
            else if (!File.Exists(a ?? b)) result.AddError($"cannot read connection file '{a ?? b}': it does not exist");
        });
        command.SetAction(result => Program.RunKernel((result.GetValue(file) ?? result.GetValue(positional))!, result.GetValue(restart)));
        return NasCommandLine.HandlesItsOwnSignals(command);
    }
}
