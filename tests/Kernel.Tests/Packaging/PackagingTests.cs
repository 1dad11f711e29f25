using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Packaging;

/// <summary>
/// `dotnet pack` gives the NasNotebooks library package (generator under analyzers/dotnet/cs) and the
/// `nasnotebooks` dotnet tool (NasNotebooks.Tool); both are installed from a local folder with a clean NuGet
/// cache and used for real. The test project builds both projects first (so `--no-build` works when it runs alone).
/// </summary>
public sealed class PackagingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-pack-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "NasNotebooks.sln"))) return d.FullName;
            throw new DirectoryNotFoundException("NasNotebooks.sln not found");
        }
    }

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private (int ExitCode, string Stdout, string Stderr) Dotnet(IDictionary<string, string>? env, params string[] args)
    {
        var r = PythonJupyter.Run(args, env, TimeSpan.FromMinutes(10), "dotnet");
        Assert.True(r.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
        return r;
    }

    /// <summary>
    /// Both packages, packed once per test run (the tool package holds libtorch, and packing compiles its assemblies to
    /// ReadyToRun code: a few minutes on a fresh checkout, then cached in obj/).
    /// </summary>
    private static readonly Lazy<string> Packages = new(() =>
    {
        // About 370 MB (the tool carries libtorch): one folder per checkout, replaced by each run, under artifacts/ (the
        // test host is stopped without running exit handlers, so a temp folder would stay behind after every run).
        var packages = Path.Combine(RepoRoot, "artifacts", "test-packages", "kernel-tests");
        if (Directory.Exists(packages)) Directory.Delete(packages, recursive: true);
        Directory.CreateDirectory(packages);
        foreach (var project in new[] { Path.Combine(RepoRoot, "pack", "NasNotebooks"), Path.Combine(RepoRoot, "src", "Kernel") })
        {
            var r = PythonJupyter.Run(["pack", project, "-c", Configuration, "--no-build", "-o", packages], null, TimeSpan.FromMinutes(20), "dotnet");
            if (r.ExitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
        }
        return packages;
    });

    private static string Pack() => Packages.Value;

    [Fact]
    public void PackedTool_InstallsFromALocalFolder_InstallsItsKernelspec_AndRunsANotebook()
    {
        var packages = Pack();
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-cache") };
        var toolPath = Path.Combine(_dir, "tool");
        Dotnet(env, "tool", "install", "--tool-path", toolPath, "--add-source", packages, "--ignore-failed-sources", "NasNotebooks.Tool", "--version", "0.1.0");
        // The tool carries ReadyToRun machine code (build/ReadyToRun.targets) for the kernel, Roslyn and F#: the first cells of a
        // fresh kernel do not wait for the JIT.
        var installed = Directory.GetFiles(Path.Combine(toolPath, ".store"), "*.dll", SearchOption.AllDirectories);
        foreach (var name in new[] { typeof(KernelSpec).Assembly.GetName().Name + ".dll", "NasNotebooks.Runtime.dll", "NasNotebooks.Magics.dll", "Microsoft.CodeAnalysis.CSharp.dll", "FSharp.Compiler.Service.dll", "NetMQ.dll" })
        {
            var dll = installed.SingleOrDefault(f => Path.GetFileName(f) == name);
            Assert.True(dll is not null, $"{name} is not in the installed tool");
            Assert.True(IsReadyToRun(dll), $"{name} in the installed tool holds no ReadyToRun code");
        }
        var tool = Path.Combine(toolPath, "nasnotebooks");
        var prefix = Path.Combine(_dir, "jupyter");
        var install = PythonJupyter.Run(["kernel", "install", "--prefix", prefix, "--name", "nastool"], null, TimeSpan.FromMinutes(2), tool);
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        // The kernelspec runs the tool's command (valid across `dotnet tool update`), with DOTNET_ROOT for its runtime.
        var spec = JsonNode.Parse(File.ReadAllText(Path.Combine(prefix, "share", "jupyter", "kernels", "nastool", "kernel.json")))!;
        Assert.Equal([tool, "kernel", "run", "-f", "{connection_file}"], spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(Path.GetDirectoryName(KernelSpec.DotnetHost()), spec["env"]!["DOTNET_ROOT"]!.GetValue<string>());
        var list = PythonJupyter.Run(["kernel", "list", "--prefix", prefix], null, TimeSpan.FromMinutes(2), tool);
        Assert.Contains("nastool", list.Stdout);
        Assert.DoesNotContain("broken", list.Stdout);

        var missing = PythonJupyter.MissingModules(("nbconvert", "jupyter-nbconvert"), ("nbclient", "python3-nbclient"));
        if (missing is not null) Assert.Fail(missing);
        static JsonObject Cell(string source) => new() { ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(), ["outputs"] = new JsonArray(), ["source"] = source };
        var nb = new JsonObject
        {
            ["nbformat"] = 4, ["nbformat_minor"] = 5,
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = "nastool", ["display_name"] = "C# (NasNotebooks)", ["language"] = "C#" } },
            ["cells"] = new JsonArray(
                Cell("var space = Space.Dict().OneOf(\"x\", 0, 1, 2, 3).Float(\"y\", 0, 1).Build();\nFunc<SymDict, double> f = c => (int)c[\"x\"]! - (double)c[\"y\"]!;"),
                Cell("#!nas search --space space --evaluator f --algo auto --trials 10 --study memory:"),
                Cell("#!nas best --top 2")),
        };
        var input = Path.Combine(_dir, "tool-test.ipynb");
        File.WriteAllText(input, nb.ToJsonString());
        var run = PythonJupyter.Run(["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output", "executed.ipynb", input],
            new Dictionary<string, string> { ["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter") }, TimeSpan.FromMinutes(6));
        Assert.True(run.ExitCode == 0, $"nbconvert failed:\n{run.Stdout}\n{run.Stderr}");
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "executed.ipynb")))!;
        var outputs = executed["cells"]!.AsArray().SelectMany(c => c!["outputs"]!.AsArray()).ToList();
        Assert.DoesNotContain(outputs, o => o!["output_type"]!.GetValue<string>() == "error");
        Assert.Contains(outputs, o => o!["data"]?["text/html"]?.ToJsonString().Contains("nas-table", StringComparison.Ordinal) == true);
    }

    private static bool IsReadyToRun(string path)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    [Fact]
    public void LibraryPackage_BringsTheSourceGenerator_ToAConsumerProject()
    {
        var packages = Pack();
        var consumer = Path.Combine(_dir, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestoreAdditionalProjectSources>{packages}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="NasNotebooks" Version="0.1.0" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using NasNotebooks.Dsl;
            var cell = Cell.Materialize(Cell.Spec.Random(new Random(1)));
            Console.WriteLine($"size={Cell.Spec.SpaceSize} roundtrip={Cell.Materialize(cell.Encode()).Encode() == cell.Encode()}");

            [Searchable]
            public partial class Cell
            {
                [OneOf("conv", "pool", "skip")] public string Op { get; set; } = "conv";
                [IntRange(1, 4)] public int Depth { get; set; } = 1;
            }
            """);
        var env = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-cache") };
        var run = Dotnet(env, "run", "--project", consumer);
        Assert.Contains("size=12 roundtrip=True", run.Stdout);
    }
}
