using System.Text.Json.Nodes;
using NasNotebooks.Kernel.Polyglot;

namespace NasNotebooks.Kernel.Tests.Polyglot;

public class NotebookConverterTests
{
    private const string Dib = """
#!meta

{"kernelInfo":{"defaultKernelName":"csharp","items":[{"name":"csharp"},{"name":"fsharp"}]}}

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

{"a": 1}

#!pwsh

Get-Date
""";

    [Fact]
    public void Dib_ToIpynb_KeepsEveryCellKind_AndReportsUnknownOnes()
    {
        var cells = NotebookConverter.ReadDib(Dib);
        Assert.Equal(new[] { "markdown", "csharp", "fsharp", "html", "javascript", "value", "pwsh" }, cells.Select(c => c.Kind));
        Assert.Equal("var x = 40;\n#!nas help", cells[1].Source);
        var result = NotebookConverter.WriteIpynb(cells);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("#!pwsh", warning);
        var nb = JsonNode.Parse(result.Text)!.AsObject();
        Assert.Equal("nasnotebooks", nb["metadata"]!["kernelspec"]!["name"]!.GetValue<string>());
        var outCells = nb["cells"]!.AsArray();
        Assert.Equal("markdown", outCells[0]!["cell_type"]!.GetValue<string>());
        string Src(int i) => string.Concat(outCells[i]!["source"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.StartsWith("var x = 40;", Src(1));
        Assert.StartsWith("#!fsharp\nlet y = 2", Src(2));
        Assert.StartsWith("#!html\n", Src(3));
        Assert.StartsWith("#!pwsh\n", Src(6));
    }

    [Fact]
    public void Ipynb_ToDib_AndBack_RoundTripsCells()
    {
        var cells = NotebookConverter.ReadDib(Dib);
        var ipynb = NotebookConverter.WriteIpynb(cells).Text;
        var back = NotebookConverter.ReadIpynb(ipynb);
        Assert.Equal(cells, back);
        var dib = NotebookConverter.WriteDib(back).Text;
        Assert.Equal(cells, NotebookConverter.ReadDib(dib));
    }

    [Fact]
    public void PolyglotIpynb_UsesCellMetadataForTheLanguage()
    {
        var polyglot = new JsonObject
        {
            ["cells"] = new JsonArray(
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "fsharp" } }, ["source"] = new JsonArray("let a = 1\n", "a + 1") },
                new JsonObject { ["cell_type"] = "code", ["metadata"] = new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" } }, ["source"] = "1 + 1" },
                new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = "# hi" },
                new JsonObject { ["cell_type"] = "raw", ["metadata"] = new JsonObject(), ["source"] = "raw text" }),
            ["metadata"] = new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelInfo"] = new JsonObject { ["defaultKernelName"] = "csharp" } } },
            ["nbformat"] = 4, ["nbformat_minor"] = 4,
        };
        var warnings = new List<string>();
        var cells = NotebookConverter.ReadIpynb(polyglot.ToJsonString(), warnings);
        Assert.Equal(new[] { "fsharp", "csharp", "markdown", "raw:raw" }, cells.Select(c => c.Kind));
        Assert.Equal("let a = 1\na + 1", cells[0].Source);
        Assert.Contains("raw", Assert.Single(warnings));
    }

    [Fact]
    public void Convert_ReportsMissingAndForeignFiles()
    {
        Assert.Throws<FileNotFoundException>(() => NotebookConverter.Convert("/no/such/file.dib", toDib: false));
        var path = Path.Combine(Path.GetTempPath(), $"nb-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(path, "not json");
        try { Assert.Throws<FormatException>(() => NotebookConverter.Convert(path, toDib: true)); }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("#!fsharp\nlet x = 1", CellLanguage.FSharp, "", "let x = 1", 1)]
    [InlineData("#!f#\nlet x = 1", CellLanguage.FSharp, "", "let x = 1", 1)]
    [InlineData("#!value --name data\n{}", CellLanguage.Value, "--name data", "{}", 1)]
    [InlineData("var x = 1;", CellLanguage.CSharp, "", "var x = 1;", 0)]
    [InlineData("#!nas help", CellLanguage.CSharp, "", "#!nas help", 0)]
    [InlineData("\n#!js\nalert(1)", CellLanguage.JavaScript, "", "alert(1)", 2)]
    public void CellLanguages_SplitTheFirstLineMagic(string cell, CellLanguage lang, string args, string body, int offset)
    {
        var split = CellLanguages.Split(cell);
        Assert.Equal((lang, args, body, offset), split);
    }
}
