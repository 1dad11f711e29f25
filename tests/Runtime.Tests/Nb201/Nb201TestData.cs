using NasNotebooks.Runtime.Nb201;

namespace NasNotebooks.Runtime.Tests.Nb201;

/// <summary>Finds the shared NB201 table (<c>&lt;repo&gt;/../shared/data/nb201-cifar10.csv</c> or $NASNB_DATA).</summary>
public static class Nb201TestData
{
    public static readonly string? Path = Nb201Table.FindDefault(AppContext.BaseDirectory);

    public static string SkipReason => $"NB201 table not found (looked for <repo>/../shared/data/{Nb201Table.FileName} and ${Nb201Table.EnvironmentVariable}); skipping.";

    private static readonly Lazy<Nb201Table> LazyTable = new(() => Nb201Table.Load(Path ?? throw new InvalidOperationException(SkipReason)));

    public static Nb201Table Table => LazyTable.Value;
}

/// <summary>A fact that is skipped, with the reason printed, when the NB201 table is absent.</summary>
public sealed class Nb201FactAttribute : FactAttribute
{
    public Nb201FactAttribute()
    {
        if (Nb201TestData.Path is null) Skip = Nb201TestData.SkipReason;
    }
}
