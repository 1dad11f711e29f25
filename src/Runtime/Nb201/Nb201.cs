using System.Globalization;
using NasNotebooks.Dsl;

namespace NasNotebooks.Runtime.Nb201;

/// <summary>
/// The NAS-Bench-201 cell space (Dong &amp; Yang, ICLR 2020): six edges of a 4-node cell, each one of
/// five operations. Edge decisions have ids <c>edge_1_0</c>, <c>edge_2_0</c>, <c>edge_2_1</c>,
/// <c>edge_3_0</c>, <c>edge_3_1</c>, <c>edge_3_2</c> (edge j→i is <c>edge_i_j</c>), in that order.
/// </summary>
public static class Nb201Space
{
    /// <summary>The operations, in candidate order.</summary>
    public static IReadOnlyList<string> Ops { get; } = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    /// <summary>The edge decision ids, in arch-string order.</summary>
    public static IReadOnlyList<string> Edges { get; } = ["edge_1_0", "edge_2_0", "edge_2_1", "edge_3_0", "edge_3_1", "edge_3_2"];

    private static readonly (int To, int From)[] EdgeNodes = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    /// <summary>A new symbolic space: a dictionary of six OneOf over <see cref="Ops"/>.</summary>
    public static SymDict Create()
    {
        var b = Space.Dict();
        foreach (var e in Edges) b.Add(e, new OneOf(Ops.Cast<object?>(), name: e));
        return b.Build();
    }

    /// <summary>The DNA spec of <see cref="Create"/>.</summary>
    public static SpaceSpec Spec() => Space.Spec(Create());

    /// <summary>Op indices per edge from a DNA of <see cref="Spec"/>.</summary>
    /// <exception cref="ArgumentException">The DNA does not have six choices in 0..4.</exception>
    public static int[] OpIndices(Dna dna)
    {
        ArgumentNullException.ThrowIfNull(dna);
        var ch = dna.Children;
        if (dna.Kind != DnaValueKind.None || ch.Count != 6)
            throw new ArgumentException($"An NB201 DNA is a list of 6 op choices (one per edge {string.Join(", ", Edges)}); got '{dna}'.", nameof(dna));
        var idx = new int[6];
        for (int e = 0; e < 6; e++)
        {
            if (ch[e].Kind != DnaValueKind.Int || ch[e].Index >= Ops.Count)
                throw new ArgumentException($"Edge {Edges[e]}: expected an op index in 0..{Ops.Count - 1}, got '{ch[e]}'.", nameof(dna));
            idx[e] = ch[e].Index;
        }
        return idx;
    }

    /// <summary>The official arch string, e.g. <c>|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...~0|...~1|...~2|</c>.</summary>
    public static string ArchString(IReadOnlyList<int> opIndices)
    {
        if (opIndices.Count != 6) throw new ArgumentException($"Expected 6 op indices, got {opIndices.Count}.", nameof(opIndices));
        var sb = new System.Text.StringBuilder("|");
        for (int e = 0; e < 6; e++)
        {
            sb.Append(Ops[opIndices[e]]).Append('~').Append(EdgeNodes[e].From).Append('|');
            if (e == 0 || e == 2) sb.Append("+|");
        }
        return sb.ToString();
    }

    /// <summary>The arch string of a DNA of <see cref="Spec"/>.</summary>
    public static string ArchString(Dna dna) => ArchString(OpIndices(dna));

    /// <summary>The arch string of a materialized cell (a dictionary edge id → op name).</summary>
    /// <exception cref="ArgumentException">An edge is missing or holds an unknown op.</exception>
    public static string ArchString(IReadOnlyDictionary<string, object?> cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var idx = new int[6];
        for (int e = 0; e < 6; e++)
        {
            if (!cell.TryGetValue(Edges[e], out var op)) throw new ArgumentException($"The cell has no '{Edges[e]}' entry (expected keys {string.Join(", ", Edges)}).", nameof(cell));
            int j = op is string s ? IndexOfOp(s) : -1;
            if (j < 0) throw new ArgumentException($"Edge '{Edges[e]}' holds '{op}', which is not one of {string.Join(", ", Ops)}.", nameof(cell));
            idx[e] = j;
        }
        return ArchString(idx);
    }

