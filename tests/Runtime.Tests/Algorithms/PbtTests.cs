using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;

namespace NasNotebooks.Runtime.Tests.Algorithms;

public class PbtTests
{
    private static SpaceSpec Spec() => Space.Spec(Space.Dict().Float("lr", 1e-4, 1, Scale.Log).OneOf("opt", "sgd", "adam").Int("layers", 1, 5).Build());

    [Fact]
    public void BottomMember_ExploitsTheTop_WithPerturbedDna_AndTheDonorCheckpoint()
    {
        var spec = Spec();
        var pbt = new Pbt(spec, interval: 10, quantile: 0.25, resampleProbability: 0, seed: 1);
        for (int m = 1; m <= 4; m++) pbt.Register(m, spec.FromDictionary(new Dictionary<string, object?> { ["lr"] = 0.01 * m, ["opt"] = 1, ["layers"] = 2 }), $"ckpt-{m}-0");
        Assert.IsType<PbtDecision.Continue>(pbt.Ready(1, 5, 0.1, "ckpt-1-5")); // before the interval
        Assert.IsType<PbtDecision.Continue>(pbt.Ready(2, 10, 2, "ckpt-2-10"));
        Assert.IsType<PbtDecision.Continue>(pbt.Ready(3, 10, 3, "ckpt-3-10"));
        Assert.IsType<PbtDecision.Continue>(pbt.Ready(4, 10, 4, "ckpt-4-10"));
        var d = Assert.IsType<PbtDecision.Exploit>(pbt.Ready(1, 10, 1, "ckpt-1-10"));
        Assert.Equal(4, d.FromMember);
        Assert.Equal("ckpt-4-10", d.Checkpoint);
        var values = spec.ToDictionary(d.NewDna);
        Assert.Contains(Math.Round((double)values["lr"]!, 10), new[] { 0.032, 0.048 });
        Assert.Equal(1, values["opt"]); // resample probability 0: categorical kept
        Assert.Contains(values["layers"], new object?[] { 1, 3 }); // ordinal: one step from index 2
        Assert.Equal(d.NewDna, pbt.DnaOf(1));
        // Not again before another interval.
        Assert.IsType<PbtDecision.Continue>(pbt.Ready(1, 15, 0, null));
    }

    [Fact]
    public void Explore_ClipsFloatsToTheirRange_AndResamplesCategoricals()
    {
        var spec = Spec();
        var pbt = new Pbt(spec, resampleProbability: 1, seed: 2);
        var top = spec.FromDictionary(new Dictionary<string, object?> { ["lr"] = 1.0, ["opt"] = 0, ["layers"] = 0 });
        var seenOpt = new HashSet<object?>();
        for (int i = 0; i < 50; i++)
        {
            var e = pbt.Explore(top);
            spec.Validate(e);
            var v = spec.ToDictionary(e);
            Assert.InRange((double)v["lr"]!, 0.8 - 1e-12, 1.0);
            seenOpt.Add(v["opt"]);
        }
        Assert.Equal(2, seenOpt.Count);
    }

    [Fact]
    public void UnknownMember_AndBadRewards_AreClearErrors()
    {
        var pbt = new Pbt(Spec());
        pbt.AddMember(1);
        Assert.Contains("Member 7", Assert.Throws<ArgumentException>(() => pbt.Ready(7, 1, 0)).Message);
        Assert.Throws<ArgumentException>(() => pbt.Register(1, pbt.DnaOf(1)));
        Assert.Equal("reward", Assert.Throws<ArgumentException>(() => pbt.Ready(1, 1, double.NaN)).ParamName);
    }
}
