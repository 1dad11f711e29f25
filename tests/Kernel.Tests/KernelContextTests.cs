using System.Text.Json.Nodes;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Tests;

/// <summary>In-process tests of cells, magics and the IKernelContext given to magic commands (no sockets bound).</summary>
public sealed class KernelContextTests : IDisposable
{
    private readonly KernelServer _server;
    private readonly KernelHost _host;
    private readonly MagicRegistry _magics = MagicRegistry.CreateDefault();
    private readonly RecordingMagic _recording = new();

    private sealed class RecordingMagic : IMagicCommand
    {
        public string Name => "probe";
        public string Description => "Test magic: publishes a variable and reads one.";
        public IReadOnlyList<MagicOption> Options { get; } = [new MagicOption("name", "Variable to declare.") { Required = true }];
        public List<string> Seen { get; } = [];

        public async Task RunAsync(MagicInvocation invocation, IKernelContext context)
        {
            Seen.Add("before:" + string.Join(",", context.VariableNames.Order()));
            await context.SetVariableAsync(invocation.GetString("name")!, new List<int> { 1, 2, 3 });
            await invocation.ContinueAsync();
            Seen.Add("after:" + (context.TryGetVariable("fromCell", out var v) ? v : "missing"));
            context.CancellationToken.ThrowIfCancellationRequested();
        }
    }

    public KernelContextTests()
    {
        _server = new KernelServer(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));
        _magics.Group("nas").Add(_recording);
        _host = new KernelHost(_server, _magics, restartInProcess: true);
    }

    public void Dispose() => _server.Dispose();

    private static string Status(JsonObject reply) => reply["status"]!.GetValue<string>();

    [Fact]
    public async Task Continuations_InheritTheDefaultReferencesInsteadOfRepeatingThem()
    {
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("ok", Status(await _host.ExecuteForTestAsync($"var v{i} = {i};")));
        }
        var reply = await _host.ExecuteForTestAsync("var total = v0 + v4 + new List<int> { 1 }.Select(x => x).Count() + Formatter.MaxTableRows + System.Text.Json.JsonSerializer.Serialize(1).Length;");
        Assert.Equal("ok", Status(reply));
        var compilation = _host.Engine.State!.Script.GetCompilation();
        // Repeating the defaults made each submission's reference list one copy longer than the previous one's.
        Assert.Empty(compilation.References);
        Assert.Contains(compilation.ReferencedAssemblyNames, a => a.Name == "System.Text.Json");
        Assert.Contains(compilation.ReferencedAssemblyNames, a => a.Name == "nasnotebooks-kernel");
    }

    [Fact]
    public async Task Cells_CompileSequentially()
    {
        // Relies on a private field of Roslyn's Script: fails when a Roslyn update renames it.
        Assert.True(ScriptEngine.CompilesSequentially);
        Assert.Equal("ok", Status(await _host.ExecuteForTestAsync("var first = 1;")));
        Assert.False(_host.Engine.State!.Script.GetCompilation().Options.ConcurrentBuild);
        Assert.Equal("ok", Status(await _host.ExecuteForTestAsync("var second = first + 1;")));
        Assert.False(_host.Engine.State!.Script.GetCompilation().Options.ConcurrentBuild);
        Assert.Equal(2, (int)_host.Engine.Variables.Last(v => v.Name == "second").Value!);
    }

    [Fact]
    public async Task Magic_SetsVariable_RunsCellInside_AndReadsItsVariables()
    {
        Assert.Equal("ok", Status(await _host.ExecuteForTestAsync("var existing = 1;")));
        var reply = await _host.ExecuteForTestAsync("#!nas probe --name numbers\nvar fromCell = numbers.Sum();");
        Assert.Equal("ok", Status(reply));
        Assert.Equal(["before:existing", "after:6"], _recording.Seen);
        Assert.Equal(6, ((IKernelContext)_host).GetVariable<int>("fromCell"));
        var typed = ((IKernelContext)_host).GetVariable<List<int>>("numbers");
        Assert.Equal([1, 2, 3], typed);
    }

    [Fact]
    public async Task GetVariable_NamesMissingOrMistypedVariables()
    {
        IKernelContext ctx = _host;
        Assert.Equal("error: no variable named 'nope' is defined in this session",
            Assert.Throws<MagicUsageException>(() => ctx.GetVariable<int>("nope")).Message);
        await _host.ExecuteForTestAsync("var s = \"text\";");
        Assert.Equal("error: variable 's' is a String, expected Int32",
            Assert.Throws<MagicUsageException>(() => ctx.GetVariable<int>("s")).Message);
    }

    [Fact]
    public async Task MagicUsageError_IsAnErrorReply()
    {
        var reply = await _host.ExecuteForTestAsync("#!nas probe\n1");
        Assert.Equal("error", Status(reply));
        Assert.Equal("MagicUsageError", reply["ename"]!.GetValue<string>());
        Assert.Equal("error: missing required option --name for '#!nas probe'; see '#!nas probe --help'", reply["evalue"]!.GetValue<string>());
        Assert.Empty(_recording.Seen);
    }

    [Fact]
    public async Task HelpOption_DoesNotRunTheCell()
    {
        var reply = await _host.ExecuteForTestAsync("#!nas probe --help\nvar ranAnyway = 1;");
        Assert.Equal("ok", Status(reply));
        Assert.Empty(_recording.Seen);
        Assert.False(((IKernelContext)_host).TryGetVariable("ranAnyway", out _));
    }

    [Fact]
    public async Task RuntimeErrorInCell_KeepsEarlierState()
    {
        await _host.ExecuteForTestAsync("var keep = 5;");
        var reply = await _host.ExecuteForTestAsync("throw new ArgumentException(\"bad arg\");");
        Assert.Equal("System.ArgumentException", reply["ename"]!.GetValue<string>());
        Assert.Equal("bad arg", reply["evalue"]!.GetValue<string>());
        Assert.Equal("ok", Status(await _host.ExecuteForTestAsync("keep + 1")));
        Assert.Equal(5, ((IKernelContext)_host).GetVariable<int>("keep"));
    }

    [Fact]
    public async Task Cell_CanReachKernelGlobalsAndDefaultImports()
    {
        var reply = await _host.ExecuteForTestAsync(
            "var token = Kernel.CancellationToken; var same = token == CancellationToken; var list = new List<int> { 3, 1 }.OrderBy(x => x).ToList(); await Task.Delay(1);");
        Assert.Equal("ok", Status(reply));
        Assert.True(((IKernelContext)_host).GetVariable<bool>("same"));
    }
}

