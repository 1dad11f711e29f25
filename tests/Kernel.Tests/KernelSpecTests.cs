namespace NasNotebooks.Kernel.Tests;

public sealed class KernelSpecTests
{
    [Fact]
    public void KernelJson_HasArgvDisplayNameLanguageAndInterruptMode()
    {
        var json = KernelSpec.KernelJson(KernelSpec.LaunchCommand(), KernelSpec.DisplayName, "message");
        var argv = json["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal(5, argv.Length);
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(argv[0]));
        Assert.True(Path.IsPathRooted(argv[1]));
        Assert.Equal("nasnotebooks-kernel.dll", Path.GetFileName(argv[1]));
        Assert.Equal(["run", "--connection-file", "{connection_file}"], argv[2..]);
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
            var install = Cli("install", "--prefix", prefix, "--name", "cli-test");
            Assert.True(install.Code == 0, install.Err);
            var spec = Path.Combine(prefix, "share", "jupyter", "kernels", "cli-test", "kernel.json");
            Assert.True(File.Exists(spec));
            Assert.Contains(PythonJupyter.KernelDll, File.ReadAllText(spec).Replace("\\\\", "\\", StringComparison.Ordinal));
            var list = Cli("list", "--prefix", prefix);
            Assert.Contains("cli-test", list.Out);
            Assert.Equal(0, Cli("uninstall", "--prefix", prefix, "--name", "cli-test").Code);
            Assert.False(File.Exists(spec));
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
            var r = PythonJupyter.Run([PythonJupyter.KernelDll, "install", "--user"], new Dictionary<string, string> { ["JUPYTER_DATA_DIR"] = dataDir }, TimeSpan.FromMinutes(2), PythonJupyter.Dotnet);
            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.True(File.Exists(Path.Combine(dataDir, "kernels", "nasnotebooks-csharp", "kernel.json")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "install", "--bogus" }, "error: unknown option --bogus for 'install'")]
    [InlineData(new[] { "install", "--prefix" }, "error: option --prefix for 'install' expects a value")]
    [InlineData(new[] { "install", "--interrupt-mode", "telepathy" }, "error: invalid value 'telepathy' for --interrupt-mode (expected message or signal)")]
    [InlineData(new[] { "frobnicate" }, "error: unknown command 'frobnicate'")]
    [InlineData(new[] { "run" }, "error: run needs --connection-file FILE")]
    [InlineData(new[] { "run", "--connection-file", "/nonexistent/c.json" }, "error: cannot read connection file '/nonexistent/c.json'")]
    public void BadArguments_ExitWithUsageError(string[] args, string message)
    {
        var r = Cli(args);
        Assert.Equal(2, r.Code);
        Assert.StartsWith(message, r.Err);
    }
}
