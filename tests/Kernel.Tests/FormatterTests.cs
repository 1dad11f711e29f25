using NasNotebooks.Magics;
namespace NasNotebooks.Kernel.Tests;

public sealed record Trial(int Id, string Name, double Reward);

public sealed class Badge : IHtmlFormattable
{
    public string ToHtml() => "<span class=\"badge\">ok</span>";
}

public sealed class Custom
{
    public override string ToString() => "custom!";
}

/// <summary>
/// The formatter registry and the "plotly.js already sent in this session" flag are process-wide, and other
/// test classes render charts in-process: this collection runs alone, after the parallel ones, so that no other
/// test can emit a chart between a test's <c>PlotlyFormatter.ResetSession()</c> and its first chart.
/// </summary>
[CollectionDefinition("Formatter registry", DisableParallelization = true)]
public sealed class FormatterRegistryCollection;

[Collection("Formatter registry")]
public sealed class FormatterTests
{
    [Fact]
    public void SequenceOfRecords_IsHtmlTableWithEscapedCells()
    {
        var rows = new[] { new Trial(1, "<script>alert(1)</script>", 0.5), new Trial(2, "a & \"b\"", 0.75) };
        var bundle = Formatter.ToMimeBundle(rows);
        var html = bundle.GetText("text/html")!;
        Assert.Equal(
            "<table class=\"nas-table\"><thead><tr><th><i>index</i></th><th>Id</th><th>Name</th><th>Reward</th></tr></thead><tbody>" +
            "<tr><td>0</td><td>1</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>0.5</td></tr>" +
            "<tr><td>1</td><td>2</td><td>a &amp; &quot;b&quot;</td><td>0.75</td></tr>" +
            "</tbody></table>", html);
        Assert.DoesNotContain("<script>", html);
        Assert.Equal("[Trial { Id = 1, Name = <script>alert(1)</script>, Reward = 0.5 }, Trial { Id = 2, Name = a & \"b\", Reward = 0.75 }]",
            bundle.GetText("text/plain"));
    }

    [Fact]
    public void SequenceOfScalars_IsSingleColumnTable()
    {
        var html = Formatter.ToMimeBundle(new List<int> { 3, 4 }).GetText("text/html");
        Assert.Equal("<table class=\"nas-table\"><thead><tr><th><i>index</i></th><th>value</th></tr></thead><tbody>" +
                     "<tr><td>0</td><td>3</td></tr><tr><td>1</td><td>4</td></tr></tbody></table>", html);
    }

    [Fact]
    public void AnonymousObjects_UseTheirProperties_AndHeadersAreEscaped()
    {
        var html = Formatter.ToMimeBundle(new[] { new { A = 1, B = "<x>" } }).GetText("text/html")!;
        Assert.Contains("<th>A</th><th>B</th>", html);
        Assert.Contains("<td>&lt;x&gt;</td>", html);
    }

    [Fact]
    public void LongSequences_AreTruncated()
    {
        var old = Formatter.MaxTableRows;
        try
        {
            Formatter.MaxTableRows = 3;
            var html = Formatter.ToMimeBundle(Enumerable.Range(0, 10).Select(i => new Trial(i, "n", i))).GetText("text/html")!;
            Assert.Equal(3, html.Split("<tr><td>").Length - 1);
            Assert.Contains("only the first 3 rows", html);
        }
        finally
        {
            Formatter.MaxTableRows = old;
        }
    }

    [Fact]
    public void SequenceOfDictionaries_HasOneColumnPerKey()
    {
        // As '#!nas status --study' shows the studies of a store (a list of rows keyed by column name).
        var rows = new List<Dictionary<string, object?>>
        {
            new() { ["study"] = "a<b", ["trials"] = 12, ["best"] = null },
            new() { ["study"] = "c", ["trials"] = 3, ["note"] = "x" },
        };
        var html = Formatter.ToMimeBundle(rows).GetText("text/html");
        Assert.Equal("<table class=\"nas-table\"><thead><tr><th><i>index</i></th><th>study</th><th>trials</th><th>best</th><th>note</th></tr></thead><tbody>" +
                     "<tr><td>0</td><td>a&lt;b</td><td>12</td><td>null</td><td></td></tr>" +
                     "<tr><td>1</td><td>c</td><td>3</td><td></td><td>x</td></tr></tbody></table>", html);
    }

