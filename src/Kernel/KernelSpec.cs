using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel;

/// <summary>Writes, lists and removes the kernelspec (kernel.json and logos) in Jupyter data directories.</summary>
internal static class KernelSpec
{
    public const string DefaultName = "nasnotebooks-csharp";
    public const string DisplayName = "C# (NasNotebooks)";

    /// <summary>The user's Jupyter data dir: <c>$JUPYTER_DATA_DIR</c> or <c>~/.local/share/jupyter</c>.</summary>
    public static string UserDataDir()
    {
        var env = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share", "jupyter") : Path.Combine(xdg, "jupyter");
    }

    /// <summary>The kernels folder for a prefix (<c>P/share/jupyter/kernels</c>) or the user's data dir.</summary>
    public static string KernelsDir(string? prefix) =>
        prefix is null ? Path.Combine(UserDataDir(), "kernels") : Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");

    /// <summary>The file name of this assembly (the kernel, the worker and the command line are one program).</summary>
    public const string AssemblyFile = "nasnotebooks-kernel.dll";

    /// <summary>
    /// The command that starts this kernel. Installed as a dotnet tool (the dll under a tool folder's
    /// <c>.store</c>): the tool's own command (<c>TOOLS/nasnotebooks kernel run -f {connection_file}</c>), which
    /// stays valid when the tool is updated; otherwise the dotnet host and the absolute path of this dll.
    /// </summary>
    public static IReadOnlyList<string> LaunchCommand() => LaunchCommand(typeof(KernelSpec).Assembly.Location);

    internal static IReadOnlyList<string> LaunchCommand(string dll)
    {
        string[] run = ["kernel", "run", "-f", "{connection_file}"];
        return ToolCommand(dll) is { } tool ? [tool, .. run] : [DotnetHost(), dll, .. run];
    }

