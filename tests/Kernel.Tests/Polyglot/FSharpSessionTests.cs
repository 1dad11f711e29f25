using NasNotebooks.Dsl;
using NasNotebooks.Kernel.Polyglot;

namespace NasNotebooks.Kernel.Tests.Polyglot;

/// <summary>One F# session for the class: creating it takes seconds.</summary>
public sealed class FSharpSessionFixture : IDisposable
{
    public FSharpSession Session { get; } = FSharpSession.Create([typeof(Space).Assembly.Location]);

    public void Dispose() => Session.Dispose();
}

public class FSharpSessionTests(FSharpSessionFixture fixture) : IClassFixture<FSharpSessionFixture>
{
    private FSharpSession F => fixture.Session;

    [Fact]
    public void StateCarriesAcrossCells_AndTheLastExpressionIsTheValue()
    {
        Assert.True(F.Evaluate("let answerBase = 40").Success);
        var r = F.Evaluate("answerBase + 2");
        Assert.True(r.HasValue);
        Assert.Equal(42, r.Value);
        Assert.Equal(typeof(int), r.ValueType);
        Assert.False(F.Evaluate("let unitOnly = ()").HasValue);
    }

    [Fact]
    public void TypeErrors_GiveLineAndColumnWithinTheCell()
    {
        var r = F.Evaluate("let ok = 1\nlet bad : int = \"text\"", lineOffset: 0);
        Assert.False(r.Success);
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal(2, d.Line);
        Assert.Equal(17, d.Column);
        Assert.Equal("FS0001", d.Code);
        var shifted = F.Evaluate("\nlet bad2 : int = \"text\"", lineOffset: 1);
        Assert.Equal(3, Assert.Single(shifted.Diagnostics, x => x.IsError).Line);
    }

    [Fact]
    public void RuntimeExceptions_AreReturned()
    {
        var r = F.Evaluate("let boom () : int = failwith \"boom\"\nboom ()");
        Assert.False(r.Success);
        Assert.NotNull(r.Exception);
        Assert.Contains("boom", r.Exception!.Message);
    }

    [Fact]
    public void Values_AreSharedAsTheSameObject()
    {
        var list = new List<int> { 1, 2, 3 };
        F.SetValue("sharedList", list);
        F.Evaluate("sharedList.Add 4");
        Assert.Equal(4, list.Count);
        F.Evaluate("let fromFSharp = System.Collections.Generic.List<string>([\"a\"])");
        Assert.True(F.TryGetValue("fromFSharp", out var v, out var t));
        Assert.Equal(typeof(List<string>), t);
        ((List<string>)v!).Add("b");
        Assert.Equal(2, F.Evaluate("fromFSharp.Count").Value);
        Assert.Contains(F.Variables, x => x.Name == "sharedList" && x.Type == typeof(List<int>));
        Assert.Throws<ArgumentException>(() => F.SetValue("not valid", 1));
    }

    [Fact]
    public void TheDsl_ReadsNaturallyFromFSharp()
    {
        var r = F.Evaluate("""
            open NasNotebooks.Dsl
            let space =
                Space.Dict()
                    .OneOf("kernel", 3, 5, 7)
                    .Float("lr", 1e-4, 0.1, Scale.Log)
                    .Repeat("stages", 2, fun s -> s.OneOf("depth", 1, 2))
                    .Build()
            let spec = Space.Spec space
            spec.SpaceSize
            """);
        Assert.True(r.Success, string.Join("; ", r.Diagnostics));
        Assert.Null(r.Value); // the float makes the space infinite
        Assert.True(F.TryGetValue("space", out var space, out _));
        Assert.IsType<SymDict>(space);
    }

    [Fact]
    public void Completion_OffersMembers()
    {
        F.Evaluate("let completionList = System.Collections.Generic.List<int>()");
        Assert.Contains("Count", F.Complete("completionList.Cou", "completionList.Cou".Length));
    }
}
