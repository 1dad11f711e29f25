using Microsoft.CodeAnalysis;

namespace NasNotebooks.Dsl.Generators;

/// <summary>Incremental generator for [Searchable] models.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class SearchableGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
