namespace NasNotebooks.Kernel.Tests.Interruption;

/// <summary>Where the C# instrumenter puts its checks (exact texts) and that it never moves a line.</summary>
public sealed class CSharpCellInstrumenterTests
{
    private const string Poll = "global::NasNotebooks.Kernel.CellGuard.Poll();";
    private const string Enter = "global::NasNotebooks.Kernel.CellGuard.Enter();";

    private static string? Instrument(string code) => CSharpCellInstrumenter.Instrument(code, ScriptEngine.ParseOptions);

    [Theory]
    [InlineData("1+1")]
    [InlineData("x")]
    [InlineData("var x = 40;")]
    [InlineData("var x = 40; // for while")]
    [InlineData("Console.WriteLine(x);")]
    [InlineData("#r \"lib.dll\"\nnew Lib.Thing().Name")]
    public void CellsWithNothingToCheck_AreLeftAsWritten(string code) => Assert.Null(Instrument(code));

    [Theory]
    [InlineData("while (go) step();", "while (go) {" + Poll + "step();}")]
    [InlineData("for (;;) x++;", "for (;;) {" + Poll + "x++;}")]
    [InlineData("foreach (var a in xs) { use(a); }", "foreach (var a in xs) {" + Poll + " use(a); }")]
    [InlineData("do x++; while (x < 9);", "do {" + Poll + "x++;} while (x < 9);")]
    [InlineData("top: goto top;", "top: {" + Poll + "goto top;}")]
    [InlineData("int F(int n) => F(n + 1);", "int F(int n) {" + Enter + " return F(n + 1); }")]
    [InlineData("void G() => Console.WriteLine();", "void G() {" + Enter + " Console.WriteLine(); }")]
    [InlineData("async Task H() => await Task.Yield();", "async Task H() {" + Enter + " await Task.Yield(); }")]
    [InlineData("async Task<int> I() => await Task.FromResult(1);", "async Task<int> I() {" + Enter + " return await Task.FromResult(1); }")]
    [InlineData("string J() => throw new Exception();", "string J() {" + Enter + " throw new Exception(); }")]
    [InlineData("int K() { return 1; }", "int K() {" + Enter + " return 1; }")]
    [InlineData("class C { int P => 1; }", "class C { int P { get {" + Enter + " return 1; } } }")]
    [InlineData("Func<int, int> f = n => f(n);", "Func<int, int> f = n => {" + Enter + " return f(n); };")]
    [InlineData("Action<int> a = n => a(n);", "Action<int> a = n => {" + Enter + " a(n); };")]
    [InlineData("Func<Task> t = async () => await t();", "Func<Task> t = async () => {" + Enter + " await t(); };")]
    [InlineData("var s = xs.Select(n => n + 1);", null)]
    [InlineData("Action a = () => { go(); };", "Action a = () => {" + Enter + " go(); };")]
    [InlineData("var a = 1;\nvar b = a;", "var a = 1;\n" + Poll + "var b = a;")]
    [InlineData("await Task.Delay(1);\nConsole.WriteLine();", "await Task.Delay(1);\n" + Poll + "Console.WriteLine();")]
    [InlineData("async Task L() { await Task.Delay(1); go(); }", "async Task L() {" + Enter + " await Task.Delay(1);" + Poll + " go(); }")]
    public void Checks_GoWhereExpected(string code, string? expected) => Assert.Equal(expected, Instrument(code));

    [Fact]
    public void Checks_NeverMoveALine_AndTopLevelStatementsAfterTheFirstGetOne()
    {
        var code = "var total = 0;\nfor (int i = 0; i < 3; i++)\n    total += i;\nint F(int n) =>\n    n < 1 ? 0 : F(n - 1);\nwhile (total < 10)\n{\n    total++;\n}\ntotal";
        var expected = "var total = 0;\n" + Poll + "for (int i = 0; i < 3; i++)\n    {" + Poll + "total += i;}\nint F(int n) {" + Enter + " return\n" +
                       "    n < 1 ? 0 : F(n - 1); }\n" + Poll + "while (total < 10)\n{" + Poll + "\n    total++;\n}\n" + Poll + "total";
        var instrumented = Instrument(code);
        Assert.Equal(expected, instrumented);
        Assert.Equal(code.Split('\n').Length, instrumented!.Split('\n').Length);
    }
}