    [Fact]
    public void Dictionary_IsKeyValueTable()
    {
        var html = Formatter.ToMimeBundle(new Dictionary<string, int> { ["a<"] = 1 }).GetText("text/html");
        Assert.Equal("<table class=\"nas-table\"><thead><tr><th><i>key</i></th><th>value</th></tr></thead><tbody><tr><td>a&lt;</td><td>1</td></tr></tbody></table>", html);
    }

    [Fact]
    public void Scalars_HavePlainTextOnly()
    {
        var b = Formatter.ToMimeBundle(1.5);
        Assert.Equal(["text/plain"], b.MimeTypes);
        Assert.Equal("1.5", b.GetText("text/plain"));
        Assert.Equal("hello", Formatter.ToMimeBundle("hello").GetText("text/plain"));
        Assert.Equal("null", Formatter.ToMimeBundle(null).GetText("text/plain"));
        Assert.Equal("true", Formatter.ToPlainText(true));
        Assert.False(Formatter.ToMimeBundle("text").Contains("text/html"));
    }

    [Fact]
    public void HtmlFormattable_IsUsedVerbatim()
    {
        Assert.Equal("<span class=\"badge\">ok</span>", Formatter.ToMimeBundle(new Badge()).GetText("text/html"));
    }

    [Fact]
    public void RegisteredFormatter_TakesPrecedence_AndCanBeReset()
    {
        try
        {
            Formatter.Register<Custom>("text/html", c => "<b>" + Formatter.HtmlEncode(c.ToString()) + "</b>");
            Formatter.RegisterPlainText<Custom>(_ => "plain custom");
            var b = Formatter.ToMimeBundle(new Custom());
            Assert.Equal("<b>custom!</b>", b.GetText("text/html"));
            Assert.Equal("plain custom", b.GetText("text/plain"));
            Formatter.Register<IEnumerable<Trial>>((v, bundle) => bundle.Set("text/markdown", $"{v.Count()} trials"));
            Assert.Equal("1 trials", Formatter.ToMimeBundle(new[] { new Trial(1, "a", 1) }).GetText("text/markdown"));
        }
        finally
        {
            Formatter.ResetRegistrations();
        }
        Assert.Null(Formatter.ToMimeBundle(new Custom()).GetText("text/html"));
        Assert.Equal("custom!", Formatter.ToPlainText(new Custom()));
    }

    [Fact]
    public void PlotlyJs_IsEmbeddedInPlotlyNet()
    {
        var name = PlotlyFormatter.FindResourceName(typeof(Plotly.NET.GenericChart).Assembly);
        Assert.NotNull(name);
        Assert.Matches(@"^Plotly\.NET\.plotly-\d+\.\d+\.\d+\.min\.js$", name);
        Assert.True(PlotlyFormatter.PlotlyJs().Length > 1_000_000);
    }

    [Fact]
    public void PlotlyChart_BundleHasHtmlAndPlotlyJson_ScriptInlinedOnce()
    {
        PlotlyFormatter.ResetSession();
        var chart = Plotly.NET.CSharp.Chart.Point<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 });
        var first = Formatter.ToMimeBundle(chart);
        var second = Formatter.ToMimeBundle(chart);
        Assert.Equal("Plotly.NET chart", first.GetText("text/plain"));
        var json = first.GetJson("application/vnd.plotly.v1+json")!;
        Assert.Equal("scatter", json["data"]![0]!["type"]!.GetValue<string>());
        Assert.True(first.GetText("text/html")!.Length > 1_000_000);
        Assert.True(second.GetText("text/html")!.Length < 100_000);
        Assert.Contains("Plotly.newPlot", second.GetText("text/html"));
        Assert.DoesNotContain("src=", second.GetText("text/html"));
    }
}
