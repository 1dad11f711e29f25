using System.Text.Json.Nodes;
using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Reporting;

namespace NasNotebooks.Runtime.Tests.Reporting;

/// <summary>The dashboard's extra charts: intermediate values (pruned trials marked) and slices per decision.</summary>
public class StudyReportChartsTests
{
    private static readonly SpaceSpec Spec = Space.Spec(Space.Dict()
        .OneOf("width", 16, 32, 64)
        .OneOf("act", "relu", "gelu")
        .Float("lr", 1e-4, 1e-1, Scale.Log)
        .Float("drop", 0.0, 0.5)
        .Build());

    private static Measurement M(int step, double reward) => new(step, reward, new Dictionary<string, double>(), step);

    private static Trial T(int id, string dna, TrialStatus status, double? reward, params Measurement[] ms) =>
        new() { Id = id, Dna = Dna.Parse(dna), Status = status, FinalReward = reward is null ? null : new Reward(reward.Value), Measurements = ms };

    private static readonly Trial[] Trials =
    [
        T(1, "[0,0,0.001,0.1]", TrialStatus.Completed, 0.5, M(1, 0.3), M(2, 0.5)),
        T(2, "[2,1,0.01,0.2]", TrialStatus.Skipped, null, M(2, 0.2), M(1, 0.1)),
        T(3, "[1,1,0.05,0.3]", TrialStatus.Completed, 0.9),
        T(4, "[1,0,0.002,0.4]", TrialStatus.Failed, null, M(1, 0.4)),
    ];

    private static double[] Nums(JsonNode? a) => a!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static string[] Strs(JsonNode? a) => a!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

    [Fact]
    public void Pruned_means_skipped_after_reporting()
    {
        Assert.Equal([false, true, false, false], Trials.Select(StudyReport.IsPruned));
        Assert.False(StudyReport.IsPruned(T(9, "[0,0,0.001,0.1]", TrialStatus.Skipped, null)));
    }

    [Fact]
    public void Intermediate_values_draw_one_line_per_reporting_trial_with_pruned_ones_dashed()
    {
        var fig = new StudyReport(Trials, Spec).IntermediateValuesChart();
        Assert.Equal("Intermediate values", fig.Title);
        Assert.Equal("step", fig.Layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(1, fig.Layout["xaxis"]!["dtick"]!.GetValue<int>());
        Assert.Equal("accuracy", new StudyReport(Trials, Spec, ["accuracy"]).IntermediateValuesChart().Layout["yaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(["trial 1", "trial 2 (pruned)", "trial 4"], fig.Data.Select(d => d!["name"]!.GetValue<string>()));
        var pruned = fig.Data[1]!;
        Assert.Equal([1.0, 2.0], Nums(pruned["x"]));
        Assert.Equal([0.1, 0.2], Nums(pruned["y"]));
        Assert.Equal("dash", pruned["line"]!["dash"]!.GetValue<string>());
        Assert.Equal(["circle", "x"], Strs(pruned["marker"]!["symbol"]));
        Assert.Equal("solid", fig.Data[0]!["line"]!["dash"]!.GetValue<string>());
        Assert.Equal(["circle", "circle"], Strs(fig.Data[0]!["marker"]!["symbol"]));
        Assert.Equal(["trial 4"], new StudyReport(Trials, Spec).IntermediateValuesChart([Trials[3], Trials[2]]).Data.Select(d => d!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Slices_plot_the_reward_of_completed_trials_against_each_decision()
    {
        var report = new StudyReport(Trials, Spec);
        Assert.Equal(["width", "act", "lr", "drop"], report.DecisionNames());
        var slices = report.SliceCharts();
        Assert.Equal(["Slice: width", "Slice: act", "Slice: lr", "Slice: drop"], slices.Select(s => s.Title));

        var width = slices[0];
        Assert.Equal("category", width.Layout["xaxis"]!["type"]!.GetValue<string>());
        Assert.Equal(["16", "32", "64"], Strs(width.Layout["xaxis"]!["categoryarray"]));
        Assert.Equal(["16", "32"], Strs(width.Data[0]!["x"]));
        Assert.Equal([0.5, 0.9], Nums(width.Data[0]!["y"]));
        Assert.Equal(["trial 1", "trial 3"], Strs(width.Data[0]!["text"]));
        Assert.Equal("reward", width.Layout["yaxis"]!["title"]!["text"]!.GetValue<string>());

        Assert.Equal(["relu", "gelu"], Strs(slices[1].Data[0]!["x"]));
        Assert.Equal("log", slices[2].Layout["xaxis"]!["type"]!.GetValue<string>());
        Assert.Equal([0.001, 0.05], Nums(slices[2].Data[0]!["x"]));
        Assert.Null(slices[3].Layout["xaxis"]!["type"]);
        Assert.Equal([0.1, 0.3], Nums(slices[3].Data[0]!["x"]));
        Assert.Equal("lr", slices[2].Layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
    }
}
