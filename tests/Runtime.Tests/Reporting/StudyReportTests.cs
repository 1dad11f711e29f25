using System.Text.Json.Nodes;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Runtime.Tests.Reporting;

public class StudyReportTests
{
    private static readonly SpaceSpec Spec = Space.Spec(Space.Dict()
        .Add("op", Hyper.OneOf("conv", "pool", "<skip>").Named("op"))
        .Add("noise", Hyper.OneOf(1, 2).Named("noise"))
        .Build());

    private static Trial Done(int id, string dna, params double[] reward) =>
        new() { Id = id, Dna = Dna.Parse(dna), Status = TrialStatus.Completed, FinalReward = new Reward(reward) };

    [Fact]
    public void ProgressChart_HasTrialsAndBestSoFar()
    {
        var trials = new[] { Done(1, "[0,0]", 0.5), Done(2, "[1,0]", 0.3), Done(3, "[2,1]", 0.9), new Trial { Id = 4, Dna = Dna.Parse("[0,1]"), Status = TrialStatus.Failed, Reason = "NaN loss" } };
        var fig = new StudyReport(trials, Spec).ProgressChart();
        var best = fig.Data[1]!["y"]!.AsArray().Select(v => v!.GetValue<double>());
        Assert.Equal(new[] { 0.5, 0.5, 0.9 }, best);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, fig.Data[0]!["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        var json = JsonNode.Parse(fig.ToJson())!;
        Assert.NotNull(json["data"]);
        Assert.Equal("Search progress", json["layout"]!["title"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Tables_ShowDecisionsByName_AndEscapeHtml()
    {
        var trials = new[] { Done(1, "[2,0]", 0.5), new Trial { Id = 2, Dna = Dna.Parse("[0,1]"), Status = TrialStatus.Failed, Reason = "bad <input>" } };
        var report = new StudyReport(trials, Spec);
        var html = report.ToHtmlTable();
        Assert.Contains("<th>op</th>", html);
        Assert.Contains("&lt;skip&gt;", html);
        Assert.Contains("bad &lt;input&gt;", html);
        Assert.DoesNotContain("<skip>", html);
        var text = report.ToTextTable();
        Assert.StartsWith("trial  status", text);
        Assert.Contains("failed", text);
        Assert.Equal(1, report.Best()[0].Id);
    }

    [Fact]
    public void Importance_RanksTheDecisiveDecisionFirst()
    {
        var rng = new Random(1);
        var trials = Enumerable.Range(1, 60).Select(i =>
        {
            var dna = Spec.Random(rng);
            double reward = dna.Children[0].Index * 1.0 + rng.NextDouble() * 0.1;
            return new Trial { Id = i, Dna = dna, Status = TrialStatus.Completed, FinalReward = reward };
        }).ToList();
        var imp = new StudyReport(trials, Spec).ParameterImportance();
        Assert.Equal("op", imp[0].Decision);
        Assert.True(imp[0].Importance > 0.9);
        Assert.True(imp[1].Importance < 0.1);
    }

    [Fact]
    public void ParetoFront_IsExact()
    {
        var trials = new[] { Done(1, "[0,0]", 0.9, -10), Done(2, "[0,1]", 0.8, -5), Done(3, "[1,0]", 0.7, -8), Done(4, "[1,1]", 0.95, -20), Done(5, "[2,0]", 0.5, -1) };
        var report = new StudyReport(trials, Spec, ["accuracy", "-params"]);
        Assert.Equal(new[] { 1, 2, 4, 5 }, report.ParetoFront().Select(t => t.Id));
        var chart = report.ParetoChart();
        Assert.Equal(new[] { 0.5, 0.8, 0.9, 0.95 }, chart.Data[1]!["x"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal("accuracy", chart.Layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.True(StudyReport.Dominates(new Reward(1, 1), new Reward(1, 0)));
        Assert.False(StudyReport.Dominates(new Reward(1, 1), new Reward(1, 1)));
    }

    [Fact]
    public void ParallelCoordinates_HasOneDimensionPerDecisionPlusReward()
    {
        var fig = new StudyReport([Done(1, "[0,0]", 0.5), Done(2, "[2,1]", 0.7)], Spec).ParallelCoordinates();
        var dims = fig.Data[0]!["dimensions"]!.AsArray();
        Assert.Equal(new[] { "op", "noise", "reward" }, dims.Select(d => d!["label"]!.GetValue<string>()));
        Assert.Equal(new[] { "conv", "pool", "<skip>" }, dims[0]!["ticktext"]!.AsArray().Select(v => v!.GetValue<string>()));
    }
}

public class PlotlyFigureTests
{
    [Fact]
    public void NonFiniteNumbers_BecomeNullGaps()
    {
        var fig = new PlotlyFigure(new JsonArray { new JsonObject { ["y"] = PlotlyFigure.Numbers([1, double.NaN, double.PositiveInfinity]) } }, PlotlyFigure.LayoutWith("t"));
        Assert.Equal("{\"data\":[{\"y\":[1,null,null]}],\"layout\":{\"title\":{\"text\":\"t\"},\"template\":\"plotly_white\",\"margin\":{\"t\":50,\"r\":20}}}", fig.ToJson());
    }
}
