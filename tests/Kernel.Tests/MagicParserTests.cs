using NasNotebooks.Magics;
namespace NasNotebooks.Kernel.Tests;

public sealed class MagicParserTests
{
    private sealed class FakeSearch : IMagicCommand
    {
        public string Name => "search";
        public string Description => "Run a search.";
        public IReadOnlyList<MagicOption> Options { get; } =
        [
            new MagicOption("trials", "Number of trials.") { Alias = "-n", Kind = MagicValueKind.Integer, Default = "100" },
            new MagicOption("algo", "Algorithm.") { AllowedValues = ["random", "evolution"] },
            new MagicOption("lr", "Learning rate.") { Kind = MagicValueKind.Number },
            new MagicOption("resume", "Resume the study.") { Kind = MagicValueKind.Flag },
            new MagicOption("study", "Study name.") { Required = true },
        ];
        public IReadOnlyList<MagicArgument> Arguments { get; } = [new MagicArgument("space", "Variable holding the search space.")];
        public Task RunAsync(MagicInvocation invocation, IKernelContext context) => Task.CompletedTask;
    }

    private static MagicRegistry Registry()
    {
        var r = MagicRegistry.CreateDefault();
        r.Group("nas").Add(new FakeSearch());
        return r;
    }

    [Fact]
    public void Parse_SubcommandOptionsFlagsAndArguments()
    {
        var inv = Registry().Parse("#!nas search mySpace --trials 20 --algo evolution --resume --study \"my study\" --lr=1e-3");
        Assert.Equal("#!nas search", inv.CommandPath);
        Assert.Equal("search", inv.Command.Name);
        Assert.Equal(["mySpace"], inv.Arguments);
        Assert.Equal(20, inv.GetInt("trials"));
        Assert.Equal("evolution", inv.GetString("algo"));
        Assert.True(inv.Has("resume"));
        Assert.Equal("my study", inv.GetString("study"));
        Assert.Equal(1e-3, inv.GetDouble("lr"));
        Assert.False(inv.HelpRequested);
    }

    [Fact]
    public void Parse_AliasAndDefaults()
    {
        var inv = Registry().Parse("#!nas search -n 7 --study s");
        Assert.Equal(7, inv.GetInt("trials"));
        Assert.Null(inv.GetString("algo"));
        var defaults = Registry().Parse("#!nas search --study s");
        Assert.Equal(100, defaults.GetInt("trials"));
        Assert.False(defaults.Has("trials"));
    }

    [Fact]
    public void Parse_NegativeNumberIsAValue()
    {
        var inv = Registry().Parse("#!nas search --lr -0.5 --study s");
        Assert.Equal(-0.5, inv.GetDouble("lr"));
    }

