using System.Buffers.Binary;
using System.Text;

namespace NasNotebooks.Runtime.Tests.Torch;

/// <summary>The build's libLibTorchSharp.so fix (build/TorchSharpNativeFix.targets) on the test's own output copy.</summary>
[Collection(TorchTestData.Collection)]
public class NativeLibraryFixTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static readonly string[] SystemLibStdCxx =
        ["/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6"];

    [SkippableFact]
    public void OutputCopyNeedsGlibcxx3432OnlyWeaklyWhereTheSystemLacksIt()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string? system = SystemLibStdCxx.FirstOrDefault(File.Exists);
        Skip.IfNot(OperatingSystem.IsLinux(), "the fix applies to Linux output folders only");
        Skip.IfNot(File.Exists(lib), $"{lib} is absent: not a linux-x64 output folder");
        Skip.If(system is null, $"no system libstdc++ found (looked at {string.Join(", ", SystemLibStdCxx)})");
        bool systemHasIt = Encoding.ASCII.GetString(File.ReadAllBytes(system!)).Contains(Version + "\0", StringComparison.Ordinal);
        var (weak, boundSymbols) = Inspect(File.ReadAllBytes(lib));
        Skip.If(systemHasIt, $"{system} has {Version}: nothing to fix, the library loads as shipped");
        Assert.True(weak, $"{lib}: {Version} is not marked weak");
        Assert.Empty(boundSymbols);
    }

    /// <summary>Reads whether <see cref="Version"/> is weak in .gnu.version_r and which dynamic symbols still use it.</summary>
    private static (bool Weak, List<string> Bound) Inspect(byte[] b)
    {
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(0x3C));
        long Sh(int i) => shoff + (long)i * shentsize;
        uint Type(int i) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)Sh(i) + 4));
        long Off(int i) => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan((int)Sh(i) + 0x18));
        long Size(int i) => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan((int)Sh(i) + 0x20));
        int Link(int i) => (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)Sh(i) + 0x28));
        string Str(long o) => Encoding.ASCII.GetString(b, (int)o, Array.IndexOf(b, (byte)0, (int)o) - (int)o);
        int verneed = Enumerable.Range(0, shnum).Single(i => Type(i) == 0x6ffffffe);
        int versym = Enumerable.Range(0, shnum).Single(i => Type(i) == 0x6fffffff);
        int dynsym = Enumerable.Range(0, shnum).Single(i => Type(i) == 11);
        long strtab = Off(Link(verneed));
        int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)Sh(verneed) + 0x2C));
        long pos = Off(verneed);
        bool weak = false;
        int index = -1;
        for (int n = 0; n < count; n++)
        {
            int cnt = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 2));
            long aux = pos + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 8));
            for (int k = 0; k < cnt; k++)
            {
                if (Str(strtab + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)aux + 8))) == Version)
                {
                    weak = (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)aux + 4)) & 2) != 0;
                    index = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)aux + 6)) & 0x7fff;
                }
                aux += BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)aux + 12));
            }
            pos += BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 12));
        }
        Assert.True(index >= 0, $"the library does not reference {Version} at all");
        var bound = new List<string>();
        long dynstr = Off(Link(dynsym));
        for (long i = 0; i < Size(dynsym) / 24; i++)
        {
            if ((BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)(Off(versym) + 2 * i))) & 0x7fff) == index)
            {
                bound.Add(Str(dynstr + BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)(Off(dynsym) + 24 * i)))));
            }
        }
        return (weak, bound);
    }
}
