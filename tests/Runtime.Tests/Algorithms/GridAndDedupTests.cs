using NasNotebooks.Dsl;
using NasNotebooks.Runtime.Algorithms;

namespace NasNotebooks.Runtime.Tests.Algorithms;

public class GridAndDedupTests
{
    [Fact]
    public void Grid_EnumeratesExactlyTheSpaceInOrder_ThenIsExhausted()
    {
        var spec = TestSpaces.ConditionalEnumerable();
        var grid = new GridSearch();
        grid.Setup(spec);
        int size = (int)spec.SpaceSize!.Value;
        var all = new List<Dna>();
        for (int i = 0; i < size; i++) all.Add(grid.Propose());
        Assert.Equal(spec.Enumerate(), all);
        Assert.Equal(size, all.Distinct().Count());
        Assert.Throws<SearchSpaceExhaustedException>(() => grid.Propose());
    }

    [Fact]
    public void Grid_Small_ExactOrder()
    {
        var grid = new GridSearch();
        grid.Setup(TestSpaces.Small());
        var got = Enumerable.Range(0, 6).Select(_ => grid.Propose().ToString()).ToList();
        Assert.Equal(new[] { "[0,0]", "[0,1]", "[0,2]", "[1,0]", "[1,1]", "[1,2]" }, got);
    }

    [Fact]
    public void Grid_Resumes_SkippingWhatIsDone()
    {
        var spec = TestSpaces.Small();
        var all = spec.Enumerate().ToList();
        var grid = new GridSearch();
        grid.Setup(spec);
        // Trials 0, 1 and 4 finished (out of order, e.g. with several workers).
        grid.Recover([(all[4], 1.0), (all[0], 1.0), (all[1], 1.0)]);
        Assert.Equal(new[] { all[2], all[3], all[5] }, new[] { grid.Propose(), grid.Propose(), grid.Propose() });
        Assert.Throws<SearchSpaceExhaustedException>(() => grid.Propose());
    }

    [Fact]
    public void Grid_RejectsFloatSpaces_NamingTheDecision()
    {
        var e = Assert.Throws<ArgumentException>(() => new GridSearch().Setup(TestSpaces.Floats()));
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void Dedup_NeverRepeats_AndEndsWhenTheSpaceIsUsedUp()
    {
        var spec = TestSpaces.Small();
        var d = new Deduping(new RandomSearch(3));
        d.Setup(spec);
        var got = Enumerable.Range(0, 6).Select(_ => d.Propose()).ToList();
        Assert.Equal(6, got.Distinct().Count());
        Assert.Throws<SearchSpaceExhaustedException>(() => d.Propose());
    }

    [Fact]
    public void Dedup_NeverRepeats_OverALongEvolutionRun()
    {
        var spec = TestSpaces.ConditionalEnumerable();
        var d = new Deduping(new Runtime.Algorithms.Evolution.RegularizedEvolution(10, 3, 1));
        d.Setup(spec);
        var seen = new HashSet<Dna>();
        for (int i = 0; i < 300; i++)
        {
            var dna = d.Propose();
            Assert.True(seen.Add(dna));
            d.Feedback(dna, TestSpaces.Score(spec, dna));
        }
    }

    private sealed class Stuck : ISearchAlgorithm
    {
        private SpaceSpec? _spec;
        public string Name => "stuck";
        public void Setup(SpaceSpec spec) => _spec = spec;
        public Dna Propose() => _spec!.First();
        public void Feedback(Dna dna, Reward reward) { }
    }

    [Fact]
    public void Dedup_RetryLimit_FallsBackToRandomOrThrows()
    {
        var spec = TestSpaces.Small();
        var strict = new Deduping(new Stuck(), maxRetries: 5, randomFallback: false);
        strict.Setup(spec);
        Assert.Equal(spec.First(), strict.Propose());
        var e = Assert.Throws<SearchSpaceExhaustedException>(() => strict.Propose());
        Assert.Contains("stuck", e.Message);

        var lenient = new Deduping(new Stuck(), maxRetries: 5);
        lenient.Setup(spec);
        var got = Enumerable.Range(0, 4).Select(_ => lenient.Propose()).ToList();
        Assert.Equal(4, got.Distinct().Count());
    }
}

public class AlgorithmCatalogTests
{
    [Fact]
    public void Create_ByName_WithAliasesDedupSuffixAuto_AndClearErrors()
    {
        Assert.IsType<Runtime.Algorithms.Tpe.Tpe>(AlgorithmCatalog.Create("tpe", 1));
        Assert.Equal("evolution+dedup", AlgorithmCatalog.Create("evolution+dedup").Name);
        Assert.IsType<Runtime.Algorithms.Local.HillClimb>(AlgorithmCatalog.Create("local"));
        foreach (var n in AlgorithmCatalog.Names) Assert.NotNull(AlgorithmCatalog.Create(n));
        Assert.Equal("tpe", AlgorithmCatalog.Resolve("auto"));
        Assert.Equal("nsga2", AlgorithmCatalog.Resolve("auto", objectives: 2));
        var choices = TestSpaces.ConditionalEnumerable();
        Assert.Equal("bananas", AlgorithmCatalog.Resolve("auto", choices));
        Assert.Equal("bananas+dedup", AlgorithmCatalog.Resolve("auto+dedup", choices, trials: 1000));
        Assert.Equal("bananas", AlgorithmCatalog.Resolve("auto", choices, trials: 100_000)); // long runs too: its cost per proposal is bounded
        Assert.Equal("tpe", AlgorithmCatalog.Resolve("auto", TestSpaces.ConditionalWithFloats(), trials: 50));
        Assert.Equal("nsga2", AlgorithmCatalog.Resolve("auto", choices, objectives: 2));
        Assert.IsType<Runtime.Algorithms.Predictor.PredictorGuidedEvolution>(AlgorithmCatalog.Create("auto", 1, choices, trials: 100));
        Assert.True(AlgorithmCatalog.IsKnown("TPE-MV+dedup"));
        var e = Assert.Throws<ArgumentException>(() => AlgorithmCatalog.Create("bayes"));
        Assert.Contains("'bayes'", e.Message);
        Assert.Contains("tpe", e.Message);
    }
}

public class DedupAnswersFromHistoryTests
{
    /// <summary>Proposes a fixed sequence and records the feedback it gets.</summary>
    private sealed class Scripted(params Dna[] sequence) : ISearchAlgorithm
    {
        private int _next;
        public readonly List<(Dna, double)> Fed = [];
        public string Name => "scripted";
        public void Setup(SpaceSpec spec) { }
        public Dna Propose() => sequence[_next++];
        public void Feedback(Dna dna, Reward reward) => Fed.Add((dna, reward.Value));
    }

    [Fact]
    public void ARepeatOfAnEvaluatedDna_IsAnsweredFromHistory_AndARepeatStillRunning_IsDiscarded()
    {
        var spec = TestSpaces.Small();
        var all = spec.Enumerate().ToList();
        var inner = new Scripted(all[0], all[1], all[0], all[1], all[2]);
        var d = new Deduping(inner);
        d.Setup(spec);
        Assert.Equal(all[0], d.Propose());
        d.Feedback(all[0], 5);
        Assert.Equal(all[1], d.Propose());            // all[1] is now being evaluated
        Assert.Equal(all[2], d.Propose());            // all[0] answered (reward 5), all[1] discarded
        Assert.Equal(1, d.RepeatsAnswered);
        Assert.Equal(1, d.RepeatsDiscarded);
        Assert.Equal(new[] { (all[0], 5.0), (all[0], 5.0) }, inner.Fed);
    }
}
