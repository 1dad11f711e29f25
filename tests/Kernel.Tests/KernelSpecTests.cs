namespace NasNotebooks.Kernel.Tests;

public sealed class KernelSpecTests
{
    [Fact]
    public void KernelJson_HasArgvDisplayNameLanguageAndInterruptMode()
    {
        var json = KernelSpec.KernelJson(KernelSpec.LaunchCommand(), KernelSpec.DisplayName, "message");
        var argv = json["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal(6, argv.Length);
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(argv[0]));
        Assert.True(Path.IsPathRooted(argv[1]));
        Assert.Equal("nasnotebooks-kernel.dll", Path.GetFileName(argv[1]));
        Assert.Equal(["kernel", "run", "-f", "{connection_file}"], argv[2..]);
        Assert.Empty(json["env"]!.AsObject());
        Assert.Equal("C# (NasNotebooks)", json["display_name"]!.GetValue<string>());
        Assert.Equal("C#", json["language"]!.GetValue<string>());
        Assert.Equal("message", json["interrupt_mode"]!.GetValue<string>());
    }

    [Fact]
    public void Install_WritesKernelJsonAndLogos_UnderPrefix_ThenUninstall()
    {
        var prefix = Path.Combine(Path.GetTempPath(), "nasnb-spec-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var dir = KernelSpec.Install(prefix, "my-kernel", "Display", "signal");
            Assert.Equal(Path.Combine(prefix, "share", "jupyter", "kernels", "my-kernel"), dir);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "kernel.json")))!;
            Assert.Equal("Display", json["display_name"]!.GetValue<string>());
            Assert.Equal("signal", json["interrupt_mode"]!.GetValue<string>());
            foreach (var (file, size) in new[] { ("logo-32x32.png", 32), ("logo-64x64.png", 64) })
            {
                var png = File.ReadAllBytes(Path.Combine(dir, file));
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
                Assert.Equal(size, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]); // IHDR width
            }
            Assert.Contains(KernelSpec.List(prefix), k => k.Name == "my-kernel");
            Assert.True(KernelSpec.Uninstall(prefix, "my-kernel"));
            Assert.False(Directory.Exists(dir));
            Assert.False(KernelSpec.Uninstall(prefix, "my-kernel"));
        }
        finally
        {
            if (Directory.Exists(prefix))
            {
                Directory.Delete(prefix, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad name")]
    [InlineData("../escape")]
    public void Install_RejectsBadNames(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => KernelSpec.Install(Path.GetTempPath(), name, "x", "message"));
        Assert.Contains("invalid kernel name", e.Message);
    }

    [Fact]
    public void A_tool_install_runs_the_tools_command_which_outlives_updates()
    {
        var tools = Path.Combine(Path.GetTempPath(), "nasnb-tools-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var dll = Path.Combine(tools, ".store", "nasnotebooks.tool", "0.1.0", "nasnotebooks.tool", "0.1.0", "tools", "net10.0", "any", "nasnotebooks-kernel.dll");
            Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
            Assert.Equal(KernelSpec.DotnetHost(), KernelSpec.LaunchCommand(dll)[0]); // no command beside .store: the dll
            File.WriteAllText(Path.Combine(tools, "nasnotebooks"), "");
            var argv = KernelSpec.LaunchCommand(dll);
            Assert.Equal([Path.Combine(tools, "nasnotebooks"), "kernel", "run", "-f", "{connection_file}"], argv);
            var json = KernelSpec.KernelJson(argv, "x", "message");
            Assert.Equal(Path.GetDirectoryName(KernelSpec.DotnetHost()), json["env"]!["DOTNET_ROOT"]!.GetValue<string>());
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    [Fact]
    public void Crc32_MatchesKnownValue()
    {
        // CRC-32 of "IEND" (the constant trailer of every PNG).
        Assert.Equal(0xAE426082u, Logo.Crc32(System.Text.Encoding.ASCII.GetBytes("IEND")));
    }
}

/// <summary>The command line, run as a separate process like a user would.</summary>
public sealed class CommandLineTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var r = PythonJupyter.Run([PythonJupyter.KernelDll, .. args], null, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
        return (r.ExitCode, r.Stdout, r.Stderr);
    }

    [Fact]
    public void InstallListUninstall_WithPrefix()
    {
        var prefix = PythonJupyter.NewTempDir("nasnb-cli");
        try
        {
            var install = Cli("kernel", "install", "--prefix", prefix, "--name", "cli-test");
            Assert.True(install.Code == 0, install.Err);
            var spec = Path.Combine(prefix, "share", "jupyter", "kernels", "cli-test", "kernel.json");
            Assert.True(File.Exists(spec));
            Assert.Contains(PythonJupyter.KernelDll, File.ReadAllText(spec).Replace("\\\\", "\\", StringComparison.Ordinal));
            var list = Cli("kernel", "list", "--prefix", prefix);
            Assert.Contains("cli-test", list.Out);
            Assert.Equal(0, Cli("kernel", "uninstall", "--prefix", prefix, "--name", "cli-test").Code);
            Assert.False(File.Exists(spec));
            var again = Cli("kernel", "uninstall", "--prefix", prefix, "--name", "cli-test");
            Assert.Equal((1, $"error: no kernelspec named 'cli-test' in {Path.Combine(prefix, "share", "jupyter", "kernels")}"), (again.Code, again.Err.TrimEnd()));
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }

    [Fact]
    public void InstallUser_HonoursJupyterDataDir()
    {
        var dataDir = PythonJupyter.NewTempDir("nasnb-data");
        try
        {
            var r = PythonJupyter.Run([PythonJupyter.KernelDll, "kernel", "install", "--user"], new Dictionary<string, string> { ["JUPYTER_DATA_DIR"] = dataDir }, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.True(File.Exists(Path.Combine(dataDir, "kernels", "nasnotebooks-csharp", "kernel.json")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void Help_names_the_tool_and_its_commands()
    {
        var help = Cli("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("  nasnotebooks [command] [options]", help.Out);
        foreach (var command in new[] { "kernel", "worker", "convert <input>" }) Assert.Contains("\n  " + command + " ", help.Out.ReplaceLineEndings("\n"));
        foreach (var old in new[] { "install", "uninstall", "list", "run" }) Assert.DoesNotContain("\n  " + old + " ", help.Out.ReplaceLineEndings("\n")); // the old top-level forms work but are not advertised
        var none = Cli();
        Assert.Equal((2, help.Out), (none.Code, none.Out));
        var kernel = Cli("kernel");
        Assert.Equal(2, kernel.Code);
        Assert.Contains("  nasnotebooks kernel [command] [options]", kernel.Out);
        var worker = Cli("worker", "--help");
        Assert.Equal(0, worker.Code);
        Assert.Contains("--store-retry <DURATION>", worker.Out);
        Assert.Contains("--fail-fast <N>", worker.Out);
    }

    [Theory]
    [InlineData(new[] { "kernel", "install", "--bogus" }, "error: Unrecognized command or argument '--bogus'.", "nasnotebooks kernel install")]
    [InlineData(new[] { "kernel", "install", "--prefix" }, "error: Required argument missing for option: '--prefix'.", "nasnotebooks kernel install")]
    [InlineData(new[] { "kernel", "install", "--interrupt-mode", "telepathy" }, "error: invalid value 'telepathy' for --interrupt-mode (expected message or signal)", "nasnotebooks kernel install")]
    [InlineData(new[] { "kernel", "install", "--user", "--prefix", "/nonexistent/x" }, "error: --user and --prefix cannot be combined", "nasnotebooks kernel install")]
    [InlineData(new[] { "kernel", "install", "--sys-prefix" }, "error: --sys-prefix is not supported; use --prefix DIR", "nasnotebooks kernel install")]
    [InlineData(new[] { "kernel", "install", "--name", "bad name" }, "error: invalid kernel name 'bad name': use letters, digits, '-', '_' or '.'", "nasnotebooks kernel install")]
    [InlineData(new[] { "frobnicate" }, "error: Unrecognized command or argument 'frobnicate'.", "nasnotebooks")]
    [InlineData(new[] { "kernel", "run" }, "error: run needs the connection file: --connection-file FILE", "nasnotebooks kernel run")]
    [InlineData(new[] { "kernel", "run", "--connection-file", "/nonexistent/c.json" }, "error: cannot read connection file '/nonexistent/c.json': it does not exist", "nasnotebooks kernel run")]
    [InlineData(new[] { "convert", "/nonexistent/n.dib" }, "error: input '/nonexistent/n.dib' does not exist", "nasnotebooks convert")]
    [InlineData(new[] { "run" }, "error: run needs the connection file: --connection-file FILE", "nasnotebooks run")]
    public void BadArguments_ExitWithUsageError(string[] args, string message, string command)
    {
        var r = Cli(args);
        Assert.Equal(2, r.Code);
        Assert.Equal([message, $"see '{command} --help'"], r.Err.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
    }
}
