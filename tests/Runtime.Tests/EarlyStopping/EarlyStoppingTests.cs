using NasNotebooks.Dsl;
using NasNotebooks.Runtime.EarlyStopping;

namespace NasNotebooks.Runtime.Tests.EarlyStopping;

public class EarlyStoppingTests
{
    private static readonly IReadOnlyDictionary<string, double> NoMetrics = new Dictionary<string, double>();

    private static Measurement M(int step, double value) => new(step, value, NoMetrics, step);

    private static Trial T(int id, params (int Step, double Value)[] ms) => new()
    {
        Id = id,
        Dna = Dna.Leaf(0),
        Status = TrialStatus.Pending,
        Measurements = ms.Select(m => M(m.Step, m.Value)).ToList(),
    };

    [Fact]
    public void Asha_Rungs_AreMinResourceTimesEtaPowers()
    {
        Assert.Equal(new[] { 1, 3, 9, 27, 81 }, new Asha(1, 3).Rungs(100));
        Assert.Equal(new[] { 3, 9, 27 }, new Asha(1, 3, minEarlyStoppingRate: 1, maxResource: 81).Rungs(100));
        Assert.Equal(new[] { 2, 4, 8 }, new SuccessiveHalving(2, 2).Rungs(10));
    }

    [Fact]
    public void Asha_StopsExactlyTheBadHalf_WithEta2()
    {
        // 20 trials reached rung 1 with values 1..20: the policy keeps the top 10.
        var history = Enumerable.Range(1, 20).Select(i => T(i, (1, i))).ToList();
        var policy = new Asha(minResource: 1, reductionFactor: 2);
        var stopped = Enumerable.Range(1, 20).Where(i => policy.ShouldStop(i, M(1, i), history)).ToList();
        Assert.Equal(Enumerable.Range(1, 10), stopped);
    }

    [Fact]
    public void Asha_JudgesOncePerRung_AndOnlyAtRungs()
    {
        var history = Enumerable.Range(1, 9).Select(i => T(i, (1, i), (2, i), (3, i))).ToList();
        var policy = new Asha(1, 3);
        Assert.True(policy.ShouldStop(100, M(2, 0), history));  // skipped rung 1: judged there with its latest value
        Assert.False(policy.ShouldStop(100, M(2, 0), history)); // already judged at rung 1; step 2 is no rung
        Assert.True(policy.ShouldStop(101, M(3, 0), history));  // rung 3: 9 others, keep 3, all better
        Assert.False(policy.ShouldStop(102, M(3, 100), history));
        Assert.False(policy.ShouldStop(103, M(3, 0), [])); // alone at the rung: not enough evidence
    }

    [Fact]
    public void Hyperband_HasLogEtaBrackets_AndComparesWithinABracket()
    {
        var hb = new Hyperband(1, 81, 3);
        Assert.Equal(5, hb.BracketCount);
        int me = Enumerable.Range(1, 1000).First(i => hb.BracketOf(i) == 0);
        var same = Enumerable.Range(1, 2000).Where(i => i != me && hb.BracketOf(i) == 0).Take(6).ToList();
        var other = Enumerable.Range(1, 2000).Where(i => hb.BracketOf(i) != 0).Take(30).ToList();
        // Bracket 0 has a rung at step 1: peers are worse, trials of other brackets are far better.
        var history = same.Select(i => T(i, (1, 1.0))).Concat(other.Select(i => T(i, (1, 99.0)))).ToList();
        Assert.False(hb.ShouldStop(me, M(1, 5.0), history));
        var hb2 = new Hyperband(1, 81, 3);
        var worse = same.Select(i => T(i, (1, 9.0))).ToList();
        Assert.True(hb2.ShouldStop(me, M(1, 5.0), worse));
        Assert.Equal(hb.BracketOf(12345), new Hyperband(1, 81, 3).BracketOf(12345));
    }

    [Fact]
    public void Threshold_FixedAndStepWise()
    {
        var p = new ThresholdPolicy(lower: 0.5, warmupSteps: 2);
        Assert.False(p.ShouldStop(1, M(1, 0.1), []));
        Assert.True(p.ShouldStop(1, M(2, 0.4), []));
        Assert.False(p.ShouldStop(1, M(2, 0.6), []));
        Assert.True(new ThresholdPolicy(upper: 1.0).ShouldStop(1, M(0, 1.5), []));
        var s = new ThresholdPolicy(new Dictionary<int, double> { [0] = 0.1, [5] = 0.5 });
        Assert.False(s.ShouldStop(1, M(3, 0.3), []));
        Assert.True(s.ShouldStop(1, M(6, 0.3), []));
        Assert.True(s.ShouldStop(1, M(0, 0.05), []));
    }

    [Fact]
    public void Percentile_StopsBelowThePercentileOfOthersAtTheStep()
    {
        var history = Enumerable.Range(1, 5).Select(i => T(i, (4, i))).ToList();
        var median = PercentilePolicy.Median(startupTrials: 5);
        Assert.True(median.ShouldStop(9, M(4, 2.9), history));
        Assert.False(median.ShouldStop(9, M(4, 3.1), history));
        Assert.False(new PercentilePolicy(50, startupTrials: 6).ShouldStop(9, M(4, 0), history));
        Assert.True(new PercentilePolicy(25, startupTrials: 5).ShouldStop(9, M(4, 1.9), history));
        Assert.False(new PercentilePolicy(25, startupTrials: 5).ShouldStop(9, M(4, 2.1), history));
        Assert.False(new PercentilePolicy(50, 1, warmupSteps: 5).ShouldStop(9, M(4, 0), history));
        Assert.Equal(2.0, EarlyStoppingMath.Percentile([1, 2, 3, 4, 5], 25));
    }

    [Fact]
    public void ValueAt_UsesTheLastValueBeforeASkippedStep()
    {
        var t = T(1, (1, 10), (4, 40));
        Assert.Equal(10, EarlyStoppingMath.ValueAt(t, 2));
        Assert.Equal(40, EarlyStoppingMath.ValueAt(t, 4));
        Assert.Null(EarlyStoppingMath.ValueAt(t, 5));
    }

    [Fact]
    public void BadOptions_NameTheOption()
    {
        Assert.Equal("reductionFactor", Assert.Throws<ArgumentException>(() => new Asha(1, 1)).ParamName);
        Assert.Equal("minResource", Assert.Throws<ArgumentException>(() => new SuccessiveHalving(0)).ParamName);
        Assert.Equal("maxResource", Assert.Throws<ArgumentException>(() => new Hyperband(5, 2)).ParamName);
        Assert.Equal("percentile", Assert.Throws<ArgumentException>(() => new PercentilePolicy(120)).ParamName);
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() => new ThresholdPolicy()).ParamName);
    }
}
