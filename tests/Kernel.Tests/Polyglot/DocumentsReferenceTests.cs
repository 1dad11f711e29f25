using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using NasNotebooks.Kernel.Polyglot;
using ReferenceKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace NasNotebooks.Kernel.Tests.Polyglot;

/// <summary>
/// The converter checked against the format's reference implementation: the same .dib and .ipynb files parsed by
/// Microsoft.DotNet.Interactive.Documents (1.0.0-beta.26120.1, what dotnet-interactive 1.0.712001 uses) and by
/// <see cref="NotebookConverter"/> give the same cells, kernel names, magic arguments and default kernel, and the
/// .dib files the converter writes read back the same in the reference.
/// </summary>
public sealed class DocumentsReferenceTests
{
    /// <summary>The kernels of a dotnet-interactive session (names and aliases as the tool reports them).</summary>
    private static KernelInfoCollection Kernels(string defaultKernel = "csharp") => new KernelInfoCollection
    {
        new ReferenceKernelInfo("csharp", "C#", ["c#", "C#"]),
        new ReferenceKernelInfo("fsharp", "F#", ["f#", "F#"]),
        new ReferenceKernelInfo("pwsh", "PowerShell", ["powershell"]),
        new ReferenceKernelInfo("javascript", "JavaScript", ["js"]),
        new ReferenceKernelInfo("html", "HTML"),
        new ReferenceKernelInfo("value"),
        new ReferenceKernelInfo("mermaid", "Mermaid"),
        new ReferenceKernelInfo("sql", "SQL"),
        new ReferenceKernelInfo("markdown", "Markdown", ["md"]),
    } .WithDefault(defaultKernel);

    private const string Dib = """
#!meta

{"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"},{"aliases":[],"languageName":"F#","name":"fsharp"}]}}

#!markdown

# Title
Some *text*.

#!csharp

var x = 40;
#!nas help

#!fsharp

let y = 2

#!html

<b>bold</b>

#!javascript

console.log(1)

#!value

#!value --name data
{"a": 1}

#!pwsh

Get-Date

#!c#

#!nas search --space space --evaluator f --trials 3

#!f#

printfn "%d" y

#!js

alert(1)

#!mermaid

graph TD; A-->B
""";

    private const string FSharpDefaultDib = """
#!meta

{"kernelInfo":{"defaultKernelName":"fsharp","items":[{"aliases":[],"name":"fsharp"},{"aliases":[],"name":"csharp"}]}}

#!fsharp

let a = 1

#!csharp

var b = 2;
""";

    private const string PolyglotIpynb = """
{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "fsharp"}}, "outputs": [], "source": ["let a = 1\n", "a + 1"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"dotnet_interactive": {"language": "csharp"}}, "outputs": [], "source": "1 + 1"},
  {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": ["#!fsharp\n", "let b = 2"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "value"}}, "outputs": [], "source": ["#!value --name data\n", "{\"a\": 1}"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "outputs": [], "source": ["#!nas search --space s --evaluator e\n", "var after = 1;"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "var defaultKernel = true;"}
 ],
 "metadata": {
  "kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"},
  "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}, {"aliases": [], "name": "fsharp"}]}}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
""";

    /// <summary>A reference element as kind, magic arguments and body (a first line naming the element's kernel is its selector).</summary>
    private static (string Kind, string Arguments, string Source) Normalize(InteractiveDocumentElement e, KernelInfoCollection kernels, string defaultKernel)
    {
        // A cell without a kernel runs in the notebook's default kernel.
        var kind = string.IsNullOrEmpty(e.KernelName) ? defaultKernel : e.KernelName;
        var text = e.Contents.Replace("\r\n", "\n");
        var eol = text.IndexOf('\n');
        var first = eol < 0 ? text : text[..eol];
        if (first.StartsWith("#!", StringComparison.Ordinal))
        {
            var word = first[2..].Split(' ', 2)[0];
            if (kernels.FirstOrDefault(k => k.Name == word || k.Aliases.Contains(word)) is { } k && k.Name == kind)
            {
                return (kind, first.Contains(' ') ? first[(first.IndexOf(' ') + 1)..].Trim() : "", Trim(eol < 0 ? "" : text[(eol + 1)..]));
            }
        }
        return (kind, "", Trim(text));
    }

    private static string Trim(string s) => s.Replace("\r\n", "\n").Trim('\n');

    private static (string Kind, string Arguments, string Source)[] Ours(IEnumerable<NotebookConverter.Cell> cells) =>
        cells.Select(c => (c.Kind, c.Arguments, Trim(c.Source))).ToArray();

