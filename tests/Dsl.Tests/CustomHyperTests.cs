using System.Numerics;
using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

/// <summary>An evolvable bit string: a custom decision whose DNA is the string itself.</summary>
internal sealed class BitString(int length) : ICustomHyper
{
    public string Random(Random rng) => new(Enumerable.Range(0, length).Select(_ => rng.Next(2) == 0 ? '0' : '1').ToArray());

    public string? Next(string? current)
    {
        if (current is null) return new string('0', length);
        long v = Convert.ToInt64(current, 2) + 1;
        return v >= 1L << length ? null : Convert.ToString(v, 2).PadLeft(length, '0');
    }

    public object? Decode(string dna) => dna.Select(c => c == '1').ToArray();

    public string Encode(object? value) => value is bool[] bits && bits.Length == length
        ? new string(bits.Select(b => b ? '1' : '0').ToArray())
        : throw new ArgumentException($"expected {length} bits");

    public string Mutate(string dna, Random rng)
    {
        var chars = dna.ToCharArray();
        int i = rng.Next(chars.Length);
        chars[i] = chars[i] == '0' ? '1' : '0';
        return new string(chars);
    }

    public BigInteger? SpaceSize => BigInteger.One << length;
}

public class CustomHyperTests
{
    [Fact]
    public void CustomDecision_EnumeratesMaterializesAndEncodes()
    {
        var space = Space.Dict().Add("mask", Hyper.Custom(new BitString(3)).Named("mask")).OneOf("k", 1, 2).Build();
        var spec = Space.Spec(space);
        Assert.Equal(new BigInteger(16), spec.SpaceSize);
        var all = spec.Enumerate().ToList();
        Assert.Equal(16, all.Count);
        Assert.Equal("['000',0]", all[0].ToString());
        Assert.Equal("['111',1]", all[^1].ToString());
        var value = (SymDict)spec.Materialize(Dna.Parse("['101',1]"))!;
        Assert.Equal(new[] { true, false, true }, (bool[])value["mask"]!);
        Assert.Equal(Dna.Parse("['101',1]"), spec.Encode(value));
        Assert.Equal("101", spec.ToDictionary(Dna.Parse("['101',1]"))["mask"]);
        Assert.Throws<InvalidOperationException>(() => Dna.Parse("['101',1]").ToNumbers());
        var bad = Assert.Throws<ArgumentException>(() => spec.Encode(new SymDict { ["mask"] = new[] { true }, ["k"] = 1 }));
        Assert.Contains("mask", bad.Message);
        var rng = new Random(3);
        for (int i = 0; i < 100; i++) spec.Validate(spec.Random(rng));
    }
}
