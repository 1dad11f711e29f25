using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NasNotebooks.Dsl.Generators;

/// <summary>
/// Incremental generator for <c>[Searchable]</c> models: for each partial class or record marked
/// <c>[NasNotebooks.Dsl.Searchable]</c> it emits the DSL space, a cached spec, direct (reflection-free)
/// <c>Materialize</c>/<c>Encode</c>, the symbolic form and checked <c>With…</c> methods.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SearchableGenerator : IIncrementalGenerator
{
    /// <summary>Tracking name of the step that produces the per-type models (for incremental tests).</summary>
    public const string ModelStep = "SearchableModels";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider.ForAttributeWithMetadataName(
                Analyzer.SearchableName,
                predicate: static (node, _) => node is TypeDeclarationSyntax,
                transform: static (ctx, ct) =>
                {
                    var type = (INamedTypeSymbol)ctx.TargetSymbol;
                    // A type whose parts all carry [Searchable] is generated once, from its first marked part.
                    var first = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct))
                        .OfType<TypeDeclarationSyntax>()
                        .FirstOrDefault(d => d.AttributeLists.Count > 0);
                    if (first is not null && first != ctx.TargetNode && first.SyntaxTree == ctx.TargetNode.SyntaxTree && first.SpanStart < ctx.TargetNode.SpanStart)
                        return null;
                    return Analyzer.Analyze(type, ctx.SemanticModel.Compilation, ct);
                })
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(ModelStep);

        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            foreach (var d in model.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            if (model.Emit) spc.AddSource(model.HintName, Emitter.Emit(model));
        });
    }
}
