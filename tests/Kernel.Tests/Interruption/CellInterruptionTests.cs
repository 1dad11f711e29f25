using System.Diagnostics;
using System.Text.Json.Nodes;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Tests.Interruption;

/// <summary>
/// In-process tests of interrupting C# cells (KernelHost without sockets): the checks added to cells keep their
/// meaning and their compile errors' positions, an interrupt stops code compiled in earlier cells, a cell stuck in a
/// native call is abandoned and its late state dropped, runaway recursion is an error. The same cases through the real
/// jupyter_client, in C# and F#, are in <see cref="InterruptTests"/>.
/// </summary>
[Collection("CellGuard state")]
public sealed class CellInterruptionTests : IDisposable
{
    private readonly KernelServer _server;
    private readonly KernelHost _host;

    public CellInterruptionTests()
    {
        _server = new KernelServer(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));
        _host = new KernelHost(_server, MagicRegistry.CreateDefault(), restartInProcess: true);
    }

    public void Dispose() => _server.Dispose();

    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "<null>";

    private async Task<JsonObject> Ok(string code)
    {
        var reply = await _host.ExecuteForTestAsync(code);
        Assert.True(S(reply["status"]) == "ok", $"cell failed: {reply.ToJsonString()}\n{code}");
        return reply;
    }

    private object? Variable(string name) => _host.Engine.Variables.Last(v => v.Name == name).Value;

    [Fact]
    public void SubmissionsCompileBeforeTheyRun()
    {
        // Relies on an internal method of Roslyn's Script: fails when a Roslyn update renames it.
        Assert.True(ScriptEngine.CompilesBeforeRunning);
    }

    [Theory]
    [InlineData("for (int i = 0; i < 3; i++)\n{\n    int y = \"s\";\n}", "(3,13): error CS0029: Cannot implicitly convert type 'string' to 'int'")]
    [InlineData("while (true) { int y = \"s\"; }", "(1,24): error CS0029: Cannot implicitly convert type 'string' to 'int'")]
    [InlineData("var a = 1;\nint F(int n) => n + \"x\";\nvar b = 2;", "(2,17): error CS0029: Cannot implicitly convert type 'string' to 'int'")]
    [InlineData("var a = 1;\nvoid G() { for (;;) { undefinedName++; } }", "(2,23): error CS0103: The name 'undefinedName' does not exist in the current context")]
    public async Task CompileErrors_InCellsThatGetChecks_PointIntoTheCellAsWritten(string code, string expected)
    {
        var reply = await _host.ExecuteForTestAsync(code);
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("CompilationError", S(reply["ename"]));
        Assert.Equal(expected, S(reply["evalue"]));
    }

    [Fact]
    public async Task CellsWithChecks_KeepTheirMeaning()
    {
        await Ok("""
            int total = 0;
            for (int i = 0; i < 4; i++) total += i;
            foreach (var x in new[] { 10, 20 }) { total += x; }
            int w = 0; while (w < 3) w++;
            do { w++; } while (w < 5);
            int g = 0; again: g++; if (g < 3) goto again;
            switch (g) { case 3: goto default; default: total += 100; break; }
            int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);
            void Add(int n) => total += n;
            async Task<int> TwiceAsync(int n) { await Task.Yield(); return 2 * n; }
            async Task NoteAsync() => await Task.Yield();
            string Fail() => throw new InvalidOperationException("never called");
            Func<int, int> square = n => n * n;
            Func<int, int> fact = null!;
            fact = n => n <= 1 ? 1 : n * fact(n - 1);
            Action<int> addTwice = n => Add(2 * n);
            Func<Task> yieldOnce = async () => await Task.Yield();
            Func<Task<int>> three = async () => { await Task.Yield(); return 3; };
            System.Linq.Expressions.Expression<Func<int, int>> tree = n => n + 1;
            Add(Fib(10));
            addTwice(1);
            await yieldOnce();
            await NoteAsync();
            var result = total + square(3) + fact(5) + await TwiceAsync(4) + await three() + tree.Compile()(1);
            """);
        // 0+1+2+3 + 10+20 + 100 + Fib(10)=55 + 2 + 9 + 120 + 8 + 3 + 2
        Assert.Equal(6 + 30 + 100 + 55 + 2 + 9 + 120 + 8 + 3 + 2, Variable("result"));
        await Ok("""
            class Counter
            {
                private int _n;
                public Counter(int start) => _n = start;
                public int Value => _n;
                public int this[int k] => _n * k;
                public int Next { get { return ++_n; } set => _n = value; }
                public static Counter operator +(Counter a, int b) => new Counter(a._n + b);
                public override string ToString() => $"Counter({_n})";
                public event EventHandler? Changed { add { } remove { } }
            }
            record Pair(int A, int B) { public int Sum() => A + B; }
            var c = new Counter(1) + 4;
            c.Next = c[2];
            var described = $"{c} {c.Next} {new Pair(2, 3).Sum()} {c.Value}";
            """);
        Assert.Equal("Counter(10) 11 5 11", Variable("described"));
        Assert.Equal(0, _host.Engine.CellsRunAsWritten);
        await Ok("var k = 5;\nfor (int i = 0; i < 2; i++) k++;\nk * 2");
        Assert.Equal(7, Variable("k"));
        Assert.Equal(0, _host.Engine.CellsRunAsWritten);
    }

    [Fact]
    public async Task CellWhoseChecksDontCompile_RunsAsWritten()
    {
        // The lambda in Holder.Set is an Action, but `f` is (last) declared as a Func in the cell: the check guesses a
        // returned value, which doesn't compile; the cell then runs without checks.
        await Ok("class Holder { public Action<int> f = null!; public void Set() { f = n => Console.WriteLine(n); } }\n" +
                 "Func<int, int> f = null!;\nf = n => n + 1;\nvar answer = f(41);");
        Assert.Equal(42, Variable("answer"));
        Assert.Equal(1, _host.Engine.CellsRunAsWritten);
    }

    [Fact]
    public async Task Interrupt_StopsALoopInAMethodOfAnEarlierCell_AndKeepsTheSession()
    {
        await Ok("var before = 41;\nlong Spin(string flag) { AppContext.SetData(flag, true); long n = 0; while (true) n++; }");
        var flag = "h14-spin-" + Guid.NewGuid().ToString("N");
        var running = _host.ExecuteForTestAsync($"Spin(\"{flag}\")");
        await WaitFor(() => AppContext.GetData(flag) is true);
        var sw = Stopwatch.StartNew();
        _host.Interrupt();
        var reply = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"reply after {sw.Elapsed}");
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("OperationCanceledException", S(reply["ename"]));
        Assert.Equal("The cell was interrupted.", S(reply["evalue"]));
        await Ok("var after = before + 1;");
        Assert.Equal(42, Variable("after"));
    }

    [Fact]
    public async Task CellStuckInANativeCall_IsAbandoned_TheNextCellRunsOnAnotherThread_AndItsLateStateIsDropped()
    {
        await Ok("var before = 41;");
        var flag = "h14-native-" + Guid.NewGuid().ToString("N");
        var running = _host.ExecuteForTestAsync(
            "[System.Runtime.InteropServices.DllImport(\"libc\")] static extern uint sleep(uint seconds);\n" +
            $"var late = 1;\nAppContext.SetData(\"{flag}-thread\", Environment.CurrentManagedThreadId);\nAppContext.SetData(\"{flag}\", true);\nsleep(2);\nlate = 2;");
        await WaitFor(() => AppContext.GetData(flag) is true);
        var sw = Stopwatch.StartNew();
        _host.Interrupt();
        var reply = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1.8), $"reply after {sw.Elapsed}: not abandoned before the native call returned");
        Assert.Equal("OperationCanceledException", S(reply["ename"]));
        Assert.Contains("may still be running in the background", S(reply["evalue"]));
        await Ok("var after = before + 1;\nvar afterThread = Environment.CurrentManagedThreadId;");
        Assert.Equal(42, Variable("after"));
        Assert.NotEqual(AppContext.GetData(flag + "-thread"), Variable("afterThread"));
        // When the native call returns, the abandoned cell stops at its next check; its variables never become the session's.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var late = await _host.ExecuteForTestAsync("late");
        Assert.Contains("CS0103", S(late["evalue"]));
        await Ok("var still = after;");
        Assert.Equal(42, Variable("still"));
    }

    [Fact]
    public async Task RunawayRecursion_IsAnErrorWithAShortTraceback_AndTheSessionLives()
    {
        await Ok("var before = 41;");
        var reply = await _host.ExecuteForTestAsync("int Down(int n) => Down(n + 1) + 1;\nDown(0)");
        Assert.Equal("error", S(reply["status"]));
        Assert.Equal("System.InsufficientExecutionStackException", S(reply["ename"]));
        Assert.StartsWith("Recursion too deep", S(reply["evalue"]));
        var traceback = reply["traceback"]!.AsArray().Select(S).ToList();
        Assert.True(traceback.Count < 50, string.Join("\n", traceback));
        Assert.Contains(traceback, l => l.Contains(".Down", StringComparison.Ordinal));
        Assert.Contains(traceback, l => l.Contains("repeated", StringComparison.Ordinal));
        await Ok("var after = before + 1;");
        Assert.Equal(42, Variable("after"));
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), "the cell did not start");
            await Task.Delay(10);
        }
        await Task.Delay(100);
    }
}
