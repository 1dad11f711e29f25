using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NasNotebooks.Dsl.Generators;

namespace NasNotebooks.Kernel;

/// <summary>
/// Runs the NasNotebooks source generator on notebook cells. A script submission can't take generated
/// partial halves (one syntax tree per submission, no namespaces), so a cell that declares
/// <c>[Searchable]</c> types is split: its type declarations are compiled as a regular library together
/// with the generated code, emitted next to the kernel's temp folder and referenced by this and every
/// later submission; the rest of the cell runs as script code. Both parts keep the cell's line numbers.
/// </summary>
internal sealed class SearchableCells
{
    private readonly List<MetadataReference> _cellAssemblies = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nasnotebooks-cells", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
    private int _count;

    /// <summary>Assemblies built from earlier cells.</summary>
    public IReadOnlyList<MetadataReference> References => _cellAssemblies;

    /// <summary>True when the cell declares a type marked <c>[Searchable]</c>.</summary>
    public static bool Applies(string code) =>
        code.Contains("Searchable", StringComparison.Ordinal) &&
        TypeDeclarations(Parse(code)).Any(t => t.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString() is "Searchable" or "SearchableAttribute" or "NasNotebooks.Dsl.Searchable"));

    private static CompilationUnitSyntax Parse(string code) =>
        (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, ScriptEngine.ParseOptions).GetRoot();

    private static IEnumerable<BaseTypeDeclarationSyntax> TypeDeclarations(CompilationUnitSyntax root) => root.Members.OfType<BaseTypeDeclarationSyntax>();

    /// <summary>
    /// Compiles the cell's type declarations with the generator. Returns the script code left to run (type
    /// declarations blanked) or the errors (generator diagnostics and compile errors, positioned in the cell).
    /// </summary>
    public (string ScriptCode, IReadOnlyList<Diagnostic> Errors) Compile(string code, IEnumerable<MetadataReference> references, IEnumerable<string> imports)
    {
        var root = Parse(code);
        var types = TypeDeclarations(root).ToList();
        var delegates = root.Members.OfType<DelegateDeclarationSyntax>().ToList();
        var library = new StringBuilder(Blank(code));
        var script = new StringBuilder(code);
        var keep = types.Select(t => t.FullSpan).Concat(delegates.Select(d => d.FullSpan)).Concat(root.Usings.Select(u => u.FullSpan)).ToList();
        foreach (var span in keep)
            for (int i = span.Start; i < span.End; i++) library[i] = code[i];
        foreach (var span in types.Select(t => t.FullSpan).Concat(delegates.Select(d => d.FullSpan)))
            for (int i = span.Start; i < span.End; i++) if (code[i] != '\n') script[i] = ' ';
        // Script code can only see public types of another assembly: make the cell's top-level types public.
        var inserts = types.Cast<MemberDeclarationSyntax>().Concat(delegates)
            .Where(t => !t.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword)))
            .Select(t => t.Modifiers.Count > 0 ? t.Modifiers[0].SpanStart : FirstKeyword(t).SpanStart)
            .OrderByDescending(p => p).ToList();
        var libraryText = library.ToString();
        foreach (var p in inserts) libraryText = libraryText.Insert(p, "public ");

        int n = Interlocked.Increment(ref _count);
        var name = $"NasNotebooksCell{n}";
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular);
        var tree = CSharpSyntaxTree.ParseText(libraryText, parse, "");
        var usings = CSharpSyntaxTree.ParseText(string.Concat(imports.Select(i => $"global using {i};\n")), parse, "imports.g.cs");
        var refs = references.Concat(_cellAssemblies).ToList();
        var compilation = CSharpCompilation.Create(name, [tree, usings], refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));
        var (generated, generatorDiagnostics) = SearchableSourceGenerator.Run(compilation);
        var errors = generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0) return (code, errors);
        compilation = compilation.AddSyntaxTrees(generated.Select(g => CSharpSyntaxTree.ParseText(g.Source, parse, g.HintName)));
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, name + ".dll");
        using (var stream = File.Create(path))
        {
            var emit = compilation.Emit(stream);
            var emitErrors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (!emit.Success) return (code, emitErrors);
        }
        _cellAssemblies.Add(MetadataReference.CreateFromFile(path));
        return (script.ToString(), []);
    }

    private static SyntaxToken FirstKeyword(MemberDeclarationSyntax member) => member switch
    {
        TypeDeclarationSyntax t => t.Keyword,
        EnumDeclarationSyntax e => e.EnumKeyword,
        DelegateDeclarationSyntax d => d.DelegateKeyword,
        _ => member.GetFirstToken(),
    };

    private static string Blank(string code)
    {
        var chars = code.ToCharArray();
        for (int i = 0; i < chars.Length; i++) if (chars[i] is not ('\n' or '\r')) chars[i] = ' ';
        return new string(chars);
    }
}