    /// <summary>Parses an arch string into op indices.</summary>
    /// <exception cref="FormatException">Not of the form <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.</exception>
    public static int[] ParseArch(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        var nodes = arch.Split('+');
        var idx = new List<int>(6);
        bool ok = nodes.Length == 3;
        for (int i = 0; ok && i < 3; i++)
        {
            var node = nodes[i];
            if (node.Length < 2 || node[0] != '|' || node[^1] != '|') { ok = false; break; }
            var parts = node[1..^1].Split('|');
            if (parts.Length != i + 1) { ok = false; break; }
            for (int j = 0; ok && j < parts.Length; j++)
            {
                var opIn = parts[j].Split('~');
                int op = opIn.Length == 2 ? IndexOfOp(opIn[0]) : -1;
                if (op < 0 || opIn[1] != j.ToString(CultureInfo.InvariantCulture)) ok = false;
                else idx.Add(op);
            }
        }
        if (!ok) idx.Clear();
        if (idx.Count != 6) throw new FormatException($"'{arch}' is not an NB201 arch string of the form |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with ops {string.Join(", ", Ops)}.");
        return idx.ToArray();
    }

    /// <summary>The DNA of an arch string.</summary>
    public static Dna Encode(string arch) => Dna.List(ParseArch(arch).Select(Dna.Leaf));

    private static int IndexOfOp(string op)
    {
        for (int i = 0; i < Ops.Count; i++) if (Ops[i] == op) return i;
        return -1;
    }

    internal static int Code(IReadOnlyList<int> idx)
    {
        int c = 0;
        for (int e = 0; e < 6; e++) c = c * 5 + idx[e];
        return c;
    }
}

/// <summary>One architecture of the NB201 table.</summary>
/// <param name="Index">Official NB201 index.</param>
/// <param name="Arch">Arch string.</param>
/// <param name="ValidAccuracy">CIFAR-10 valid-split accuracy (%).</param>
/// <param name="TestAccuracy">CIFAR-10 test accuracy (%).</param>
/// <param name="Params">Parameter count.</param>
public sealed record Nb201Record(int Index, string Arch, double ValidAccuracy, double TestAccuracy, long Params);

/// <summary>
/// A NAS-Bench-201 tabular benchmark read from a CSV file with columns <c>index</c>, <c>arch</c>,
/// <c>cifar10_valid_acc</c>, <c>cifar10_test_acc</c> and <c>params</c> (any order, extra columns
/// ignored). Look up an architecture by DNA of <see cref="Nb201Space.Spec"/>, by arch string or by
/// materialized cell. The protocol: search on <see cref="Nb201Record.ValidAccuracy"/>, report the
/// <see cref="Nb201Record.TestAccuracy"/> of the best-valid architecture.
/// </summary>
public sealed class Nb201Table
{
    /// <summary>Environment variable that may hold the table path (or its folder).</summary>
    public const string EnvironmentVariable = "NASNB_DATA";

    /// <summary>The file name of the CIFAR-10 table.</summary>
    public const string FileName = "nb201-cifar10.csv";

    private readonly Nb201Record?[] _byCode = new Nb201Record?[15625];
    private readonly Dictionary<string, Nb201Record> _byArch = new(StringComparer.Ordinal);

    private Nb201Table(string path) => Path = path;

    /// <summary>Where the table was read from.</summary>
    public string Path { get; }

    /// <summary>All records in file order.</summary>
    public IReadOnlyList<Nb201Record> Records { get; private set; } = [];

