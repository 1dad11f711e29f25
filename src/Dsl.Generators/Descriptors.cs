using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace NasNotebooks.Dsl.Generators;

/// <summary>The diagnostics of the [Searchable] generator (NAS001…NAS013).</summary>
public static class Descriptors
{
    private const string Category = "NasNotebooks.Searchable";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    /// <summary>NAS001: a [Searchable] type is not partial.</summary>
    public static readonly DiagnosticDescriptor NotPartial = Error("NAS001", "Searchable type must be partial",
        "[Searchable] type '{0}' must be declared partial so that its search members can be generated");

    /// <summary>NAS002: an attribute value does not convert to the member type.</summary>
    public static readonly DiagnosticDescriptor NotConvertible = Error("NAS002", "Value does not fit the member type",
        "Value {0} of [{1}] on '{2}' cannot be converted to the member type {3}");

    /// <summary>NAS003: no candidates.</summary>
    public static readonly DiagnosticDescriptor EmptyChoices = Error("NAS003", "Empty choices",
        "[{0}] on '{1}' needs at least one candidate");

    /// <summary>NAS004: min greater than max.</summary>
    public static readonly DiagnosticDescriptor MinAboveMax = Error("NAS004", "Minimum above maximum",
        "[{0}] on '{1}': min ({2}) must not exceed max ({3})");

    /// <summary>NAS005: a log scale with min &lt;= 0.</summary>
    public static readonly DiagnosticDescriptor LogScaleMin = Error("NAS005", "Log scale needs a positive minimum",
        "[FloatRange] on '{0}': a {1} scale needs min > 0, got min = {2}");

    /// <summary>NAS006: a type choice does not implement the member type.</summary>
    public static readonly DiagnosticDescriptor TypeNotAssignable = Error("NAS006", "Type choice does not fit the member type",
        "typeof({0}) in [OneOf] on '{1}' does not implement or derive from the member type {2}");

    /// <summary>NAS007: a type choice (or Repeat item type) is not [Searchable].</summary>
    public static readonly DiagnosticDescriptor TypeNotSearchable = Error("NAS007", "Type is not searchable",
        "{0} used by [{1}] on '{2}' must be a non-abstract [Searchable] type");

    /// <summary>NAS008: searchable types refer to each other in a cycle.</summary>
    public static readonly DiagnosticDescriptor Cycle = Error("NAS008", "Cycle among searchable types",
        "Searchable types form a cycle through '{0}' ({1}); the space would be infinite");

    /// <summary>NAS009: two decisions share a name.</summary>
    public static readonly DiagnosticDescriptor DuplicateName = Error("NAS009", "Duplicate decision name",
        "Decision name '{0}' is used more than once in the space of {1} (again through '{2}'); names must be unique within a space");

    /// <summary>NAS010: the member kind is not supported.</summary>
    public static readonly DiagnosticDescriptor UnsupportedMember = Error("NAS010", "Unsupported searchable member",
        "'{0}' is {1}; searchable members must be public instance properties with a set accessor (init is supported on records, including positional parameters) or public non-readonly fields");

    /// <summary>NAS011: the attribute does not apply to the member type.</summary>
    public static readonly DiagnosticDescriptor UnsupportedMemberType = Error("NAS011", "Attribute does not apply to the member type",
        "[{0}] on '{1}' does not apply to type {2}; expected {3}");

    /// <summary>NAS012: the [Searchable] type kind is not supported.</summary>
    public static readonly DiagnosticDescriptor UnsupportedType = Error("NAS012", "Unsupported searchable type",
        "[Searchable] type '{0}' is {1}; only non-generic, non-abstract top-level classes and records are supported");

    /// <summary>NAS013: invalid attribute arguments.</summary>
    public static readonly DiagnosticDescriptor InvalidArgument = Error("NAS013", "Invalid search attribute arguments",
        "[{0}] on '{1}': {2}");

    /// <summary>All descriptors, by id.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
    [
        NotPartial, NotConvertible, EmptyChoices, MinAboveMax, LogScaleMin, TypeNotAssignable, TypeNotSearchable,
        Cycle, DuplicateName, UnsupportedMember, UnsupportedMemberType, UnsupportedType, InvalidArgument,
    ];

    internal static DiagnosticDescriptor ById(string id) => All.First(d => d.Id == id);
}
