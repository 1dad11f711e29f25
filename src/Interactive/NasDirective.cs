namespace NasNotebooks.Interactive;

using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;
using NasNotebooks.Magics;

/// <summary>
/// <c>#!nas</c> as a .NET Interactive directive, generated from the shared command model (<see cref="MagicRegistry"/>):
/// each subcommand, option, alias and flag becomes a subcommand or parameter, with its description and allowed values
/// as completions. The handler parses the line with the same parser as the NasNotebooks kernel, so a line means the
/// same thing, and fails with the same message, in both hosts.
/// </summary>
internal static class NasDirective
{
    public const string Name = "#!nas";
    private const string DirectiveTextPrefix = "Directive: ";

    /// <summary>Adds <c>#!nas</c> and its subcommands to <paramref name="kernel"/>.</summary>
    public static void AddTo(Kernel kernel, MagicRegistry magics)
    {
        var group = magics.Find("nas") ?? throw new InvalidOperationException("the #!nas command group is not registered");
        var top = Directive(Name, group);
        var subcommands = group.Subcommands.Select(s => Directive(s.Name, s)).ToList();
        foreach (var sub in subcommands)
        {
            top.Subcommands.Add(sub);
        }
        KernelCommandInvocation handler = (command, context) => HandleAsync(kernel, magics, command, context);
        kernel.AddDirective(top, handler);
        foreach (var sub in subcommands)
        {
            // The handler of "#!nas search" is registered by path; the subcommand itself is not a top-level directive.
            kernel.AddDirective(sub, handler);
            kernel.KernelInfo.SupportedDirectives.Remove(sub);
        }
    }

    internal static KernelActionDirective Directive(string name, IMagicCommand command)
    {
        var directive = new KernelActionDirective(name, command.Description);
        foreach (var option in command.Options)
        {
            var description = option.Description + (option.Default is null ? "" : $" (default: {option.Default})");
            directive.Parameters.Add(Parameter("--" + option.Name, description, option));
            if (option.Alias is not null)
            {
                directive.Parameters.Add(Parameter(option.Alias, $"Same as --{option.Name}.", option));
            }
        }
        directive.Parameters.Add(new KernelDirectiveParameter("--help", "Show the help of this command.") { Flag = true });
        directive.Parameters.Add(new KernelDirectiveParameter("-h", "Same as --help.") { Flag = true });
        return directive;
    }

    private static KernelDirectiveParameter Parameter(string name, string description, MagicOption option)
    {
        var parameter = new KernelDirectiveParameter(name, description)
        {
            Flag = option.Kind == MagicValueKind.Flag,
            TypeHint = option.Kind is MagicValueKind.Integer or MagicValueKind.Number ? "number" : "text",
        };
        if (option.AllowedValues is { Count: > 0 } allowed)
        {
            parameter.AddCompletions(() => allowed);
        }
        return parameter;
    }

    /// <summary>The <c>#!nas ...</c> line of a directive command (dotnet-interactive hands the raw line to untyped directives).</summary>
    internal static string? LineOf(KernelCommand command)
    {
        var text = command.ToString();
        return text is not null && text.StartsWith(DirectiveTextPrefix, StringComparison.Ordinal) ? text[DirectiveTextPrefix.Length..].Trim() : null;
    }

    private static async Task HandleAsync(Kernel kernel, MagicRegistry magics, KernelCommand command, KernelInvocationContext context)
    {
        var line = LineOf(command);
        if (line is null)
        {
            context.Fail(command, message: $"NasNotebooks: this version of .NET Interactive does not pass the {Name} line to its handler (got '{command}')");
            return;
        }
        var host = new InteractiveKernelContext(kernel, context, command, magics);
        string? error = null;
        try
        {
            var invocation = magics.Parse(line);
            if (invocation.HelpRequested)
            {
                host.Out.Write(MagicRegistry.HelpText(invocation.Command, invocation.CommandPath));
            }
            else
            {
                await invocation.Command.RunAsync(invocation, host).ConfigureAwait(false);
            }
        }
        catch (MagicUsageException e)
        {
            error = e.Message;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            error = "The cell was interrupted.";
        }
        catch (Exception e)
        {
            error = $"{e.GetType().FullName}: {e.Message}";
        }
        finally
        {
            host.FlushOutput();
        }
        if (error is not null)
        {
            context.Fail(command, message: error);
        }
    }
}