    /// <summary>The tool's command beside the <c>.store</c> folder that holds <paramref name="dll"/>, when it exists.</summary>
    internal static string? ToolCommand(string dll)
    {
        var marker = $"{Path.DirectorySeparatorChar}.store{Path.DirectorySeparatorChar}";
        var at = dll.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) return null;
        var command = Path.Combine(dll[..at], Cli.NasCommandLine.ToolName + (OperatingSystem.IsWindows() ? ".exe" : ""));
        return File.Exists(command) ? command : null;
    }

    internal static string DotnetHost()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            return process;
        }
        var hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath))
        {
            return hostPath;
        }
        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll -> <root>/dotnet
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        var root = runtimeDir is null ? null : Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var candidate = root is null ? null : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return candidate is not null && File.Exists(candidate) ? candidate : "dotnet";
    }

    public static JsonObject KernelJson(IReadOnlyList<string> argv, string displayName, string interruptMode)
    {
        var env = new JsonObject();
        if (argv.Count > 0 && Path.GetFileNameWithoutExtension(argv[0]) == Cli.NasCommandLine.ToolName && Path.GetDirectoryName(DotnetHost()) is { Length: > 0 } root)
        {
            // The tool's command finds the runtime through DOTNET_ROOT when it is not in a default place; Jupyter may not have it set.
            env["DOTNET_ROOT"] = root;
        }
        return new()
        {
            ["argv"] = new JsonArray(argv.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["display_name"] = displayName,
            ["language"] = "C#",
            ["interrupt_mode"] = interruptMode,
            ["env"] = env,
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
    }

    /// <summary>Installs the kernelspec; returns its folder.</summary>
    public static string Install(string? prefix, string name, string displayName, string interruptMode)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException($"invalid kernel name '{name}': use letters, digits, '-', '_' or '.'");
        }
        var dir = Path.Combine(KernelsDir(prefix), name);
        Directory.CreateDirectory(dir);
        var json = KernelJson(LaunchCommand(), displayName, interruptMode).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, "kernel.json"), json + "\n");
        File.WriteAllBytes(Path.Combine(dir, "logo-32x32.png"), Logo.Png(32));
        File.WriteAllBytes(Path.Combine(dir, "logo-64x64.png"), Logo.Png(64));
        return dir;
    }

    public static bool Uninstall(string? prefix, string name)
    {
        var dir = Path.Combine(KernelsDir(prefix), name);
        if (!File.Exists(Path.Combine(dir, "kernel.json")))
        {
            return false;
        }
        Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>
    /// Kernelspecs of this kernel found in the user dir, JUPYTER_PATH and the prefix: those whose argv runs
    /// <see cref="AssemblyFile"/> or the <c>nasnotebooks</c> tool. <c>Missing</c> names the program a spec
    /// starts when it no longer exists (e.g. a tool version since removed), else null.
    /// </summary>
    public static IEnumerable<(string Name, string Dir, string? Missing)> List(string? prefix)
    {
        var roots = new List<string> { KernelsDir(null) };
        foreach (var p in (Environment.GetEnvironmentVariable("JUPYTER_PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            roots.Add(Path.Combine(p, "kernels"));
        }
        if (prefix is not null)
        {
            roots.Add(KernelsDir(prefix));
        }
        foreach (var root in roots.Distinct())
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                if (Program(Path.Combine(dir, "kernel.json")) is { } program)
                {
                    yield return (Path.GetFileName(dir), dir, File.Exists(program) ? null : program);
                }
            }
        }
    }

    /// <summary>The dll or tool command a kernel.json of this kernel starts; null for other kernels' specs.</summary>
    private static string? Program(string kernelJson)
    {
        if (!File.Exists(kernelJson)) return null;
        try
        {
            var argv = (JsonNode.Parse(File.ReadAllText(kernelJson))?["argv"] as JsonArray)?.Select(a => a?.GetValue<string>() ?? "").ToArray() ?? [];
            return argv.FirstOrDefault(a => Path.GetFileName(a) == AssemblyFile)
                ?? (argv.Length > 0 && Path.GetFileNameWithoutExtension(argv[0]) == Cli.NasCommandLine.ToolName && Path.IsPathRooted(argv[0]) ? argv[0] : null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}

/// <summary>Generates the kernel logo (a purple square with a white '#') as PNG bytes.</summary>
internal static class Logo
{
    public static byte[] Png(int size)
    {
        var rgba = new byte[size * size * 4];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                int i = (y * size + x) * 4;
                double u = x / (double)size, v = y / (double)size;
                bool hash =
                    (Math.Abs(u - 0.40) < 0.05 || Math.Abs(u - 0.62) < 0.05) && v > 0.2 && v < 0.8 ||
                    (Math.Abs(v - 0.40) < 0.05 || Math.Abs(v - 0.62) < 0.05) && u > 0.2 && u < 0.82;
                rgba[i] = hash ? (byte)255 : (byte)(104 + 40 * u);
                rgba[i + 1] = hash ? (byte)255 : (byte)33;
                rgba[i + 2] = hash ? (byte)255 : (byte)(122 + 60 * v);
                rgba[i + 3] = 255;
            }
        }
        return Encode(size, size, rgba);
    }

    public static byte[] Encode(int width, int height, byte[] rgba)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBE(ihdr, 0, width);
        WriteBE(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        Chunk(ms, "IHDR", ihdr);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);
                    z.Write(rgba, y * width * 4, width * 4);
                }
            }
            Chunk(ms, "IDAT", raw.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        WriteBE(len, 0, data.Length);
        s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = Crc32(typeBytes, data);
        var c = new byte[4];
        WriteBE(c, 0, (int)crc);
        s.Write(c);
    }

    private static void WriteBE(byte[] b, int o, int v)
    {
        b[o] = (byte)(v >> 24);
        b[o + 1] = (byte)(v >> 16);
        b[o + 2] = (byte)(v >> 8);
        b[o + 3] = (byte)v;
    }

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    internal static uint Crc32(params byte[][] parts)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var part in parts)
        {
            foreach (var b in part)
            {
                c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
            }
        }
        return c ^ 0xFFFFFFFFu;
    }
}