    [Theory]
    [InlineData("#!nas search --foo 1 --study s", "error: unknown option --foo for '#!nas search'; see '#!nas search --help'")]
    [InlineData("#!nas search --trials abc --study s", "error: option --trials for '#!nas search' expects an integer, got 'abc'; see '#!nas search --help'")]
    [InlineData("#!nas search --lr fast --study s", "error: option --lr for '#!nas search' expects a number, got 'fast'; see '#!nas search --help'")]
    [InlineData("#!nas search --algo grid --study s", "error: invalid value 'grid' for option --algo of '#!nas search' (expected one of: random, evolution); see '#!nas search --help'")]
    [InlineData("#!nas search --study", "error: option --study for '#!nas search' expects a value; see '#!nas search --help'")]
    [InlineData("#!nas search", "error: missing required option --study for '#!nas search'; see '#!nas search --help'")]
    [InlineData("#!nas search a b --study s", "error: unexpected argument 'b' for '#!nas search'; see '#!nas search --help'")]
    [InlineData("#!nas search --resume=maybe --study s", "error: option --resume for '#!nas search' is a flag and takes no value, got 'maybe'; see '#!nas search --help'")]
    [InlineData("#!nas search --study a --study b", "error: option --study for '#!nas search' is given more than once; see '#!nas search --help'")]
    [InlineData("#!nas serch", "error: unknown subcommand 'serch' for '#!nas'; see '#!nas help'")]
    [InlineData("#!time --unit hours", "error: invalid value 'hours' for option --unit of '#!time' (expected one of: auto, ms, s); see '#!time --help'")]
    [InlineData("#!nas search --study \"open", "error: unterminated \" quote in '#!nas search --study \"open'")]
    public void Parse_BadArguments_GiveErrorsNamingThem(string line, string message)
    {
        var e = Assert.Throws<MagicUsageException>(() => Registry().Parse(line));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_UnknownCommand_ListsKnownOnes()
    {
        var e = Assert.Throws<MagicUsageException>(() => Registry().Parse("#!foo"));
        Assert.Equal("error: unknown magic command '#!foo'; known commands: #!nas, #!time", e.Message);
    }

    [Fact]
    public void Parse_TypedGetterReportsBadValueForUntypedOption()
    {
        var inv = Registry().Parse("#!nas search --algo random --study s");
        var e = Assert.Throws<MagicUsageException>(() => inv.GetInt("algo"));
        Assert.Equal("error: option --algo for '#!nas search' expects an integer, got 'random'; see '#!nas search --help'", e.Message);
    }

    [Fact]
    public void Help_SkipsRequiredChecks_AndListsOptions()
    {
        var inv = Registry().Parse("#!nas search --help");
        Assert.True(inv.HelpRequested);
        var help = MagicRegistry.HelpText(inv.Command, inv.CommandPath);
        Assert.Contains("Usage: #!nas search [<space>] [options]", help);
        Assert.Contains("-n, --trials <int>", help);
        Assert.Contains("(default: 100)", help);
        Assert.Contains("--algo <random|evolution>", help);
        Assert.Contains("--study <value>", help);
        Assert.Contains("(required)", help);
        Assert.Contains("-h, --help", help);
    }

    [Fact]
    public void GroupHelp_ListsSubcommands()
    {
        var help = MagicRegistry.HelpText(Registry().Find("nas")!, "#!nas");
        Assert.Contains("Subcommands:", help);
        Assert.Contains("  help", help);
        Assert.Contains("  search", help);
    }

    [Fact]
    public void SplitCell_ExtractsLeadingMagics_AndKeepsLineNumbers()
    {
        var (magics, code) = MagicRegistry.SplitCell("#!time\n\n#!nas help\nvar x = 1;\n#!not a magic here\nx");
        Assert.Equal([(1, "#!time"), (3, "#!nas help")], magics);
        Assert.Equal("\n\n\nvar x = 1;\n#!not a magic here\nx", code);
        var (none, same) = MagicRegistry.SplitCell("var y = 2;");
        Assert.Empty(none);
        Assert.Equal("var y = 2;", same);
    }

    [Fact]
    public void Tokenize_HandlesQuotesAndEscapes()
    {
        Assert.Equal(["#!a", "b c", "d", "e\"f", "g h"], MagicRegistry.Tokenize("#!a \"b c\"  d \"e\\\"f\" 'g h'"));
    }

    [Fact]
    public void Complete_MagicNamesSubcommandsAndOptions()
    {
        var r = Registry();
        Assert.Equal(["#!nas"], r.Complete("#!n", 3).Matches);
        var (start, subs) = r.Complete("#!nas se", 8);
        Assert.Equal(6, start);
        Assert.Equal(["search"], subs);
        Assert.Equal(["--trials"], r.Complete("#!nas search --tr", 17).Matches);
        Assert.Contains("--help", r.Complete("#!time -", 8).Matches);
    }

    [Fact]
    public void Group_AddReplacesByName()
    {
        var r = Registry();
        var before = r.Find("nas")!.Subcommands.Select(s => s.Name).ToList();
        r.Group("nas").Add(new FakeSearch());
        var after = r.Find("nas")!.Subcommands;
        Assert.Equal(before.Contains("search") ? before : [.. before, "search"], after.Select(s => s.Name));
        Assert.IsType<FakeSearch>(after.Single(s => s.Name == "search"));
    }
}
