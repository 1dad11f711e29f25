using CsCheck;
using NasNotebooks.Dsl;

namespace NasNotebooks.Dsl.Tests;

/// <summary>Round-trip properties over randomly generated spaces and points.</summary>
public class PropertyTests
{
    /// <summary>Random nested spaces: constants, OneOf/ManyOf/Permutation/Int/Float, lists and dicts, up to depth 3.</summary>
    private static readonly Gen<object?> SpaceGen = Gen.Recursive<object?>((depth, inner) =>
    {
        var constant = Gen.OneOf(Gen.Int[0, 9].Select(i => (object?)i), Gen.String["abc"].Select(s => (object?)s), Gen.Double[0, 1].Select(d => (object?)d));
        if (depth >= 3) return constant;
        var candidates = inner.Array[1, 4];
        return Gen.Frequency(
            (3, constant),
            (3, candidates.Select(c => (object?)new OneOf(c))),
            (1, Gen.Select(Gen.Int[1, 3], candidates, Gen.Bool, Gen.Bool, (k, c, d, s) => (object?)new ManyOf(Math.Min(k, d ? c.Length : 3), c, d, s))),
            (1, candidates.Select(c => (object?)new Permutation(c))),
            (1, Gen.Int[-5, 5].Select(lo => (object?)new IntHyper(lo, lo + 6, 2))),
            (1, Gen.Double[0.001, 1].Select(lo => (object?)new FloatHyper(lo, lo * 10, Scale.Log))),
            (1, inner.Array[1, 3].Select(items => (object?)new SymList(items))),
            (1, inner.Array[1, 3].Select(items => (object?)new SymDict(items.Select((v, i) => new KeyValuePair<string, object?>("k" + i, v))))));
    });

    private static readonly Gen<(object? Space, Dna Dna)> PointGen =
        Gen.Select(SpaceGen, Gen.Int, (space, seed) => (space, Space.Spec(space).Random(new Random(seed))));

    [Fact]
    public void MaterializeThenEncode_ReturnsTheDna() =>
        PointGen.Sample(p =>
        {
            var spec = Space.Spec(p.Space);
            var value = spec.Materialize(p.Dna);
            // Candidates may overlap (e.g. 8 and a float range holding 8.0), so Encode may pick another
            // DNA of the same value: the contract is on values, exact DNAs are checked on unambiguous spaces.
            var encoded = spec.Encode(value);
            spec.Validate(encoded);
            Assert.True(SymbolicValues.AreEqual(value, spec.Materialize(encoded)));
        }, iter: 300);

    [Fact]
    public void FromNumbers_InvertsToNumbers() =>
        PointGen.Sample(p => Assert.Equal(p.Dna, Space.Spec(p.Space).FromNumbers(p.Dna.ToNumbers())), iter: 300);

    [Fact]
    public void Json_RoundTripsDnasAndSpaces() =>
        PointGen.Sample(p =>
        {
            Assert.Equal(p.Dna, Dna.FromJson(p.Dna.ToJson()));
            Assert.Equal(p.Dna, Dna.Parse(p.Dna.ToString()));
            var space = Symbolic.FromJson(SymbolicJson.Serialize(p.Space));
            Assert.True(SymbolicValues.AreEqual(p.Space, space));
            Assert.Equal(Space.Spec(p.Space).SpaceSize, Space.Spec(space).SpaceSize);
        }, iter: 300);

    [Fact]
    public void Dictionaries_RoundTrip() =>
        PointGen.Sample(p =>
        {
            var spec = Space.Spec(p.Space);
            Assert.Equal(p.Dna, spec.FromDictionary(spec.ToDictionary(p.Dna)));
            Assert.Equal(p.Dna, spec.FromDictionary(spec.ToDictionary(p.Dna, DnaKey.Id, DnaValueForm.ChoiceAndTotal)));
        }, iter: 300);

    [Fact]
    public void EnumerationOfSmallSpaces_MatchesSpaceSizeAndIsSortedUnique() =>
        SpaceGen.Where(s => Space.Spec(s).SpaceSize is { } n && n <= 2000).Sample(s =>
        {
            var spec = Space.Spec(s);
            var all = spec.Enumerate().ToList();
            Assert.Equal((int)spec.SpaceSize!.Value, all.Count);
            Assert.Equal(all.Count, all.Distinct().Count());
            // Sorted: each DNA comes strictly after the previous one in the DNA order (rightmost decision fastest).
            for (int i = 1; i < all.Count; i++)
                Assert.True(all[i - 1].CompareTo(all[i]) < 0, $"enumeration is not sorted at {i}: {all[i - 1]} then {all[i]}");
            foreach (var d in all.Take(50)) spec.Validate(d);
        }, iter: 200);
}
