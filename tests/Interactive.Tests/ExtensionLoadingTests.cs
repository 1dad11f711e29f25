using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;

namespace NasNotebooks.Interactive.Tests;

/// <summary>The package's layout, and how the extension loads (or reports that it cannot) without ever throwing.</summary>
[Collection(InProcessCollection.Name)]
public sealed class ExtensionLoadingTests
{
    [Fact]
    public void Package_ShipsTheCompiledExtension_AndKeepsLibFreeOfIt()
    {
        Assert.Equal(["NasNotebooks.Interactive.dll", "NasNotebooks.Magics.dll"],
            Directory.GetFiles(PackageLayout.ExtensionFolder).Select(Path.GetFileName).Order());
        Assert.Equal(["NasNotebooks.Dsl.dll", "NasNotebooks.Runtime.dll"],
            Directory.GetFiles(PackageLayout.Lib, "*.dll").Select(Path.GetFileName).Order());
        var nuspec = File.ReadAllText(Directory.GetFiles(PackageLayout.Root, "*.nuspec").Single());
        Assert.DoesNotContain("Microsoft.DotNet.Interactive", nuspec);
        Assert.DoesNotContain("Plotly", nuspec);
    }

    [Fact]
    public async Task Load_AddsNas_ToEveryCSharpKernel()
    {
        using var host = await InteractiveHost.StartAsync(true, new CSharpKernel("csharp"), new CSharpKernel("csharp2"));
        Assert.Empty(host.EscapedLoadExceptions);
        foreach (var name in new[] { "csharp", "csharp2" })
            Assert.Contains(host.Root.FindKernelByName(name)!.KernelInfo.SupportedDirectives, d => d.Name == "#!nas");
    }

    [Fact]
    public async Task Load_WhenNasIsAlreadyDefined_FailsTheLoadingCell_WithAMessage_AndTheSessionGoesOn()
    {
        var csharp = new CSharpKernel();
        csharp.AddDirective(new KernelActionDirective("#!nas"), (_, _) => Task.CompletedTask);
        using var host = await InteractiveHost.StartAsync(false, csharp);
        var load = await host.LoadExtensionAsync();
        Assert.Empty(host.EscapedLoadExceptions);
        Assert.Equal("NasNotebooks: #!nas could not be added to this kernel (.NET): the csharp kernel already has a #!nas magic command " +
            "(from another extension, or another version of NasNotebooks loaded in this session); restart the kernel and reference one version",
            load.SingleErrorMessage());
        (await host.SubmitAsync("1 + 1")).AssertSucceeded();
    }

    [Fact]
    public async Task Load_WithoutACSharpOrFSharpKernel_FailsTheLoadingCell_WithAMessage()
    {
        using var host = await InteractiveHost.StartAsync(false, new KeyValueStoreKernel("value"));
        var load = await host.LoadExtensionAsync();
        Assert.Empty(host.EscapedLoadExceptions);
        Assert.Equal("NasNotebooks: #!nas could not be added to this kernel (.NET): it has no C# or F# kernel (#!nas runs in csharp and fsharp cells)",
            load.SingleErrorMessage());
    }

    [Fact]
    public async Task OnLoadAsync_OutsideACommand_DoesNotThrow()
    {
        using var host = await InteractiveHost.StartAsync(false, new KeyValueStoreKernel("value"));
        var extensionType = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(PackageLayout.ExtensionFolder, "NasNotebooks.Interactive.dll"))
            .ExportedTypes.Single(t => typeof(IKernelExtension).IsAssignableFrom(t));
        var extension = (IKernelExtension)Activator.CreateInstance(extensionType)!;
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            await extension.OnLoadAsync(host.Root);
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Contains("NasNotebooks: #!nas could not be added to this kernel (.NET): it has no C# or F# kernel", error.ToString());
    }
}