    /// <summary>Reads a table.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="validColumn">Column read as <see cref="Nb201Record.ValidAccuracy"/> (the search objective), e.g. another data set's valid accuracy in a table of the same format.</param>
    /// <param name="testColumn">Column read as <see cref="Nb201Record.TestAccuracy"/> (what the protocol reports).</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>; the message names it.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or lacks a column; the message names the path, line and problem.</exception>
    public static Nb201Table Load(string path, string validColumn = "cifar10_valid_acc", string testColumn = "cifar10_test_acc")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(validColumn);
        ArgumentException.ThrowIfNullOrWhiteSpace(testColumn);
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"NB201 table not found at '{full}'. Pass the path of a CSV with columns index, arch, cifar10_valid_acc, cifar10_test_acc, params (e.g. ../shared/data/{FileName}) or set {EnvironmentVariable}.", full);
        var table = new Nb201Table(full);
        using var reader = new StreamReader(full);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"NB201 table '{full}' is empty; expected a header line with index, arch, cifar10_valid_acc, cifar10_test_acc, params.");
        var cols = header.Split(',').Select(c => c.Trim()).ToList();
        int Col(string name) => cols.IndexOf(name) is var i and >= 0 ? i
            : throw new InvalidDataException($"NB201 table '{full}': header has no '{name}' column (found: {string.Join(", ", cols)}).");
        int ci = Col("index"), ca = Col("arch"), cv = Col(validColumn), ct = Col(testColumn), cp = Col("params");
        var records = new List<Nb201Record>(15625);
        int lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0) continue;
            var f = line.Split(',');
            try
            {
                if (f.Length < cols.Count) throw new FormatException($"expected {cols.Count} fields, found {f.Length}");
                var idx = Nb201Space.ParseArch(f[ca]);
                var rec = new Nb201Record(
                    int.Parse(f[ci], CultureInfo.InvariantCulture), f[ca],
                    double.Parse(f[cv], CultureInfo.InvariantCulture), double.Parse(f[ct], CultureInfo.InvariantCulture),
                    (long)double.Parse(f[cp], CultureInfo.InvariantCulture));
                records.Add(rec);
                table._byCode[Nb201Space.Code(idx)] = rec;
                table._byArch[rec.Arch] = rec;
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"NB201 table '{full}', line {lineNo}: {e.Message}", e);
            }
        }
        if (records.Count == 0) throw new InvalidDataException($"NB201 table '{full}' has a header but no rows.");
        table.Records = records;
        return table;
    }

    /// <summary>
    /// The default table location: <c>$NASNB_DATA</c> (a file, or a folder holding <see cref="FileName"/>),
    /// else <c>&lt;repo&gt;/../shared/data/nb201-cifar10.csv</c> where the repository root is found by
    /// walking up from <paramref name="start"/> (default: the application folder). Null when none exists.
    /// </summary>
    public static string? FindDefault(string? start = null)
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (File.Exists(env)) return System.IO.Path.GetFullPath(env);
            var inDir = System.IO.Path.Combine(env, FileName);
            if (File.Exists(inDir)) return System.IO.Path.GetFullPath(inDir);
        }
        for (var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(dir.FullName, "NasNotebooks.sln")) && !Directory.Exists(System.IO.Path.Combine(dir.FullName, ".git"))
                && !File.Exists(System.IO.Path.Combine(dir.FullName, ".git"))) continue;
            var p = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data", FileName));
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The record of a DNA of <see cref="Nb201Space.Spec"/>.</summary>
    /// <exception cref="KeyNotFoundException">The table has no row for it.</exception>
    public Nb201Record this[Dna dna] => _byCode[Nb201Space.Code(Nb201Space.OpIndices(dna))]
        ?? throw new KeyNotFoundException($"NB201 table '{Path}' has no row for '{Nb201Space.ArchString(dna)}'.");

    /// <summary>The record of an arch string.</summary>
    /// <exception cref="KeyNotFoundException">The table has no row for it.</exception>
    public Nb201Record this[string arch] => _byArch.TryGetValue(arch, out var r) ? r
        : _byCode[Nb201Space.Code(Nb201Space.ParseArch(arch))] ?? throw new KeyNotFoundException($"NB201 table '{Path}' has no row for '{arch}'.");

    /// <summary>The record of a materialized cell (edge id → op name).</summary>
    public Nb201Record Lookup(IReadOnlyDictionary<string, object?> cell) => this[Nb201Space.ArchString(cell)];

    /// <summary>Metrics of a DNA as a dictionary: <c>valid_acc</c>, <c>test_acc</c>, <c>params</c>.</summary>
    public IReadOnlyDictionary<string, double> Metrics(Dna dna)
    {
        var r = this[dna];
        return new Dictionary<string, double> { ["valid_acc"] = r.ValidAccuracy, ["test_acc"] = r.TestAccuracy, ["params"] = r.Params };
    }
}
