using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

public class DnaTests
{
    [Fact]
    public void ToNumbers_FlattensDepthFirst_AndFromNumbersInverts()
    {
        var dna = Dna.FromLiteral(new object[] { (0, 1), 2, (3, new object[] { 4, 0.5 }) });
        Assert.Equal("[(0,1),2,(3,[4,0.5])]", dna.ToString());
        Assert.Equal(new[] { 0, 1, 2, 3, 4, 0.5 }, dna.ToNumbers());

        var spec = Space.Spec(Space.List(
            Hyper.OneOf(Hyper.OneOf(0, 1), 9),
            Hyper.OneOf(0, 1, 2),
            Hyper.OneOf(0, 1, 2, Space.List(Hyper.OneOf(0, 1, 2, 3, 4), Hyper.Float(0, 1)))));
        Assert.Equal(dna, spec.FromNumbers([0, 1, 2, 3, 4, 0.5]));
        Assert.Equal(dna, Dna.FromNumbers(dna.ToNumbers(), spec));
        var tooShort = Assert.Throws<ArgumentException>(() => spec.FromNumbers([0, 1, 2, 3, 4]));
        Assert.Contains("Too few", tooShort.Message);
        var tooLong = Assert.Throws<ArgumentException>(() => spec.FromNumbers([0, 1, 2, 3, 4, 0.5, 7]));
        Assert.Contains("Too many", tooLong.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("[0,1]")]
    [InlineData("(1,[2,0])")]
    [InlineData("(0,1,2)")]
    [InlineData("[(0,1),2,(3,[4,0.5])]")]
    [InlineData("['abc',1.0,[0,1]]")]
    [InlineData("[]")]
    public void Literal_RoundTrips(string literal)
    {
        var dna = Dna.Parse(literal);
        Assert.Equal(literal, dna.ToString());
        Assert.Equal(dna, Dna.Parse(dna.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[0,")]
    [InlineData("(0.5,1)")]
    [InlineData("-1")]
    [InlineData("[0] x")]
    public void Literal_RejectsMalformedText(string literal) =>
        Assert.Throws<FormatException>(() => Dna.Parse(literal));

    [Fact]
    public void Normalization_FollowsPyGlove()
    {
        Assert.Equal(Dna.Leaf(3), Dna.List(Dna.Leaf(3)));
        Assert.Equal(Dna.Parse("(1,[2,0])"), new Dna(1, Dna.List(2, 0)));
        Assert.Equal(Dna.Empty, Dna.List());
    }

    [Fact]
    public void Equality_Hashing_Ordering()
    {
        var a = Dna.Parse("[0,(1,2)]");
        var b = Dna.Parse("[0,(1,2)]").WithMetadata("note", "x");
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        var sorted = new[] { "[1,0]", "[0,(1,3)]", "[0,(1,2)]", "[0,1]" }.Select(Dna.Parse).Order().Select(d => d.ToString()).ToList();
        Assert.Equal(new[] { "[0,1]", "[0,(1,2)]", "[0,(1,3)]", "[1,0]" }, sorted);
        Assert.True(Dna.Parse("0") < Dna.Parse("1"));
    }

    [Fact]
    public void Json_RoundTripsWithMetadata()
    {
        var dna = Dna.Parse("[(0,1),2,(3,[4,0.5]),'g']")
            .WithMetadata("reward", 0.93)
            .WithMetadata("tags", new[] { "a", "b" })
            .WithMetadata("info", new Dictionary<string, object?> { ["epochs"] = 3 });
        var json = dna.ToJson();
        var back = Dna.FromJson(json);
        Assert.Equal(dna, back);
        Assert.Equal(0.93, back.Metadata["reward"]);
        Assert.Equal(json, back.ToJson());
        Assert.Throws<FormatException>(() => Dna.FromJson("{\"x\": 1}"));
    }
}
