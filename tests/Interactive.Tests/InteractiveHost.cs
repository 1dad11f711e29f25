using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace NasNotebooks.Interactive.Tests;

/// <summary>
/// .NET Interactive hosted in-process: a <see cref="CompositeKernel"/> with a <see cref="CSharpKernel"/>, the package's
/// lib/ assemblies referenced by the C# kernel and the extension loaded from the package's interactive-extensions/dotnet
/// folder the way dotnet-interactive's PackageDirectoryExtensionLoader does (every DLL loaded by path into the default
/// load context, then OnLoadAsync of each public IKernelExtension with the root kernel, inside the loading command).
/// </summary>
internal sealed class InteractiveHost : IDisposable
{
    private const string LoadDirective = "#!load-nas-extension";
    private static readonly TimeSpan CellTimeout = TimeSpan.FromMinutes(3);

    private InteractiveHost(CompositeKernel root)
    {
        Root = root;
    }

    public CompositeKernel Root { get; }

    /// <summary>Exceptions that escaped an extension's OnLoadAsync (dotnet-interactive would hang the #r cell on them).</summary>
    public List<Exception> EscapedLoadExceptions { get; } = [];

    /// <summary>A root kernel with the given children (a C# kernel by default), lib/ referenced, optionally the extension loaded.</summary>
    public static async Task<InteractiveHost> StartAsync(bool loadExtension = true, params Kernel[] children)
    {
        var root = new CompositeKernel();
        foreach (var child in children.Length == 0 ? [new CSharpKernel()] : children)
        {
            root.Add(child);
        }
        root.DefaultKernelName = root.ChildKernels.First().Name;
        var host = new InteractiveHost(root);
        root.AddDirective(new KernelActionDirective(LoadDirective), host.LoadExtensionFolderAsync);
        foreach (var csharp in root.ChildKernels.OfType<CSharpKernel>())
        {
            await host.ReferenceLibAsync(csharp.Name);
        }
        if (loadExtension)
        {
            (await host.LoadExtensionAsync()).AssertSucceeded();
        }
        return host;
    }

    /// <summary>Loads the package's extension folder inside a command, as <c>#r "nuget: NasNotebooks"</c> does.</summary>
    public Task<Cell> LoadExtensionAsync() => SubmitAsync(LoadDirective);

    private async Task LoadExtensionFolderAsync(KernelCommand command, KernelInvocationContext context)
    {
        foreach (var dll in Directory.GetFiles(PackageLayout.ExtensionFolder, "*.dll"))
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll);
            foreach (var type in assembly.ExportedTypes.Where(t => t.IsClass && !t.IsAbstract && typeof(IKernelExtension).IsAssignableFrom(t)))
            {
                var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                try
                {
                    await extension.OnLoadAsync(Root);
                }
                catch (Exception e)
                {
                    EscapedLoadExceptions.Add(e);
                    context.Fail(command, e);
                }
            }
        }
    }

    /// <summary>Submits a cell to the root kernel (to <paramref name="kernelName"/> when given) and collects its events.</summary>
    public async Task<Cell> SubmitAsync(string code, string? kernelName = null)
    {
        var result = await Root.SendAsync(new SubmitCode(code, kernelName)).WaitAsync(CellTimeout);
        return new Cell(code, result.Events.ToList());
    }

    /// <summary>References the package's lib/ assemblies in a C# kernel, as <c>#r "nuget: NasNotebooks"</c> does.</summary>
    public async Task ReferenceLibAsync(string kernelName)
    {
        // Sent to the kernel by name: after a "#!name" selector line dotnet-interactive drops "#r" lines that no code follows.
        var lib = PackageLayout.Lib;
        (await SubmitAsync($"#r \"{Path.Combine(lib, "NasNotebooks.Dsl.dll")}\"\n#r \"{Path.Combine(lib, "NasNotebooks.Runtime.dll")}\"", kernelName)).AssertSucceeded();
    }

    public void Dispose() => Root.Dispose();

    /// <summary>The events of one submission.</summary>
    public sealed record Cell(string Code, IReadOnlyList<KernelEvent> Events)
    {
        public CommandFailed? Failure => Events.OfType<CommandFailed>().FirstOrDefault();

        public bool Succeeded => Failure is null && Events.OfType<CommandSucceeded>().Any();

        public void AssertSucceeded() => Assert.True(Succeeded, $"cell failed: {Code}\n{Failure?.Message}\n{Failure?.Exception}");

        /// <summary>The single failure message of a failed cell, checking that nothing else reported an error.</summary>
        public string SingleErrorMessage()
        {
            var failures = Events.OfType<CommandFailed>().ToList();
            Assert.True(failures.Count == 1, $"expected one failure for '{Code}', got {failures.Count}: {string.Join(" | ", failures.Select(f => f.Message))}");
            Assert.Empty(Events.OfType<ErrorProduced>());
            Assert.Null(failures[0].Exception);
            return failures[0].Message;
        }

        public IEnumerable<DisplayEvent> Displays => Events.OfType<DisplayEvent>().Where(e => e is DisplayedValueProduced or DisplayedValueUpdated or ReturnValueProduced);

        public string? Text(DisplayEvent e, string mime) => e.FormattedValues.FirstOrDefault(v => v.MimeType == mime)?.Value;

        public IEnumerable<string> Html => Displays.Select(d => Text(d, "text/html")).OfType<string>();

        public string Stdout => string.Concat(Events.OfType<StandardOutputValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));

        public string? ReturnText(string mime) => Events.OfType<ReturnValueProduced>().Select(e => Text(e, mime)).FirstOrDefault(t => t is not null);
    }

    /// <summary>Formats a value with .NET Interactive's formatter (what a notebook shows for it).</summary>
    public static string Format(object value, string mime) => value.ToDisplayString(mime);

    /// <summary>Gets a type of the package's lib/ assemblies (loaded by the C# kernel) by full name.</summary>
    public static Type LibType(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName)).FirstOrDefault(t => t is not null)
        ?? throw new InvalidOperationException($"type {fullName} is not loaded");

    public static Assembly LoadedAssembly(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name)
        ?? throw new InvalidOperationException($"assembly {name} is not loaded");
}