public sealed class CellExtensibilityTests : IDisposable
{
    private readonly KernelServer _server = new(new ConnectionInfo("tcp", "127.0.0.1", 1, 2, 3, 4, 5, "", "hmac-sha256"));

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Cell_CanRegisterMagic_UsedByLaterCells()
    {
        var magics = MagicRegistry.CreateDefault();
        var host = new KernelHost(_server, magics, restartInProcess: true);
        var define = """
            class Hello : IMagicCommand
            {
                public string Name => "hello";
                public string Description => "Greets.";
                public IReadOnlyList<MagicOption> Options { get; } = [new MagicOption("who", "Name.") { Default = "world" }];
                public async Task RunAsync(MagicInvocation invocation, IKernelContext context)
                {
                    await context.SetVariableAsync("greeting", "hello " + invocation.GetString("who"));
                }
            }
            Kernel.Magics.Group("nas").Add(new Hello());
            """;
        var reply = await host.ExecuteForTestAsync(define);
        Assert.Equal("ok", reply["status"]!.GetValue<string>());
        Assert.Contains(magics.Find("nas")!.Subcommands, s => s.Name == "hello");
        reply = await host.ExecuteForTestAsync("#!nas hello --who notebook\nvar shout = greeting.ToUpperInvariant();");
        Assert.Equal("ok", reply["status"]!.GetValue<string>());
        Assert.Equal("HELLO NOTEBOOK", ((IKernelContext)host).GetVariable<string>("shout"));
    }
}
