using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NasNotebooks.Generators.Tests;

/// <summary>
/// One test per diagnostic id; <c>[|…|]</c> marks the exact span the diagnostic must point at. Each case must give
/// exactly that one diagnostic: a duplicate or an extra error fails it.
/// </summary>
public class DiagnosticTests
{
    private const string Header = """
        using System.Collections.Generic;
        using NasNotebooks.Dsl;
        namespace Demo;
        public interface IBlock { }

        """;

    private static void Expect(string id, string markup, params string[] messageParts) => ExpectAlongside([], id, markup, messageParts);

    /// <summary>
    /// Like <see cref="Expect"/>, where the compiler itself also reports <paramref name="compilerIds"/> (e.g. an
    /// attribute placed where its AttributeUsage forbids it): those and nothing else.
    /// </summary>
    private static void ExpectAlongside(string[] compilerIds, string id, string markup, params string[] messageParts)
    {
        var source = Header + markup;
        int start = source.IndexOf("[|", StringComparison.Ordinal);
        source = source.Remove(start, 2);
        int end = source.IndexOf("|]", StringComparison.Ordinal);
        source = source.Remove(end, 2);
        var (result, _, compilerDiagnostics) = GeneratorHarness.Run(source);
        // Exactly one diagnostic from the generator (no duplicate, no extra error), and no other compiler error.
        Assert.True(result.Diagnostics.Length == 1 && result.Diagnostics[0].Id == id,
            $"Expected exactly one diagnostic, {id}; got {result.Diagnostics.Length}:\n{string.Join("\n", result.Diagnostics)}");
        Assert.True(compilerDiagnostics.Select(c => c.Id).SequenceEqual(compilerIds),
            $"Expected compiler diagnostics [{string.Join(", ", compilerIds)}]; got {compilerDiagnostics.Length}:\n{string.Join("\n", compilerDiagnostics)}");
        var d = result.Diagnostics[0];
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(new TextSpan(start, end - start), d.Location.SourceSpan);
        Assert.Equal("Model0.cs", d.Location.GetLineSpan().Path);
        var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        // A type with errors gets no generated source.
        Assert.DoesNotContain(result.Results[0].GeneratedSources, s => s.HintName.Contains("Bad", StringComparison.Ordinal));
    }

    [Fact]
    public void NAS001_TypeNotPartial() => Expect("NAS001", """
        [Searchable] public class [|Bad|] { [OneOf(1, 2)] public int X { get; set; } }
        """, "'Bad'", "partial");

    [Fact]
    public void NAS002_ValueNotConvertible() => Expect("NAS002", """
        [Searchable] public partial class Bad { [OneOf(1, [|"two"|])] public int X { get; set; } }
        """, "\"two\"", "Bad.X", "int");

    [Fact]
    public void NAS002_FractionForInt() => Expect("NAS002", """
        [Searchable] public partial class Bad { [ManyOf(1, 1, [|2.5|])] public int[] X { get; set; } = []; }
        """, "2.5", "int");

    [Fact]
    public void NAS003_EmptyChoices() => Expect("NAS003", """
        [Searchable] public partial class Bad { [[|OneOf()|]] public int X { get; set; } }
        """, "Bad.X", "at least one candidate");

    [Fact]
    public void NAS003_NullCandidateArray() => Expect("NAS003", """
        [Searchable] public partial class Bad { [[|OneOf(null!)|]] public int X { get; set; } }
        """, "Bad.X");

    [Fact]
    public void NAS004_MinAboveMax() => Expect("NAS004", """
        [Searchable] public partial class Bad { [[|IntRange(5, 1)|]] public int X { get; set; } }
        """, "min (5) must not exceed max (1)");

    [Fact]
    public void NAS004_RepeatMinAboveMax() => Expect("NAS004", """
        [Searchable] public partial class S { [OneOf(1, 2)] public int X { get; set; } }
        [Searchable] public partial class Bad { [[|Repeat(3, 2)|]] public List<S> Items { get; set; } = []; }
        """, "min (3) must not exceed max (2)");

    [Fact]
    public void NAS005_LogScaleNeedsPositiveMin() => Expect("NAS005", """
        [Searchable] public partial class Bad { [[|FloatRange(0, 1, Scale.Log)|]] public double Lr { get; set; } }
        """, "Log scale needs min > 0", "min = 0");

    [Fact]
    public void NAS006_TypeChoiceDoesNotImplementMemberType() => Expect("NAS006", """
        [Searchable] public partial class Other { [OneOf(1, 2)] public int X { get; set; } }
        [Searchable] public partial class Bad { [OneOf([|typeof(Other)|])] public IBlock Block { get; set; } = null!; }
        """, "typeof(Demo.Other)", "Demo.IBlock");

