using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;
using NasNotebooks.Runtime.Algorithms.Tpe;

namespace NasNotebooks.Runtime.Tests.Algorithms;

/// <summary>TPE's constant liar for parallel trials (proposals awaiting feedback count as worst observations).</summary>
public class ParallelTpeTests
{
    // 6 categorical decisions of 5 options, like the NB201 cell; the objective counts decisions equal to 3.
    private static SpaceSpec Cell() => Space.Spec(Space.Dict()
        .OneOf("e0", 0, 1, 2, 3, 4).OneOf("e1", 0, 1, 2, 3, 4).OneOf("e2", 0, 1, 2, 3, 4)
        .OneOf("e3", 0, 1, 2, 3, 4).OneOf("e4", 0, 1, 2, 3, 4).OneOf("e5", 0, 1, 2, 3, 4).Build());

    private static double Score(Dna dna) => dna.Children.Count(c => c.Index == 3) + 0.1 * dna.Children[0].Index;

    private static void Warm(ISearchAlgorithm algo, int trials)
    {
        for (int i = 0; i < trials; i++)
        {
            var d = algo.Propose();
            algo.Feedback(d, Score(d));
        }
    }

    [Fact]
    public void SequentialUse_IsUnchangedByTheLiar()
    {
        var spec = Cell();
        var on = new Tpe(7, constantLiar: true);
        var off = new Tpe(7, constantLiar: false);
        on.Setup(spec); off.Setup(spec);
        for (int i = 0; i < 60; i++)
        {
            var a = on.Propose(); var b = off.Propose();
            Assert.Equal(b, a);
            on.Feedback(a, Score(a)); off.Feedback(b, Score(b));
        }
        Assert.Equal(0, on.PendingCount);
    }

    [Fact]
    public void ABatchProposedWithoutFeedback_AvoidsThePendingTrials_WithTheLiar()
    {
        // Without repeat avoidance, TPE's argmax proposes the same DNA again and again while no
        // feedback arrives; the lies (pending trials in the bad set) push later proposals elsewhere.
        var spec = Cell();
        double Distinct(bool liar, bool multivariate) => Enumerable.Range(0, 10).Average(seed =>
        {
            var tpe = new Tpe(seed, constantLiar: liar, multivariate: multivariate, avoidRepeats: false);
            tpe.Setup(spec);
            Warm(tpe, 30);
            var batch = Enumerable.Range(0, 8).Select(_ => tpe.Propose()).ToList();
            Assert.Equal(liar ? 8 : 0, tpe.PendingCount);
            return (double)batch.Distinct().Count();
        });
        foreach (bool mv in new[] { false, true })
        {
            double liar = Distinct(true, mv), plain = Distinct(false, mv);
            // Univariate TPE's argmax repeats a lot without lies; multivariate sampling repeats less.
            Assert.True(liar > plain + (mv ? 0.2 : 1), $"multivariate={mv}: distinct DNAs in a batch of 8: liar {liar:F1}, without {plain:F1}");
        }
    }

    [Fact]
    public void FeedbackRemovesThePendingTrial_InAnyOrder_AndRecoverForgetsPending()
    {
        var spec = Cell();
        var tpe = new Tpe(3);
        tpe.Setup(spec);
        Warm(tpe, 12);
        var batch = Enumerable.Range(0, 4).Select(_ => tpe.Propose()).ToList();
        Assert.Equal(4, tpe.PendingCount);
        tpe.Feedback(batch[2], Score(batch[2]));
        tpe.Feedback(batch[0], Score(batch[0]));
        Assert.Equal(2, tpe.PendingCount);
        var next = tpe.Propose();
        Assert.DoesNotContain(next, batch);
        Assert.Equal(3, tpe.PendingCount);

        var resumed = new Tpe(3);
        resumed.Setup(spec);
        resumed.Recover(batch.Take(2).Select(d => (d, new Reward(Score(d)))));
        Assert.Equal(0, resumed.PendingCount);
    }

    [Fact]
    public void PendingLies_AreCappedAtTheLatest()
    {
        var spec = Cell();
        var tpe = new Tpe(1, startupTrials: 2);
        tpe.Setup(spec);
        Warm(tpe, 2);
        for (int i = 0; i < Tpe.MaxLies + 10; i++) tpe.Propose();
        Assert.Equal(Tpe.MaxLies, tpe.PendingCount);
    }
}
