using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Completion;
using Microsoft.CodeAnalysis.Host.Mef;
using Microsoft.CodeAnalysis.QuickInfo;
using Microsoft.CodeAnalysis.Text;
using NasNotebooks.Magics;

namespace NasNotebooks.Kernel;

/// <summary>
/// Roslyn completion and quick info for cells: an AdhocWorkspace holds one script document made of the
/// cells run so far followed by the cell being edited; magic lines complete command names and options.
/// </summary>
internal sealed class CompletionEngine
{
    private readonly ScriptEngine _engine;
    private readonly MagicRegistry _magics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AdhocWorkspace? _workspace;
    private ProjectId? _projectId;
    private DocumentId? _documentId;

    public CompletionEngine(ScriptEngine engine, MagicRegistry magics)
    {
        _engine = engine;
        _magics = magics;
    }

    public async Task WarmUpAsync()
    {
        try
        {
            await CompleteAsync("Console.Wri", 11).ConfigureAwait(false);
            await InspectAsync("Console.WriteLine", 10).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.Warn("completion warm-up failed: " + e.Message);
        }
    }

    private static JsonObject Reply(int start, int end, IEnumerable<(string Text, string Type)> matches)
    {
        var list = matches.ToList();
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(list.Select(m => (JsonNode?)JsonValue.Create(m.Text)).ToArray()),
            ["cursor_start"] = start,
            ["cursor_end"] = end,
            ["metadata"] = new JsonObject
            {
                ["_jupyter_types_experimental"] = new JsonArray(list.Select(m => (JsonNode?)new JsonObject
                {
                    ["start"] = start,
                    ["end"] = end,
                    ["text"] = m.Text,
                    ["type"] = m.Type,
                }).ToArray()),
            },
        };
    }

    public async Task<JsonObject> CompleteAsync(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var lineStart = code.LastIndexOf('\n', Math.Max(0, cursor - 1)) + 1;
        if (cursor == 0)
        {
            lineStart = 0;
        }
        var lineEnd = code.IndexOf('\n', cursor);
        var line = code[lineStart..(lineEnd < 0 ? code.Length : lineEnd)].TrimEnd('\r');
        if (MagicRegistry.IsMagicLine(line))
        {
            var (start, matches) = _magics.Complete(line, cursor - lineStart);
            return Reply(lineStart + start, cursor, matches.Select(m => (m, "magic")));
        }
        var (document, offset) = await DocumentForAsync(code).ConfigureAwait(false);
        var service = CompletionService.GetService(document);
        if (service is null)
        {
            return Reply(cursor, cursor, []);
        }
        var position = offset + cursor;
        var list = await service.GetCompletionsAsync(document, position).ConfigureAwait(false);
        var span = list.Span;
        var text = await document.GetTextAsync().ConfigureAwait(false);
        var typed = text.ToString(TextSpan.FromBounds(span.Start, position));
        var items = list.ItemsList
            .Where(i => i.FilterText.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .OrderBy(i => i.FilterText.StartsWith(typed, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(i => i.SortText, StringComparer.OrdinalIgnoreCase)
            .Select(i => (i.DisplayTextPrefix + i.DisplayText + i.DisplayTextSuffix, Kind(i)))
            .Select(x => (Text: x.Item1.TrimEnd('<', '>').Replace("<>", "", StringComparison.Ordinal), Type: x.Item2))
            .DistinctBy(x => x.Text)
            .Take(500);
        return Reply(span.Start - offset, Math.Max(cursor, span.End - offset), items);
    }

    private static string Kind(CompletionItem item)
    {
        foreach (var tag in item.Tags)
        {
            switch (tag)
            {
                case "Method" or "ExtensionMethod": return "method";
                case "Property": return "property";
                case "Field": return "field";
                case "Local" or "Parameter": return "variable";
                case "Class" or "Structure" or "Interface" or "Enum" or "Delegate" or "Record" or "RecordStruct": return "class";
                case "Namespace": return "module";
                case "Keyword": return "keyword";
                case "Event": return "event";
                case "Constant" or "EnumMember": return "constant";
            }
        }
        return "text";
    }

    public async Task<JsonObject> InspectAsync(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var lineStart = cursor == 0 ? 0 : code.LastIndexOf('\n', cursor - 1) + 1;
        var lineEnd = code.IndexOf('\n', cursor);
        var line = code[lineStart..(lineEnd < 0 ? code.Length : lineEnd)].TrimEnd('\r');
        if (MagicRegistry.IsMagicLine(line))
        {
            var help = _magics.HelpFor(line);
            return new JsonObject
            {
                ["status"] = "ok",
                ["found"] = help is not null,
                ["data"] = help is null ? new JsonObject() : new JsonObject { ["text/plain"] = help },
                ["metadata"] = new JsonObject(),
            };
        }
        var (document, offset) = await DocumentForAsync(code).ConfigureAwait(false);
        var service = QuickInfoService.GetService(document);
        QuickInfoItem? info = null;
        if (service is not null)
        {
            foreach (var p in new[] { cursor, cursor - 1 })
            {
                if (p < 0)
                {
                    continue;
                }
                info = await service.GetQuickInfoAsync(document, offset + p).ConfigureAwait(false);
                if (info is not null && info.Sections.Length > 0)
                {
                    break;
                }
            }
        }
        if (info is null || info.Sections.Length == 0)
        {
            return new JsonObject { ["status"] = "ok", ["found"] = false, ["data"] = new JsonObject(), ["metadata"] = new JsonObject() };
        }
        var sb = new StringBuilder();
        foreach (var section in info.Sections)
        {
            if (section.Text.Length == 0)
            {
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }
            sb.Append(section.Text);
        }
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = true,
            ["data"] = new JsonObject { ["text/plain"] = sb.ToString() },
            ["metadata"] = new JsonObject(),
        };
    }

    private static readonly System.Text.RegularExpressions.Regex UsingDirective = new(
        @"^\s*(global\s+)?using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>, ]+)?\s*;\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool IsReferenceDirective(string line)
    {
        var l = line.TrimStart();
        return l.StartsWith("#r ", StringComparison.Ordinal) || l.StartsWith("#load ", StringComparison.Ordinal);
    }

    /// <summary>
    /// Builds the script document: <c>#r</c> directives and <c>using</c> directives of all cells first (a script
    /// only accepts them at the top), then the earlier cells' code, then the current cell, whose hoisted and magic
    /// lines are blanked in place so that cursor offsets stay valid. Returns the current cell's offset.
    /// </summary>
    private async Task<(Document Document, int Offset)> DocumentForAsync(string code)
    {
        var references = new StringBuilder();
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (var cell in _engine.History)
        {
            foreach (var raw in cell.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                (IsReferenceDirective(line) ? references : UsingDirective.IsMatch(line) ? usings : body).Append(line).Append('\n');
            }
            if (ScriptEngine.EndsWithExpression(cell))
            {
                body.Append(";\n");
            }
        }
        var current = new StringBuilder(code.Length);
        var lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                current.Append('\n');
            }
            var raw = lines[i];
            var line = raw.TrimEnd('\r');
            bool magic = MagicRegistry.IsMagicLine(line);
            bool reference = !magic && IsReferenceDirective(line);
            bool usingLine = !magic && !reference && UsingDirective.IsMatch(line);
            if (magic || reference || usingLine)
            {
                if (reference)
                {
                    references.Append(line).Append('\n');
                }
                else if (usingLine)
                {
                    usings.Append(line).Append('\n');
                }
                current.Append(' ', raw.Length);
            }
            else
            {
                current.Append(raw);
            }
        }
        var prefix = references.ToString() + usings + body;
        var source = SourceText.From(prefix + current);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_workspace is null)
            {
                _workspace = new AdhocWorkspace(MefHostServices.DefaultHost);
                var options = _engine.Options;
                var compilationOptions = new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    usings: options.Imports,
                    metadataReferenceResolver: options.MetadataResolver,
                    sourceReferenceResolver: options.SourceResolver,
                    allowUnsafe: true);
                var project = ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "cells", "cells", LanguageNames.CSharp,
                    compilationOptions: compilationOptions,
                    parseOptions: ScriptEngine.ParseOptions,
                    metadataReferences: options.MetadataReferences,
                    isSubmission: true,
                    hostObjectType: typeof(KernelGlobals));
                _projectId = _workspace.AddProject(project).Id;
                _documentId = _workspace.AddDocument(DocumentInfo.Create(DocumentId.CreateNewId(_projectId), "cell.csx",
                    loader: TextLoader.From(TextAndVersion.Create(source, VersionStamp.Create())), sourceCodeKind: SourceCodeKind.Script)).Id;
            }
            else
            {
                var solution = _workspace.CurrentSolution.WithDocumentText(_documentId!, source);
                _workspace.TryApplyChanges(solution);
            }
            return (_workspace.CurrentSolution.GetDocument(_documentId!)!, prefix.Length);
        }
        finally
        {
            _gate.Release();
        }
    }
}
