using System.Text.Json.Nodes;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel.Tests;

/// <summary>Roslyn completion and quick info on the session's cells (in process).</summary>
public sealed class CompletionTests
{
    private sealed class NullSink : IOutputSink
    {
        public void Stream(string name, string text) { }
        public void Display(MimeBundle bundle, string? displayId, bool update) { }
        public void FlushStreams() { }
    }

    private static (ScriptEngine Engine, CompletionEngine Completion) Create()
    {
        var magics = MagicRegistry.CreateDefault();
        var engine = new ScriptEngine(new KernelGlobals(new KernelApi(new NullSink(), magics)), Environment.CurrentDirectory);
        return (engine, new CompletionEngine(engine, magics));
    }

    private static string[] Matches(JsonObject reply) => reply["matches"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Members_OfVariablesFromEarlierCells_WithHoistedUsings()
    {
        var (engine, completion) = Create();
        Assert.True((await engine.RunAsync("using System.Text;\nvar sb = new StringBuilder();", default)).Succeeded);
        Assert.True((await engine.RunAsync("var n = 3;\nn", default)).Succeeded);
        var code = "sb.App";
        var reply = await completion.CompleteAsync(code, code.Length);
        Assert.Contains("Append", Matches(reply));
        Assert.Contains("AppendLine", Matches(reply));
        Assert.Equal(3, reply["cursor_start"]!.GetValue<int>());
        Assert.Equal(6, reply["cursor_end"]!.GetValue<int>());
    }

    [Fact]
    public async Task CursorOffsets_SurviveMagicAndUsingLinesInTheCurrentCell()
    {
        var (_, completion) = Create();
        var code = "#!time\n\nusing System.Text;\nvar s = \"abc\";\ns.Len";
        var reply = await completion.CompleteAsync(code, code.Length);
        Assert.Equal(["Length"], Matches(reply));
        Assert.Equal(code.Length - 3, reply["cursor_start"]!.GetValue<int>());
    }

    [Fact]
    public async Task Globals_AreCompleted()
    {
        var (_, completion) = Create();
        var code = "Kernel.Cancel";
        Assert.Contains("CancellationToken", Matches(await completion.CompleteAsync(code, code.Length)));
        code = "disp";
        Assert.Contains("display", Matches(await completion.CompleteAsync(code, code.Length)));
    }

    [Fact]
    public async Task MagicLines_CompleteCommandsSubcommandsAndOptions()
    {
        var (_, completion) = Create();
        Assert.Equal(["#!nas"], Matches(await completion.CompleteAsync("#!na", 4)));
        var reply = await completion.CompleteAsync("#!time --u", 10);
        Assert.Equal(["--unit"], Matches(reply));
        Assert.Equal(7, reply["cursor_start"]!.GetValue<int>());
        var second = await completion.CompleteAsync("var a = 1;\n#!nas h", 18);
        Assert.Equal(["help"], Matches(second));
        Assert.Equal(17, second["cursor_start"]!.GetValue<int>());
    }

    [Fact]
    public async Task Inspect_ShowsSignatureAndMagicHelp()
    {
        var (_, completion) = Create();
        var info = await completion.InspectAsync("Math.Max(1, 2)", 6);
        Assert.True(info["found"]!.GetValue<bool>());
        Assert.Contains("Math.Max", info["data"]!["text/plain"]!.GetValue<string>());
        var group = await completion.InspectAsync("#!nas", 3);
        Assert.Contains("Subcommands:", group["data"]!["text/plain"]!.GetValue<string>());
        var help = await completion.InspectAsync("#!nas help", 3);
        Assert.StartsWith("#!nas help - List the #!nas subcommands.", help["data"]!["text/plain"]!.GetValue<string>());
        var nothing = await completion.InspectAsync("   ", 1);
        Assert.False(nothing["found"]!.GetValue<bool>());
    }
}
