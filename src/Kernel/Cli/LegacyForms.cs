using System.CommandLine;

namespace NasNotebooks.Kernel.Cli;

/// <summary>
/// The command forms of the former <c>nasnotebooks-kernel</c> tool, still accepted (hidden from the help) so that
/// installed kernelspecs and scripts keep working: kernelspecs it wrote start
/// <c>dotnet .../nasnotebooks-kernel.dll run --connection-file {connection_file}</c> (the kernel's assembly keeps
/// that file name), and Jupyter also passes a bare connection file in some set-ups.
/// </summary>
internal static class LegacyForms
{
    /// <summary>Top-level <c>install</c>, <c>uninstall</c>, <c>list</c> and <c>run</c>: the same as under <c>kernel</c>.</summary>
    public static IEnumerable<Command> Commands() =>
    [
        KernelCommand.Install(hidden: true),
        KernelCommand.Uninstall(hidden: true),
        KernelCommand.List(hidden: true),
        KernelCommand.Run(hidden: true),
    ];

    /// <summary><c>FILE.json [options]</c> becomes <c>kernel run FILE.json [options]</c>.</summary>
    public static string[] Rewrite(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && args[0].EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? ["kernel", "run", .. args]
            : args;
}
