using Microsoft.DotNet.Interactive.Formatting;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Runtime.Tests.Interop;

/// <summary>The result types render as HTML in .NET Interactive's formatter through the by-name attribute convention.</summary>
public class InteractiveFormatterTests
{
    private static Trial Done(int id, double reward) =>
        new() { Id = id, Dna = Dna.Leaf(id), Status = TrialStatus.Completed, FinalReward = reward };

    [Fact]
    public void SearchResult_Trial_AndCharts_FormatAsHtml_InDotNetInteractive()
    {
        var result = new SearchResult("study-x", [Done(1, 0.5), Done(2, 0.9)], StopReason.MaxTrials, TimeSpan.FromSeconds(3));
        var html = result.ToDisplayString("text/html");
        Assert.Contains("study-x", html);
        Assert.Contains("<table class=\"nas-table\">", html);
        Assert.Contains("<td>0.9</td>", html);

        Assert.Contains("<table class=\"nas-table\">", Done(3, 0.7).ToDisplayString("text/html"));
        var chart = new StudyReport(result.Trials).ProgressChart().ToDisplayString("text/html");
        Assert.Contains("Plotly.newPlot", chart);
        Assert.Contains("best so far", chart);
    }
}
