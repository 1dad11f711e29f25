using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Tests.Polyglot;

/// <summary>A Polyglot .dib is converted with the kernel's `convert` command and the result runs under nbconvert.</summary>
public sealed class ConvertAndRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nas-convert-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private const string Dib = """
#!meta

{"kernelInfo":{"defaultKernelName":"csharp","items":[{"name":"csharp"},{"name":"fsharp"}]}}

#!markdown

# A Polyglot notebook

#!csharp

var numbers = new List<int> { 1, 2, 3 };
Console.WriteLine($"C# sum {numbers.Sum()}");

#!fsharp

#!share --from csharp numbers
numbers.Add 4
printfn "F# count %d" numbers.Count

#!value --name config

{"trials": 5}

#!csharp

#!set --name config --value @value:config
Console.WriteLine($"C# sees {numbers.Count} numbers and config {config}");

#!html

<b>done</b>
""";

    [Fact]
    public void ConvertedDib_RunsUnderNbconvert_WithoutErrors()
    {
        var missing = PythonJupyter.MissingModules(("nbconvert", "jupyter-nbconvert"), ("nbclient", "python3-nbclient"));
        if (missing is not null) Assert.Fail(missing);
        var dib = Path.Combine(_dir, "polyglot.dib");
        File.WriteAllText(dib, Dib);
        var converted = Path.Combine(_dir, "converted.ipynb");
        var convert = PythonJupyter.Run([PythonJupyter.KernelDll, "convert", dib, "--output", converted], null, TimeSpan.FromMinutes(2), "dotnet");
        Assert.True(convert.ExitCode == 0, convert.Stdout + convert.Stderr);
        var back = Path.Combine(_dir, "back.dib");
        Assert.Equal(0, PythonJupyter.Run([PythonJupyter.KernelDll, "convert", converted, "--to", "dib", "--output", back], null, TimeSpan.FromMinutes(2), "dotnet").ExitCode);
        Assert.Equal(NasNotebooks.Kernel.Polyglot.NotebookConverter.ReadDib(Dib), NasNotebooks.Kernel.Polyglot.NotebookConverter.ReadDib(File.ReadAllText(back)));

        var prefix = Path.Combine(_dir, "prefix");
        var install = PythonJupyter.Run([PythonJupyter.KernelDll, "kernel", "install", "--prefix", prefix, "--name", "nasnotebooks"], null, TimeSpan.FromMinutes(2), "dotnet");
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        var run = PythonJupyter.Run(["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output", "executed.ipynb", converted],
            new Dictionary<string, string> { ["JUPYTER_PATH"] = Path.Combine(prefix, "share", "jupyter") }, TimeSpan.FromMinutes(6));
        Assert.True(run.ExitCode == 0, $"nbconvert failed:\n{run.Stdout}\n{run.Stderr}");
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "executed.ipynb")))!;
        var cells = executed["cells"]!.AsArray();
        Assert.Equal("markdown", cells[0]!["cell_type"]!.GetValue<string>());
        var outputs = cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code").SelectMany(c => c!["outputs"]!.AsArray()).ToList();
        Assert.DoesNotContain(outputs, o => o!["output_type"]!.GetValue<string>() == "error");
        string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n?.GetValue<string>() ?? "";
        var streams = string.Concat(outputs.Where(o => o!["output_type"]!.GetValue<string>() == "stream").Select(o => Text(o!["text"])));
        Assert.Contains("C# sum 6", streams);
        Assert.Contains("F# count 4", streams);
        Assert.Contains("C# sees 4 numbers and config {\"trials\": 5}", streams);
        Assert.Contains(outputs, o => Text(o!["data"]?["text/html"]) == "<b>done</b>");
    }
}
