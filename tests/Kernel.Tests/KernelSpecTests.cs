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
