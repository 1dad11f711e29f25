using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NasNotebooks.Kernel.Polyglot;

/// <summary>
/// Moves notebooks off .NET Interactive / Polyglot Notebooks: converts a <c>.dib</c> file or a
/// Polyglot <c>.ipynb</c> into an <c>.ipynb</c> for this kernel (non-C# cells start with their magic,
/// markdown cells stay markdown cells), and an <c>.ipynb</c> back into a <c>.dib</c>. Cells of kinds
/// this kernel does not run (e.g. <c>#!pwsh</c>, <c>#!sql</c>) are kept as they are and reported.
/// </summary>
public static class NotebookConverter
{
    /// <summary>The kernelspec name written into converted notebooks.</summary>
    public const string KernelName = "nasnotebooks";

    /// <summary>A cell of a notebook being converted.</summary>
    /// <param name="Kind">A language name (<c>csharp</c>, <c>fsharp</c>, <c>markdown</c>, ...) or an unknown one.</param>
    /// <param name="Source">The cell text without its language line.</param>
    /// <param name="Arguments">Arguments on the language line, e.g. <c>--name data</c> of <c>#!value --name data</c>.</param>
    public sealed record Cell(string Kind, string Source, string Arguments = "");

    /// <summary>The result of a conversion: the output text and what could not be mapped.</summary>
    public sealed record Result(string Text, IReadOnlyList<string> Warnings);

