using System.Numerics;
using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

/// <summary>PyGlove's numbers for space sizes and enumeration order, so both libraries agree.</summary>
public class SpaceSizeAndEnumerationTests
{
    private const string C = "c";

    private static ManyOf Nested(bool distinct, bool sorted) =>
        new(2, [C, Hyper.OneOf(C, C), Hyper.OneOf(C, C, C)], distinct, sorted);

    [Theory]
    [InlineData(false, false, 36)]
    [InlineData(true, false, 22)]
    [InlineData(false, true, 25)]
    [InlineData(true, true, 11)]
    public void ManyOfWithNestedCandidates_HasPyGloveSize_AndEnumeratesExactlyThatMany(bool distinct, bool sorted, int size)
    {
        var spec = Space.Spec(Nested(distinct, sorted));
        Assert.Equal(new BigInteger(size), spec.SpaceSize);
        Assert.Equal(6, spec.DecisionPoints.Count());
        var all = spec.Enumerate().ToList();
        Assert.Equal(size, all.Count);
        Assert.Equal(size, all.Distinct().Count());
        Assert.All(all, d => spec.Validate(d));
        Assert.Equal(all.OrderBy(d => d).ToList(), all);
    }

    [Theory]
    [InlineData(true, false, 6)]
    [InlineData(true, true, 3)]
    [InlineData(false, false, 9)]
    [InlineData(false, true, 6)]
    public void ManyOfTwoOfThree(bool distinct, bool sorted, int size)
    {
        var spec = Space.Spec(Hyper.ManyOf(2, new[] { 1, 2, 3 }, distinct, sorted));
        Assert.Equal(new BigInteger(size), spec.SpaceSize);
        Assert.Equal(size, spec.Enumerate().Count());
    }

    [Fact]
    public void PermutationOfFour_Has24()
    {
        var spec = Space.Spec(Hyper.Permutation(new[] { "a", "b", "c", "d" }));
        Assert.Equal(new BigInteger(24), spec.SpaceSize);
        var all = spec.Enumerate().Select(d => spec.Materialize(d)).Cast<SymList>().Select(l => string.Concat(l)).ToList();
        Assert.Equal(24, all.Distinct().Count());
        Assert.Equal("abcd", all[0]);
        Assert.Equal("dcba", all[^1]);
    }

    [Fact]
    public void ConditionalEnumeration_FollowsPyGloveOrder()
    {
        var space = Hyper.OneOf(Hyper.OneOf(C, C), Hyper.ManyOf(2, new[] { C, C, C }));
        var spec = Space.Spec(space);
        var all = spec.Enumerate().Select(d => d.ToString()).ToList();
        Assert.Equal(new[] { "(0,0)", "(0,1)", "(1,[0,1])", "(1,[0,2])", "(1,[1,0])", "(1,[1,2])", "(1,[2,0])", "(1,[2,1])" }, all);
        Assert.Null(spec.Next(Dna.Parse("(1,[2,1])")));
        Assert.Equal(new BigInteger(8), spec.SpaceSize);

        var both = Space.Spec(Space.List(space, Hyper.OneOf(C, C)));
        Assert.Equal(new BigInteger(16), both.SpaceSize);
        Assert.Equal(16, both.Enumerate().Count());
    }

    [Fact]
    public void Enumeration_ResumesAfterAGivenDna()
    {
        var spec = Space.Spec(Space.List(Hyper.OneOf(1, 2, 3), Hyper.ManyOf(2, new[] { "x", "y", "z" }, sorted: true)));
        var all = spec.Enumerate().ToList();
        Assert.Equal(9, all.Count);
        Assert.Equal(all.Skip(4), spec.Enumerate(after: all[3]));
        Assert.Equal("[0,[0,1]]", all[0].ToString());
    }

    [Fact]
    public void FloatOrCustom_MakesTheSpaceInfinite()
    {
        var spec = Space.Spec(Space.List(Hyper.OneOf(1, 2), Hyper.Float(0, 1)));
        Assert.Null(spec.SpaceSize);
        Assert.Throws<InvalidOperationException>(() => spec.Enumerate().ToList());
    }

    [Fact]
    public void HugeSpaces_HaveExactBigIntegerSizes()
    {
        var spec = Space.Spec(Space.Repeat(40, _ => Hyper.OneOf(Enumerable.Range(0, 10))));
        Assert.Equal(BigInteger.Pow(10, 40), spec.SpaceSize);
    }

    [Fact]
    public void IntRange_IsOrdinalWithStep()
    {
        var spec = Space.Spec(Space.Dict().Int("units", 16, 64, step: 16).Build());
        Assert.Equal(new BigInteger(4), spec.SpaceSize);
        var dp = (ChoicesSpec)spec["units"];
        Assert.True(dp.IsOrdinal);
        Assert.Equal(new object?[] { 16, 32, 48, 64 }, dp.LiteralValues);
        Assert.Equal(48, ((SymDict)spec.Materialize(Dna.Leaf(2))!)["units"]);
        Assert.Equal(Dna.Leaf(3), spec.Encode(new SymDict { ["units"] = 64 }));
    }
}
