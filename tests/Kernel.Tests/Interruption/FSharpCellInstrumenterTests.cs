using NasNotebooks.Kernel.Polyglot;
using NasNotebooks.Kernel.Tests.Polyglot;

namespace NasNotebooks.Kernel.Tests.Interruption;

/// <summary>
/// F# cells get interrupt and recursion checks on lines of their own (F# layout is significant): cells of every usual
/// layout still compile with them and mean the same, and diagnostics keep the lines and columns of the cell as written.
/// </summary>
public sealed class FSharpCellInstrumenterTests(FSharpSessionFixture fixture) : IClassFixture<FSharpSessionFixture>
{
    private FSharpSession F => fixture.Session;

    public static TheoryData<string, string, object> Layouts() => new()
    {
        { "one-line function", "let rec fact n = if n <= 1 then 1 else n * fact (n - 1)\nfact 5", 120 },
        { "body on its own lines", "let rec fib n =\n    if n < 2 then n\n    else fib (n - 1) + fib (n - 2)\nfib 10", 55 },
        { "body starts on the = line and goes on", "let rec count n = if n = 0 then 0\n                  else 1 + count (n - 1)\ncount 7", 7 },
        { "match on the = line", "let classify n = match n with\n                 | 0 -> 10\n                 | _ -> 20\nclassify 0 + classify 3", 30 },
        { "function clauses", "let rec len = function\n    | [] -> 0\n    | _ :: t -> 1 + len t\nlen [1; 2; 3]", 3 },
        { "one-line function clauses", "let sign = function 0 -> 0 | n when n > 0 -> 1 | _ -> -1\nsign 5 + sign -3 + sign 0", 0 },
        { "lambdas in a pipeline", "[1; 2; 3] |> List.map (fun x -> x * 2) |> List.filter (fun y -> y > 2) |> List.sum", 10 },
        { "curried lambda", "let add = fun a b -> a + b\nadd 40 2", 42 },
        { "loops", "let mutable t = 0\nfor i in 1 .. 4 do t <- t + i\nfor i = 1 to 3 do\n    t <- t + 1\nwhile t < 20 do t <- t + 1\nt", 20 },
        { "seq expression", "seq { for i in 1 .. 3 do yield i * i } |> Seq.sum", 14 },
        { "list comprehension", "[ for i in 1 .. 3 -> i + 1 ] |> List.sum", 9 },
        { "task and async", "let t = task { let mutable s = 0\n               for i in 1 .. 3 do s <- s + i\n               return s }\nlet a = async { return 4 }\nt.Result + Async.RunSynchronously a", 10 },
        { "type with members", "type Acc(start: int) =\n    let mutable v = start\n    member _.Add x = v <- v + x\n    member _.Value = v\n    static member Make() = Acc(1)\nlet acc = Acc.Make()\nacc.Add 41\nacc.Value", 42 },
        { "object expression", "let o = { new System.Object() with member _.ToString() = \"obj\" }\no.ToString().Length", 3 },
        { "active pattern and operator", "let (|Even|Odd|) n = if n % 2 = 0 then Even else Odd\nlet (+.) a b = a * 10 + b\nmatch 4 with Even -> 4 +. 2 | Odd -> 0", 42 },
        { "quotation left alone", "let q = <@ fun x -> x + 1 @>\nmatch q with Quotations.Patterns.Lambda _ -> 1 | _ -> 0", 1 },
        { "open and directives first", "open System.Text\n#nowarn \"40\"\nlet sb = StringBuilder()\nsb.Append(\"abc\").Length", 3 },
        { "unary minus after a check", "let neg = fun x ->\n    -x\nneg -5", 5 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void CellsWithChecks_CompileAndKeepTheirMeaning(string layout, string code, object expected)
    {
        var before = F.CellsRunAsWritten;
        var r = F.Evaluate(code);
        Assert.True(r.Success, $"{layout}: {string.Join("; ", r.Diagnostics)} {r.Exception}");
        Assert.Equal(expected, r.Value);
        Assert.True(before == F.CellsRunAsWritten, $"{layout}: the checks did not compile, the cell ran without them");
        Assert.True(r.Diagnostics.Count == 0, $"{layout}: the checks brought warnings: {string.Join("; ", r.Diagnostics)}");
    }

    [Fact]
    public void Warnings_InCellsWithChecks_KeepTheLineAndColumnOfTheCellAsWritten()
    {
        // The first line's body moves to a line of its own and every body gets a check line: the warning must still
        // be reported at line 4, column 5 of the cell as written (+1 for a removed #!fsharp line).
        var r = F.Evaluate("let f x = x + 1\nlet h () =\n    let unused = 0\n    1 = 2\n    3\nh () + f 1", lineOffset: 1);
        Assert.True(r.Success, string.Join("; ", r.Diagnostics));
        var warning = Assert.Single(r.Diagnostics, d => d.Code == "FS0020");
        Assert.Equal(5, warning.Line);
        Assert.Equal(5, warning.Column);
        Assert.Equal(5, r.Value);
    }

    [Fact]
    public void Errors_InCellsWithChecks_AreThoseOfTheCellAsWritten()
    {
        var r = F.Evaluate("let rec loop n =\n    if n > 0 then loop (n - 1)\n    else \"done\" + 1\nloop 3");
        Assert.False(r.Success);
        Assert.Equal(
            ["(3,19): error FS0001", "(3,17): error FS0043", "(4,1): error FS0039"],
            r.Diagnostics.Where(d => d.IsError).Select(d => $"({d.Line},{d.Column}): error {d.Code}"));
    }

    [Fact]
    public void RunawayRecursion_IsAnExceptionAndTheSessionLives()
    {
        Assert.True(F.Evaluate("let keptValue = 41").Success);
        var r = RunOnCellSizedThread(() => F.Evaluate("let rec down n = 1 + down (n + 1)\ndown 0"));
        Assert.IsType<InsufficientExecutionStackException>(r.Exception);
        Assert.Equal(42, F.Evaluate("keptValue + 1").Value);
    }

    private static T RunOnCellSizedThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work(), 8 * 1024 * 1024);
        thread.Start();
        thread.Join();
        return result;
    }
}