    [Fact]
    public void NAS007_TypeChoiceNotSearchable() => Expect("NAS007", """
        public class Plain : IBlock { }
        [Searchable] public partial class Bad { [OneOf([|typeof(Plain)|])] public IBlock Block { get; set; } = null!; }
        """, "typeof(Demo.Plain)", "[Searchable]");

    [Fact]
    public void NAS008_CycleAmongSearchableTypes()
    {
        // Every type on the cycle is invalid, so each gets one error at its own edge of the cycle (the member, or the
        // attribute that names the next type), and nothing else.
        var source = Header + """
            [Searchable] public partial class Bad { public Loop Next { get; set; } = null!; }
            [Searchable] public partial class Loop { [OneOf(typeof(Bad))] public object Back { get; set; } = null!; }
            """;
        var (result, _, compilerDiagnostics) = GeneratorHarness.Run(source);
        Assert.Empty(compilerDiagnostics);
        var diags = result.Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.True(diags.Count == 2, $"Expected two NAS008 (one per type on the cycle); got:\n{string.Join("\n", diags)}");
        Assert.All(diags, d => Assert.Equal(("NAS008", DiagnosticSeverity.Error), (d.Id, d.Severity)));
        string Message(Diagnostic d) => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new TextSpan(source.IndexOf("Next", StringComparison.Ordinal), 4), diags[0].Location.SourceSpan);
        Assert.Contains("'Bad.Next' (Bad -> Loop -> Bad)", Message(diags[0]));
        Assert.Equal(new TextSpan(source.IndexOf("OneOf(typeof(Bad))", StringComparison.Ordinal), "OneOf(typeof(Bad))".Length), diags[1].Location.SourceSpan);
        Assert.Contains("'Loop.Back' (Loop -> Bad -> Loop)", Message(diags[1]));
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void NAS009_DuplicateDecisionName() => Expect("NAS009", """
        [Searchable] public partial class Bad
        {
            [OneOf(1, 2, Name = "k")] public int X { get; set; }
            [[|OneOf(3, 4, Name = "k")|]] public int Y { get; set; }
        }
        """, "'k'", "Bad.Y");

    [Fact]
    public void NAS009_DuplicateNameThroughRepeat() => Expect("NAS009", """
        [Searchable] public partial class S { [OneOf(1, 2, Name = "width")] public int X { get; set; } }
        [Searchable] public partial class Bad { [[|Repeat(1, 2)|]] public List<S> Items { get; set; } = []; }
        """, "'width'", "Bad.Items");

    [Theory]
    [InlineData("[OneOf(1, 2)] public static int [|X|] { get; set; }", "static")]
    [InlineData("[OneOf(1, 2)] public readonly int [|X|];", "a readonly field")]
    [InlineData("[OneOf(1, 2)] public int [|X|] { get; init; }", "an init-only property of a non-record class")]
    [InlineData("[OneOf(1, 2)] public int [|X|] { get; }", "a get-only property")]
    [InlineData("[OneOf(1, 2)] internal int [|X|] { get; set; }", "not public")]
    public void NAS010_UnsupportedMemberKind(string member, string why) =>
        Expect("NAS010", "[Searchable] public partial class Bad { " + member + " }", why, "set accessor");

    [Fact]
    public void NAS011_AttributeDoesNotApplyToMemberType() => Expect("NAS011", """
        [Searchable] public partial class Bad { [[|IntRange(1, 3)|]] public string X { get; set; } = ""; }
        """, "IntRange", "int or long");

    [Fact]
    public void NAS012_UnsupportedTypeKind() => ExpectAlongside(["CS0592"], "NAS012", """
        [Searchable] public partial struct [|Bad|] { [OneOf(1, 2)] public int X { get; set; } }
        """, "a struct");

    [Fact]
    public void NAS013_InvalidArguments() => Expect("NAS013", """
        [Searchable] public partial class Bad { [[|IntRange(1, 5, 0)|]] public int X { get; set; } }
        """, "step must be at least 1");

    [Fact]
    public void EveryDescriptorHasATest()
    {
        var tested = typeof(DiagnosticTests).GetMethods().Select(m => m.Name[..Math.Min(6, m.Name.Length)]).ToHashSet();
        foreach (var d in NasNotebooks.Dsl.Generators.Descriptors.All) Assert.Contains(d.Id, tested);
    }

    [Fact]
    public void DependentOfInvalidType_IsNotGenerated_ButValidSiblingsAre()
    {
        var (result, _, _) = GeneratorHarness.Run(Header + """
            [Searchable] public class Broken { [OneOf(1, 2)] public int X { get; set; } }
            [Searchable] public partial class User { public Broken Child { get; set; } = null!; }
            [Searchable] public partial class Fine { [OneOf(1, 2)] public int X { get; set; } }
            """);
        var hints = result.Results[0].GeneratedSources.Select(s => s.HintName).ToList();
        Assert.Equal(["Demo.Fine.Searchable.g.cs"], hints);
        Assert.Single(result.Diagnostics, d => d.Id == "NAS001");
    }
}
