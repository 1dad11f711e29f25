namespace NasNotebooks.Dsl;

/// <summary>
/// Marks a <c>partial</c> class or record as a searchable model: the NasNotebooks source generator
/// adds <c>Space</c>, <c>Spec</c>, <c>Materialize(Dna)</c>, <c>Encode()</c>, <c>ToSymbolic()</c>,
/// <c>FromSymbolic(SymObject)</c> and one <c>With…</c> method per searchable member.
/// </summary>
/// <remarks>
/// Searchable members are public instance properties with a <c>set</c> accessor (or <c>init</c> on
/// records, including positional record parameters) and public mutable fields that carry one of
/// <see cref="OneOfAttribute"/>, <see cref="IntRangeAttribute"/>, <see cref="FloatRangeAttribute"/>,
/// <see cref="ManyOfAttribute"/>, <see cref="PermutationAttribute"/>, <see cref="RepeatAttribute"/>,
/// or whose type is itself <c>[Searchable]</c> (a nested sub-space). Other members, and members
/// marked <see cref="FixedAttribute"/>, keep their initial value. A decision's id is its member path
/// in the space (e.g. <c>Stages[=1/3][0].Kernel</c>); its user name is the attribute's <c>Name</c>
/// when given, and none otherwise.
/// </remarks>
/// <example><code>
/// [Searchable]
/// public partial class Conv
/// {
///     [OneOf(3, 5, 7)] public int Kernel { get; set; }
///     [FloatRange(1e-4, 1e-1, Scale.Log)] public double LearningRate { get; set; }
/// }
/// var conv = Conv.Materialize(Conv.Spec.Random(new Random(1)));
/// </code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
public sealed class SearchableAttribute : Attribute;

/// <summary>Base of the member attributes that declare a decision.</summary>
public abstract class SearchAttribute : Attribute
{
    /// <summary>User name of the decision (used in DNA dictionaries and displays); none by default.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// Choose one of several values: constants of the member's type (numbers, strings, booleans, enum
/// values), or, for a member of an interface or base-class type, <c>typeof(...)</c> of
/// <c>[Searchable]</c> implementations (each a conditional sub-space).
/// </summary>
/// <example><code>[OneOf(3, 5, 7)] public int Kernel { get; set; }
/// [OneOf(typeof(ConvBlock), typeof(IdentityBlock))] public IBlock Block { get; set; } = new IdentityBlock();</code></example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class OneOfAttribute(params object[] values) : SearchAttribute
{
    /// <summary>The candidates.</summary>
    public object[] Values { get; } = values;
}

/// <summary>An integer decision <c>min, min+step, ..., max</c> for an <c>int</c> or <c>long</c> member.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class IntRangeAttribute(int min, int max, int step = 1) : SearchAttribute
{
    /// <summary>Smallest value.</summary>
    public int Min { get; } = min;

    /// <summary>Largest value allowed.</summary>
    public int Max { get; } = max;

    /// <summary>Distance between values.</summary>
    public int Step { get; } = step;
}

/// <summary>A float decision in [min, max] for a <c>double</c> or <c>float</c> member.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class FloatRangeAttribute(double min, double max, Scale scale = Scale.Linear) : SearchAttribute
{
    /// <summary>Lower bound.</summary>
    public double Min { get; } = min;

    /// <summary>Upper bound.</summary>
    public double Max { get; } = max;

    /// <summary>How values are spread.</summary>
    public Scale Scale { get; } = scale;
}

/// <summary>Choose <c>k</c> of several constants for a list or array member (distinct, unsorted by default).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class ManyOfAttribute(int k, params object[] values) : SearchAttribute
{
    /// <summary>Number of values chosen.</summary>
    public int K { get; } = k;

    /// <summary>The candidates.</summary>
    public object[] Values { get; } = values;

    /// <summary>Whether chosen values must differ (default true).</summary>
    public bool Distinct { get; set; } = true;

    /// <summary>Whether chosen values keep the candidates' order (default false).</summary>
    public bool Sorted { get; set; }
}

/// <summary>An ordering of all the constants, for a list or array member.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class PermutationAttribute(params object[] values) : SearchAttribute
{
    /// <summary>The candidates.</summary>
    public object[] Values { get; } = values;
}

/// <summary>
/// A list of <c>[Searchable]</c> children whose length is searched: a OneOf over the lengths
/// <c>min..max</c> of lists whose items are the child's space.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class RepeatAttribute(int min, int max) : SearchAttribute
{
    /// <summary>Shortest length.</summary>
    public int Min { get; } = min;

    /// <summary>Longest length.</summary>
    public int Max { get; } = max;
}

/// <summary>Keeps a member out of the space (it keeps its initial value), e.g. a nested <c>[Searchable]</c> member.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class FixedAttribute : Attribute;

/// <summary>Implemented by generated <c>[Searchable]</c> models.</summary>
public interface ISearchable
{
    /// <summary>The DNA of this value in its type's space.</summary>
    /// <exception cref="ArgumentException">A member holds a value outside the space; the message names it.</exception>
    Dna Encode();

    /// <summary>The symbolic form (its searchable members as fields).</summary>
    SymObject ToSymbolic();
}
