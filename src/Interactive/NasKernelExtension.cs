namespace NasNotebooks.Interactive;

using System.Runtime.CompilerServices;
using Microsoft.DotNet.Interactive;

/// <summary>
/// The NasNotebooks extension for .NET Interactive (Polyglot Notebooks, dotnet-interactive's Jupyter kernels):
/// <c>#r "nuget: NasNotebooks"</c> loads it from the package's <c>interactive-extensions/dotnet</c> folder. It adds
/// <c>#!nas</c> (the same subcommands, options, help and error messages as the NasNotebooks Jupyter kernel) to the
/// C# and F# kernels and registers HTML and text formatters for the DSL and result types.
/// </summary>
/// <remarks>
/// <see cref="OnLoadAsync"/> never throws: dotnet-interactive leaves a Jupyter front end waiting forever for the
/// <c>#r</c> cell when an extension's load throws, so a failure is reported as the cell's error message instead.
/// </remarks>
public sealed class NasKernelExtension : IKernelExtension
{
    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel)
    {
        try
        {
            // Only framework types here: the shared NasNotebooks.Magics assembly is resolved by the line below.
            ExtensionAssemblies.Install(typeof(NasKernelExtension).Assembly.Location);
            Load(kernel);
        }
        catch (Exception e)
        {
            ReportLoadFailure(kernel, e);
        }
        return Task.CompletedTask;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Load(Kernel kernel) => ExtensionLoader.Load(kernel);

    private static void ReportLoadFailure(Kernel kernel, Exception e)
    {
        var reason = e is InvalidOperationException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        var message = $"NasNotebooks: #!nas could not be added to this kernel ({kernel.Name}): {reason}";
        try
        {
            if (KernelInvocationContext.Current is { } context)
            {
                context.Fail(context.Command, message: message);
                return;
            }
        }
        catch (Exception)
        {
            // Fall through: reporting must not throw either.
        }
        Console.Error.WriteLine(message);
    }
}