    /// <summary>Reads the cells of a <c>.dib</c> file (cells start with <c>#!name</c> lines; <c>#!meta</c> is skipped).</summary>
    public static IReadOnlyList<Cell> ReadDib(string text)
    {
        var cells = new List<Cell>();
        string kind = "csharp", args = "";
        var body = new StringBuilder();
        bool any = false;
        void Flush()
        {
            var src = body.ToString().Trim('\n', '\r');
            if (any && kind != "meta" && (src.Length > 0 || cells.Count > 0)) cells.Add(new Cell(kind, src, args));
            body.Clear();
        }
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var trimmed = raw.TrimEnd();
            // A cell starts at a bare kernel line (#!fsharp); #!value also carries its arguments (#!value --name data).
            var word = trimmed.Length > 2 && trimmed.StartsWith("#!", StringComparison.Ordinal) ? trimmed[2..].Split(' ', 2)[0] : "";
            if (word.Length > 0 && IsCellKindLine(word) && (!trimmed.Contains(' ') || word == "value"))
            {
                // .NET Interactive writes a value cell as a bare "#!value" selector whose first line is "#!value --name x".
                if (word == "value" && trimmed.Contains(' ') && kind == "value" && args.Length == 0 && any && body.ToString().Trim().Length == 0)
                {
                    args = trimmed[(trimmed.IndexOf(' ') + 1)..].Trim();
                    continue;
                }
                Flush();
                kind = Canonical(word);
                args = trimmed.Contains(' ') ? trimmed[(trimmed.IndexOf(' ') + 1)..].Trim() : "";
                any = true;
                continue;
            }
            any = true;
            body.Append(raw).Append('\n');
        }
        Flush();
        return cells;
    }

    // Kernel selector lines in .dib files are bare names; magics with options (#!nas search --x) are cell content.
    private static bool IsCellKindLine(string name) =>
        name is "meta" || CellLanguages.TryParse(name, out _) || name is "pwsh" or "powershell" or "sql" or "kql" or "mermaid" or "http" or "python" or "r" or "vscode";

    private static string Canonical(string name) =>
        name == "meta" ? "meta" : CellLanguages.TryParse(name, out var l) ? CellLanguages.MagicName(l) : name.ToLowerInvariant();

    /// <summary>Reads the cells of an <c>.ipynb</c> (Polyglot metadata or first-line magics give the language).</summary>
    /// <exception cref="FormatException">The text is not an nbformat 4 notebook.</exception>
    public static IReadOnlyList<Cell> ReadIpynb(string json, List<string>? warnings = null)
    {
        JsonObject nb;
        try { nb = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("An .ipynb must be a JSON object."); }
        catch (JsonException e) { throw new FormatException($"Not a notebook: {e.Message}", e); }
        if (nb["cells"] is not JsonArray cellArray) throw new FormatException("Not a notebook: no \"cells\" array.");
        string defaultKind = nb["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() ?? "csharp";
        var cells = new List<Cell>();
        int index = 0;
        foreach (var c in cellArray)
        {
            index++;
            if (c is not JsonObject cell) continue;
            string type = cell["cell_type"]?.GetValue<string>() ?? "";
            string source = cell["source"] switch
            {
                JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
                JsonValue v => v.GetValue<string>(),
                _ => "",
            };
            switch (type)
            {
                case "markdown": cells.Add(new Cell("markdown", source)); break;
                case "code":
                    string? lang = cell["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
                        ?? cell["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>();
                    var trimmed = source.TrimStart('\n', '\r');
                    int eol = trimmed.IndexOf('\n');
                    var firstLine = (eol < 0 ? trimmed : trimmed[..eol]).TrimEnd();
                    var firstWord = firstLine.Length > 2 && firstLine.StartsWith("#!", StringComparison.Ordinal) ? firstLine[2..].Split(' ', 2)[0] : "";
                    if (firstWord.Length > 0 && IsCellKindLine(firstWord) && (!firstLine.Contains(' ') || firstWord == "value"))
                        cells.Add(new Cell(Canonical(firstWord), eol < 0 ? "" : trimmed[(eol + 1)..].Trim('\n', '\r'),
                            firstLine.Contains(' ') ? firstLine[(firstLine.IndexOf(' ') + 1)..].Trim() : ""));
                    else cells.Add(new Cell(lang is null ? Canonical(defaultKind) : Canonical(lang), source));
                    break;
                default:
                    warnings?.Add($"cell {index}: cell type '{type}' kept as a raw cell");
                    cells.Add(new Cell("raw:" + type, source));
                    break;
            }
        }
        return cells;
    }

    /// <summary>Writes cells as an <c>.ipynb</c> for this kernel (outputs cleared).</summary>
    public static Result WriteIpynb(IEnumerable<Cell> cells)
    {
        var warnings = new List<string>();
        var array = new JsonArray();
        int index = 0;
        foreach (var cell in cells)
        {
            index++;
            JsonObject o;
            if (cell.Kind == "markdown") o = new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = Lines(cell.Source) };
            else if (cell.Kind.StartsWith("raw:", StringComparison.Ordinal)) o = new JsonObject { ["cell_type"] = "raw", ["metadata"] = new JsonObject(), ["source"] = Lines(cell.Source) };
            else
            {
                bool known = CellLanguages.TryParse(cell.Kind, out var lang);
                if (!known) warnings.Add($"cell {index}: '#!{cell.Kind}' cells are not run by this kernel; kept as a code cell that reports it");
                string magic = cell.Arguments.Length > 0 ? $"#!{cell.Kind} {cell.Arguments}" : $"#!{cell.Kind}";
                string text = known && lang == CellLanguage.CSharp ? cell.Source : $"{magic}\n{cell.Source}";
                o = new JsonObject
                {
                    ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new JsonObject(),
                    ["outputs"] = new JsonArray(), ["source"] = Lines(text),
                };
            }
            array.Add(o);
        }
        var nb = new JsonObject
        {
            ["cells"] = array,
            ["metadata"] = new JsonObject
            {
                ["kernelspec"] = new JsonObject { ["display_name"] = "C# (NasNotebooks)", ["language"] = "C#", ["name"] = KernelName },
                ["language_info"] = new JsonObject { ["name"] = "C#", ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp" },
            },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return new Result(nb.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", warnings);
    }

    /// <summary>Writes cells as a <c>.dib</c> file.</summary>
    public static Result WriteDib(IEnumerable<Cell> cells)
    {
        var warnings = new List<string>();
        var sb = new StringBuilder();
        sb.Append("#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"name\":\"csharp\"},{\"name\":\"fsharp\"},{\"name\":\"html\"},{\"name\":\"javascript\"},{\"name\":\"value\"}]}}\n\n");
        int index = 0;
        foreach (var cell in cells)
        {
            index++;
            string kind = cell.Kind;
            if (kind.StartsWith("raw:", StringComparison.Ordinal)) { warnings.Add($"cell {index}: raw cell written as markdown"); kind = "markdown"; }
            // A cell selector line is the bare kernel name; arguments (#!value --name x) go on the cell's first line,
            // as .NET Interactive writes them (it reads "#!value --name x" as a magic inside the current cell).
            sb.Append("#!").Append(kind).Append("\n\n");
            if (cell.Arguments.Length > 0) sb.Append("#!").Append(kind).Append(' ').Append(cell.Arguments).Append('\n');
            sb.Append(cell.Source.TrimEnd('\n', '\r')).Append("\n\n");
        }
        return new Result(sb.ToString(), warnings);
    }

    /// <summary>Converts a file by extension: <c>.dib</c> or Polyglot <c>.ipynb</c> → <c>.ipynb</c>; with <paramref name="toDib"/>, <c>.ipynb</c> → <c>.dib</c>.</summary>
    /// <exception cref="FileNotFoundException">The input file does not exist.</exception>
    /// <exception cref="FormatException">The input is not a notebook of the expected kind.</exception>
    public static Result Convert(string inputPath, bool toDib)
    {
        if (!File.Exists(inputPath)) throw new FileNotFoundException($"Notebook '{inputPath}' does not exist.", inputPath);
        string text = File.ReadAllText(inputPath);
        string ext = Path.GetExtension(inputPath).ToLowerInvariant();
        var warnings = new List<string>();
        IReadOnlyList<Cell> cells = ext switch
        {
            ".dib" => ReadDib(text),
            ".ipynb" => ReadIpynb(text, warnings),
            _ => throw new FormatException($"'{inputPath}': expected a .dib or .ipynb file."),
        };
        var result = toDib ? WriteDib(cells) : WriteIpynb(cells);
        return result with { Warnings = [.. warnings, .. result.Warnings] };
    }

    private static JsonArray Lines(string text)
    {
        var arr = new JsonArray();
        var parts = text.Split('\n');
        for (int i = 0; i < parts.Length; i++)
        {
            var line = i < parts.Length - 1 ? parts[i] + "\n" : parts[i];
            if (line.Length > 0) arr.Add(line);
        }
        return arr;
    }
}