    private static (string Kind, string Arguments, string Source)[] Reference(InteractiveDocument doc, KernelInfoCollection kernels) =>
        doc.Elements.Select(e => Normalize(e, kernels, DefaultKernel(doc) ?? doc.GetDefaultKernelName() ?? "csharp")).ToArray();

    [Theory]
    [InlineData(Dib)]
    [InlineData(FSharpDefaultDib)]
    public void Dib_CellsKernelsAndArguments_AreTheReferences(string dib)
    {
        var kernels = Kernels();
        var reference = CodeSubmission.Parse(dib, kernels);
        Assert.Equal(Reference(reference, kernels), Ours(NotebookConverter.ReadDib(dib)));
    }

    [Fact]
    public void Dib_DefaultKernelMetadata_IsReadAsTheReferenceReadsIt()
    {
        // The converter only needs the kernel of each cell (every .dib cell has a selector); the metadata agrees.
        var reference = CodeSubmission.Parse(FSharpDefaultDib, Kernels());
        Assert.Equal("fsharp", reference.GetDefaultKernelName());
        Assert.Equal(["fsharp", "csharp"], reference.GetKernelInfo()!.Select(k => k.Name));
        Assert.Equal(["fsharp", "csharp"], NotebookConverter.ReadDib(FSharpDefaultDib).Select(c => c.Kind));
    }

    [Fact]
    public void Dib_ValueCellWithArgumentsOnItsFirstLine_IsOneCell_AsInTheReference()
    {
        const string dib = "#!value\n\n#!value --name data\n{\"a\": 1}\n\n#!csharp\n\n1\n";
        var cells = NotebookConverter.ReadDib(dib);
        Assert.Equal([new NotebookConverter.Cell("value", "{\"a\": 1}", "--name data"), new NotebookConverter.Cell("csharp", "1")], cells);
        Assert.Equal(dib, NotebookConverter.WriteDib(cells).Text[(NotebookConverter.WriteDib(cells).Text.IndexOf("#!value", StringComparison.Ordinal))..].Replace("1\n\n", "1\n"));
    }

    [Fact]
    public void Ipynb_CellsKernelsAndArguments_AreTheReferences()
    {
        var kernels = Kernels();
        var reference = Notebook.Parse(PolyglotIpynb, kernels);
        Assert.Equal("csharp", DefaultKernel(reference));
        Assert.Equal(Reference(reference, kernels), Ours(NotebookConverter.ReadIpynb(PolyglotIpynb)));
    }

    [Fact]
    public void Notebook09_IsReadAsTheReferenceReadsIt()
    {
        var path = Path.Combine(RepoRoot(), "notebooks", "09-dotnet-interactive.ipynb");
        var json = File.ReadAllText(path);
        var kernels = Kernels();
        var reference = Notebook.Parse(json, kernels);
        Assert.Equal("csharp", DefaultKernel(reference));
        Assert.Equal(".net-csharp", System.Text.Json.JsonSerializer.SerializeToNode(reference.Metadata)!["kernelspec"]!["name"]!.GetValue<string>());
        var ours = Ours(NotebookConverter.ReadIpynb(json));
        Assert.Equal(Reference(reference, kernels), ours);
        Assert.Equal(2, ours.Count(c => c.Kind == "fsharp"));
    }

    [Theory]
    [InlineData(Dib)]
    [InlineData(PolyglotIpynb)]
    public void WrittenDib_ReadsBackInTheReference_AsTheSameCells(string input)
    {
        var cells = input.TrimStart().StartsWith('{') ? NotebookConverter.ReadIpynb(input) : NotebookConverter.ReadDib(input);
        var dib = NotebookConverter.WriteDib(cells).Text;
        var kernels = Kernels();
        var reference = CodeSubmission.Parse(dib, kernels);
        Assert.Equal(Ours(cells), Reference(reference, kernels));
        Assert.Equal("csharp", reference.GetDefaultKernelName());
    }

    /// <summary>The default kernel an .ipynb's Polyglot metadata names, as the reference reads the metadata.</summary>
    private static string? DefaultKernel(InteractiveDocument doc) =>
        System.Text.Json.JsonSerializer.SerializeToNode(doc.Metadata)!["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>();

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NasNotebooks.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("NasNotebooks.sln not found");
    }
}

internal static class KernelInfoCollectionExtensions
{
    public static KernelInfoCollection WithDefault(this KernelInfoCollection kernels, string name)
    {
        kernels.DefaultKernelName = name;
        return kernels;
    }
}
