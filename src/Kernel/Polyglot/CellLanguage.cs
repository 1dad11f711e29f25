namespace NasNotebooks.Kernel.Polyglot;

/// <summary>The languages a cell can be written in, selected by a first-line magic as .NET Interactive did.</summary>
public enum CellLanguage
{
    /// <summary><c>#!csharp</c> / <c>#!c#</c> (the default).</summary>
    CSharp,
    /// <summary><c>#!fsharp</c> / <c>#!f#</c>.</summary>
    FSharp,
    /// <summary><c>#!html</c>: the cell is sent as <c>text/html</c>.</summary>
    Html,
    /// <summary><c>#!markdown</c> / <c>#!md</c>: the cell is sent as <c>text/markdown</c>.</summary>
    Markdown,
    /// <summary><c>#!javascript</c> / <c>#!js</c>: the cell is sent as a script for the front end.</summary>
    JavaScript,
    /// <summary><c>#!value</c>: the cell's raw text is stored under a name.</summary>
    Value,
}

/// <summary>Names and aliases of cell languages.</summary>
public static class CellLanguages
{
    private static readonly Dictionary<string, CellLanguage> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["csharp"] = CellLanguage.CSharp, ["c#"] = CellLanguage.CSharp, ["cs"] = CellLanguage.CSharp,
        ["fsharp"] = CellLanguage.FSharp, ["f#"] = CellLanguage.FSharp, ["fs"] = CellLanguage.FSharp,
        ["html"] = CellLanguage.Html,
        ["markdown"] = CellLanguage.Markdown, ["md"] = CellLanguage.Markdown,
        ["javascript"] = CellLanguage.JavaScript, ["js"] = CellLanguage.JavaScript,
        ["value"] = CellLanguage.Value,
    };

    /// <summary>All accepted names, for help texts and completion.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Finds a language by name or alias (<c>c#</c>, <c>f#</c>, <c>js</c>, <c>md</c>).</summary>
    public static bool TryParse(string name, out CellLanguage language) => ByName.TryGetValue(name.Trim(), out language);

    /// <summary>The canonical magic name (<c>csharp</c>, <c>fsharp</c>, ...).</summary>
    public static string MagicName(CellLanguage language) => language switch
    {
        CellLanguage.CSharp => "csharp",
        CellLanguage.FSharp => "fsharp",
        CellLanguage.Html => "html",
        CellLanguage.Markdown => "markdown",
        CellLanguage.JavaScript => "javascript",
        CellLanguage.Value => "value",
        _ => throw new ArgumentOutOfRangeException(nameof(language)),
    };

    /// <summary>
    /// Splits a cell into its language and body: a first line <c>#!fsharp</c> (or an alias) selects
    /// the language and is removed; other first lines leave the cell as C#. Returns the magic's
    /// arguments (e.g. <c>--name data</c> of <c>#!value --name data</c>) separately.
    /// </summary>
    public static (CellLanguage Language, string Arguments, string Body, int BodyLineOffset) Split(string cell)
    {
        int start = 0;
        while (start < cell.Length && (cell[start] == '\n' || cell[start] == '\r' || cell[start] == ' ' || cell[start] == '\t')) start++;
        int leadingLines = cell.AsSpan(0, start).Count('\n');
        if (!cell.AsSpan(start).StartsWith("#!")) return (CellLanguage.CSharp, "", cell, 0);
        int eol = cell.IndexOf('\n', start);
        string first = (eol < 0 ? cell[start..] : cell[start..eol]).TrimEnd('\r');
        string magic = first[2..];
        int space = magic.IndexOfAny([' ', '\t']);
        string name = space < 0 ? magic : magic[..space];
        if (!TryParse(name, out var lang)) return (CellLanguage.CSharp, "", cell, 0);
        string args = space < 0 ? "" : magic[(space + 1)..].Trim();
        string body = eol < 0 ? "" : cell[(eol + 1)..];
        return (lang, args, body, leadingLines + 1);
    }
}
