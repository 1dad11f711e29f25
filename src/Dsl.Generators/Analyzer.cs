using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NasNotebooks.Dsl.Generators;

/// <summary>Turns a [Searchable] type symbol into an equatable <see cref="TypeModel"/> plus diagnostics.</summary>
internal sealed class Analyzer
{
    internal const string Ns = "NasNotebooks.Dsl";
    internal const string SearchableName = "NasNotebooks.Dsl.SearchableAttribute";
    private static readonly string[] SearchAttributes = ["OneOfAttribute", "IntRangeAttribute", "FloatRangeAttribute", "ManyOfAttribute", "PermutationAttribute", "RepeatAttribute"];

    private static readonly SymbolDisplayFormat Fq = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    private readonly Compilation _compilation;
    private readonly CancellationToken _ct;
    private readonly Dictionary<INamedTypeSymbol, bool> _valid = new(SymbolEqualityComparer.Default);
    private readonly HashSet<INamedTypeSymbol> _validating = new(SymbolEqualityComparer.Default);

    private Analyzer(Compilation compilation, CancellationToken ct)
    {
        _compilation = compilation;
        _ct = ct;
    }

    public static TypeModel Analyze(INamedTypeSymbol type, Compilation compilation, CancellationToken ct)
    {
        var a = new Analyzer(compilation, ct);
        var diags = new List<DiagnosticInfo>();
        var (members, ctor) = a.AnalyzeCore(type, diags);
        if (diags.Count == 0) a.CheckGraph(type, diags);
        bool emit = diags.Count == 0 && members.All(m => a.ReferencedTypes(m).All(a.IsValid));
        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string fullName = type.ToDisplayString(Fq);
        string hint = (ns.Length == 0 ? "" : ns + ".") + type.MetadataName + ".Searchable.g.cs";
        return new TypeModel(ns, type.Name, fullName, type.IsRecord, hint,
            new EquatableArray<MemberModel>(members.Select(m => m.Model)), new EquatableArray<string>(ctor),
            new EquatableArray<DiagnosticInfo>(diags), emit);
    }

    private sealed class Member(MemberModel model, List<INamedTypeSymbol> refs)
    {
        public MemberModel Model { get; } = model;
        public List<INamedTypeSymbol> Refs { get; } = refs;
    }

    private IEnumerable<INamedTypeSymbol> ReferencedTypes(Member m) => m.Refs;

    private static bool IsSearchable(ITypeSymbol? t) =>
        t is INamedTypeSymbol n && n.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SearchableName);

    private bool IsValid(INamedTypeSymbol t)
    {
        if (_valid.TryGetValue(t, out var v)) return v;
        if (!_validating.Add(t)) return false; // a cycle
        bool ok;
        if (t.DeclaringSyntaxReferences.Length == 0)
            ok = IsSearchable(t) && t.GetMembers("__NasElementCount").Length > 0;
        else
        {
            var diags = new List<DiagnosticInfo>();
            var (members, _) = AnalyzeCore(t, diags);
            ok = diags.Count == 0 && members.All(m => m.Refs.All(IsValid));
        }
        _validating.Remove(t);
        _valid[t] = ok;
        return ok;
    }

    private static DiagnosticInfo Diag(DiagnosticDescriptor d, Location? location, params object?[] args) =>
        new(d.Id, LocationInfo.From(location), new EquatableArray<string>(args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "")));

    private (List<Member> Members, List<string> Ctor) AnalyzeCore(INamedTypeSymbol type, List<DiagnosticInfo> diags)
    {
        var typeLocation = type.Locations.FirstOrDefault();
        string kind = type.TypeKind switch
        {
            TypeKind.Class when type.IsAbstract => "abstract",
            TypeKind.Class when type.IsStatic => "static",
            TypeKind.Class when type.IsGenericType => "generic",
            TypeKind.Class when type.ContainingType is not null => "nested in another type",
            TypeKind.Class => "",
            TypeKind.Struct => "a struct",
            TypeKind.Interface => "an interface",
            _ => "not a class",
        };
        if (kind.Length > 0)
        {
            diags.Add(Diag(Descriptors.UnsupportedType, typeLocation, type.Name, kind));
            return ([], []);
        }
        foreach (var r in type.DeclaringSyntaxReferences)
        {
            if (r.GetSyntax(_ct) is TypeDeclarationSyntax decl && !decl.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diags.Add(Diag(Descriptors.NotPartial, decl.Identifier.GetLocation(), type.Name));
                break;
            }
        }

        var ordered = type.GetMembers()
            .Where(m => m is IFieldSymbol or IPropertySymbol && !m.IsImplicitlyDeclared)
            .Select(m => (Member: m, Key: OrderKey(m)))
            .OrderBy(x => x.Key.Tree).ThenBy(x => x.Key.Pos)
            .Select(x => x.Member)
            .ToList();

        var ctor = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public)
            .OrderByDescending(c => c.Parameters.Length).FirstOrDefault();
        var ctorParams = ctor?.Parameters ?? [];

        var members = new List<Member>();
        foreach (var m in ordered)
        {
            _ct.ThrowIfCancellationRequested();
            var member = AnalyzeMember(type, m, ctorParams, diags);
            if (member is not null) members.Add(member);
        }

        var ctorArgs = new List<string>();
        foreach (var p in ctorParams)
        {
            var match = members.FirstOrDefault(x => string.Equals(x.Model.Name, p.Name, StringComparison.OrdinalIgnoreCase));
            string pname = SyntaxFacts.GetKeywordKind(p.Name) != SyntaxKind.None ? "@" + p.Name : p.Name;
            if (match is not null) ctorArgs.Add("M:" + pname + ":" + match.Model.Name);
            else if (!p.HasExplicitDefaultValue) ctorArgs.Add("D:" + pname);
        }
        return (members, ctorArgs);
    }

    private (int Tree, int Pos) OrderKey(ISymbol m)
    {
        var loc = m.Locations.FirstOrDefault();
        if (loc?.SourceTree is null) return (int.MaxValue, 0);
        int i = 0;
        foreach (var t in _compilation.SyntaxTrees) { if (t == loc.SourceTree) break; i++; }
        return (i, loc.SourceSpan.Start);
    }

    private static List<AttributeData> SearchAttrs(ISymbol m) =>
        m.GetAttributes().Where(a => a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Ns && SearchAttributes.Contains(c.Name)).ToList();

    private static bool HasFixed(ISymbol m) =>
        m.GetAttributes().Any(a => a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Ns && c.Name == "FixedAttribute");

    private Location? AttrLocation(AttributeData a) => a.ApplicationSyntaxReference?.GetSyntax(_ct).GetLocation();

    private Location? ArgLocation(AttributeData a, int index, Location? fallback)
    {
        if (a.ApplicationSyntaxReference?.GetSyntax(_ct) is AttributeSyntax { ArgumentList: { } list })
        {
            var positional = list.Arguments.Where(x => x.NameEquals is null && x.NameColon is null).ToList();
            if (index < positional.Count) return positional[index].GetLocation();
        }
        return fallback;
    }

    private Member? AnalyzeMember(INamedTypeSymbol type, ISymbol m, IReadOnlyList<IParameterSymbol> ctorParams, List<DiagnosticInfo> diags)
    {
        var attrs = SearchAttrs(m);
        var memberType = m switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
        if (memberType is null) return null;
        string where = type.Name + "." + m.Name;
        var location = m.Locations.FirstOrDefault();
        if (attrs.Count == 0)
        {
            // Unattributed members are nested sub-spaces when their type is [Searchable] and they are settable; otherwise fixed.
            if (HasFixed(m) || !IsSearchable(memberType) || UnsupportedKind(type, m) is not null) return null;
            var nestedType = (INamedTypeSymbol)memberType;
            return Make(m, location, MemberKind.Nested, memberType, null, [], NonNullable(nestedType), CollectionKind.None, [nestedType], ctorParams);
        }
        var attr = attrs[0];
        var attrName = attr.AttributeClass!.Name.Substring(0, attr.AttributeClass.Name.Length - "Attribute".Length);
        var attrLocation = AttrLocation(attr) ?? location;
        if (attrs.Count > 1)
        {
            diags.Add(Diag(Descriptors.InvalidArgument, AttrLocation(attrs[1]) ?? location, attrName, where, "a member takes one search attribute ([" + string.Join("], [", attrs.Select(a => a.AttributeClass!.Name.Replace("Attribute", ""))) + "])"));
            return null;
        }
        if (UnsupportedKind(type, m) is { } why)
        {
            diags.Add(Diag(Descriptors.UnsupportedMember, location, where, why));
            return null;
        }
        if (attr.ConstructorArguments.Any(c => c.Kind == TypedConstantKind.Error)) return null;
        string? name = attr.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string;
        int before = diags.Count;
        switch (attrName)
        {
            case "OneOf":
            {
                var values = ParamsValues(attr.ConstructorArguments[0]);
                if (values.Length == 0) { diags.Add(Diag(Descriptors.EmptyChoices, attrLocation, attrName, where)); return null; }
                if (values.Any(v => v.Kind == TypedConstantKind.Type))
                {
                    if (!memberType.IsReferenceType || memberType.SpecialType == SpecialType.System_String)
                    {
                        diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "an interface or class type for typeof(...) choices"));
                        return null;
                    }
                    var refs = new List<INamedTypeSymbol>();
                    for (int i = 0; i < values.Length; i++)
                    {
                        var argLoc = ArgLocation(attr, i, attrLocation);
                        if (values[i].Kind != TypedConstantKind.Type || values[i].Value is not INamedTypeSymbol t)
                        {
                            diags.Add(Diag(Descriptors.NotConvertible, argLoc, Display(values[i]), attrName, where, memberType.ToDisplayString()));
                            continue;
                        }
                        if (!_compilation.HasImplicitConversion(t, memberType))
                            diags.Add(Diag(Descriptors.TypeNotAssignable, argLoc, t.ToDisplayString(), where, memberType.ToDisplayString()));
                        else if (!IsSearchable(t) || t.IsAbstract)
                            diags.Add(Diag(Descriptors.TypeNotSearchable, argLoc, "typeof(" + t.ToDisplayString() + ")", attrName, where));
                        refs.Add(t);
                    }
                    if (diags.Count > before) return null;
                    return Make(m, attrLocation, MemberKind.OneOfTypes, memberType, name, refs.Select(r => r.ToDisplayString(Fq)), "", CollectionKind.None, refs, ctorParams,
                        allowed: string.Join(", ", refs.Select(r => r.Name)));
                }
                if (!IsConstantType(memberType))
                {
                    diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "a number, bool, string, char or enum type (or typeof(...) choices for an interface or class type)"));
                    return null;
                }
                var lits = Literals(values, memberType, attr, 0, attrName, where, attrLocation, diags);
                if (lits is null) return null;
                return Make(m, attrLocation, MemberKind.OneOfConst, memberType, name, lits.Select(l => l.Code), "", CollectionKind.None, [], ctorParams,
                    allowed: string.Join(", ", lits.Select(l => l.Display)));
            }
            case "IntRange":
            {
                int min = (int)attr.ConstructorArguments[0].Value!, max = (int)attr.ConstructorArguments[1].Value!, step = (int)attr.ConstructorArguments[2].Value!;
                if (memberType.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
                { diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "int or long")); return null; }
                if (min > max) { diags.Add(Diag(Descriptors.MinAboveMax, attrLocation, attrName, where, min, max)); return null; }
                if (step < 1) { diags.Add(Diag(Descriptors.InvalidArgument, attrLocation, attrName, where, "step must be at least 1, got " + step.ToString(CultureInfo.InvariantCulture))); return null; }
                long count = ((long)max - min) / step + 1;
                return Make(m, attrLocation, MemberKind.Int, memberType, name, [], "", CollectionKind.None, [], ctorParams,
                    intMin: min, intMax: max, step: step, allowed: $"{min}..{min + (count - 1) * step}" + (step == 1 ? "" : $" step {step}"));
            }
            case "FloatRange":
            {
                double min = (double)attr.ConstructorArguments[0].Value!, max = (double)attr.ConstructorArguments[1].Value!;
                int scale = Convert.ToInt32(attr.ConstructorArguments[2].Value, CultureInfo.InvariantCulture);
                string scaleName = scale switch { 1 => "Log", 2 => "ReverseLog", _ => "Linear" };
                if (memberType.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
                { diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "double or float")); return null; }
                if (double.IsNaN(min) || double.IsInfinity(min) || double.IsNaN(max) || double.IsInfinity(max))
                { diags.Add(Diag(Descriptors.InvalidArgument, attrLocation, attrName, where, "bounds must be finite")); return null; }
                if (min > max) { diags.Add(Diag(Descriptors.MinAboveMax, attrLocation, attrName, where, R(min), R(max))); return null; }
                if (scale != 0 && min <= 0) { diags.Add(Diag(Descriptors.LogScaleMin, attrLocation, where, scaleName, R(min))); return null; }
                return Make(m, attrLocation, MemberKind.Float, memberType, name, [], "", CollectionKind.None, [], ctorParams,
                    floatMin: DoubleLiteral(min), floatMax: DoubleLiteral(max), scale: scaleName, allowed: $"[{R(min)}, {R(max)}]");
            }
            case "ManyOf":
            case "Permutation":
            {
                bool perm = attrName == "Permutation";
                var arr = attr.ConstructorArguments[perm ? 0 : 1];
                var values = ParamsValues(arr);
                if (!TryElementType(memberType, out var elem, out var coll) || !IsConstantType(elem))
                { diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "an array or list (List<T>, IList<T>, IReadOnlyList<T>, IEnumerable<T>) of numbers, bools, strings, chars or enums")); return null; }
                if (values.Length == 0) { diags.Add(Diag(Descriptors.EmptyChoices, attrLocation, attrName, where)); return null; }
                int k = perm ? values.Length : (int)attr.ConstructorArguments[0].Value!;
                bool distinct = perm || attr.NamedArguments.FirstOrDefault(n => n.Key == "Distinct").Value.Value as bool? != false;
                bool sorted = !perm && attr.NamedArguments.FirstOrDefault(n => n.Key == "Sorted").Value.Value as bool? == true;
                if (k < 1) { diags.Add(Diag(Descriptors.InvalidArgument, attrLocation, attrName, where, "k must be at least 1, got " + k.ToString(CultureInfo.InvariantCulture))); return null; }
                if (distinct && k > values.Length) { diags.Add(Diag(Descriptors.InvalidArgument, attrLocation, attrName, where, $"cannot choose {k} distinct values out of {values.Length} candidates")); return null; }
                var lits = Literals(values, elem, attr, perm ? 0 : 1, attrName, where, attrLocation, diags);
                if (lits is null) return null;
                return Make(m, attrLocation, MemberKind.ManyOf, memberType, name, lits.Select(l => l.Code), elem.ToDisplayString(Fq), coll, [], ctorParams,
                    k: k, distinct: distinct, sorted: sorted, permutation: perm, allowed: string.Join(", ", lits.Select(l => l.Display)));
            }
            case "Repeat":
            {
                int min = (int)attr.ConstructorArguments[0].Value!, max = (int)attr.ConstructorArguments[1].Value!;
                if (!TryElementType(memberType, out var elem, out var coll))
                { diags.Add(Diag(Descriptors.UnsupportedMemberType, attrLocation, attrName, where, memberType.ToDisplayString(), "an array or list of a [Searchable] type")); return null; }
                if (elem is not INamedTypeSymbol child || !IsSearchable(child) || child.IsAbstract)
                { diags.Add(Diag(Descriptors.TypeNotSearchable, attrLocation, elem.ToDisplayString(), attrName, where)); return null; }
                if (min > max) { diags.Add(Diag(Descriptors.MinAboveMax, attrLocation, attrName, where, min, max)); return null; }
                if (min < 0) { diags.Add(Diag(Descriptors.InvalidArgument, attrLocation, attrName, where, "min must not be negative, got " + min.ToString(CultureInfo.InvariantCulture))); return null; }
                return Make(m, attrLocation, MemberKind.Repeat, memberType, name, [], NonNullable(child), coll, [child], ctorParams,
                    intMin: min, intMax: max, allowed: $"{min}..{max} items");
            }
        }
        return null;
    }

    private Member Make(ISymbol m, Location? location, MemberKind kind, ITypeSymbol type, string? name, IEnumerable<string> candidates, string elementType,
        CollectionKind coll, List<INamedTypeSymbol> refs, IReadOnlyList<IParameterSymbol> ctorParams,
        int k = 0, bool distinct = false, bool sorted = false, bool permutation = false, long intMin = 0, long intMax = 0, long step = 0,
        string floatMin = "", string floatMax = "", string scale = "", string allowed = "")
    {
        int ctorIndex = -1;
        for (int i = 0; i < ctorParams.Count; i++)
            if (string.Equals(ctorParams[i].Name, m.Name, StringComparison.OrdinalIgnoreCase)) { ctorIndex = i; break; }
        var model = new MemberModel(m.Name, type.ToDisplayString(Fq), kind, name, new EquatableArray<string>(candidates), elementType, coll,
            k, distinct, sorted, permutation, intMin, intMax, step, floatMin, floatMax, scale, allowed, ctorIndex);
        return new Member(model, refs);
    }

    private static System.Collections.Immutable.ImmutableArray<TypedConstant> ParamsValues(TypedConstant arg) =>
        arg.Kind != TypedConstantKind.Array ? [arg] : arg.IsNull ? [] : arg.Values;

    private static string NonNullable(ITypeSymbol t) => t.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(Fq);

    private static string? UnsupportedKind(INamedTypeSymbol type, ISymbol m)
    {
        if (m.IsStatic) return "static";
        if (m.DeclaredAccessibility != Accessibility.Public) return "not public";
        switch (m)
        {
            case IFieldSymbol f:
                if (f.IsConst) return "a constant";
                if (f.IsReadOnly) return "a readonly field";
                return null;
            case IPropertySymbol p:
                if (p.IsIndexer) return "an indexer";
                if (p.SetMethod is null) return "a get-only property";
                if (p.SetMethod.DeclaredAccessibility != Accessibility.Public) return "a property whose setter is not public";
                if (p.SetMethod.IsInitOnly && !type.IsRecord) return "an init-only property of a non-record class";
                return null;
        }
        return "not a property or field";
    }

    private static bool IsConstantType(ITypeSymbol t) => t.TypeKind == TypeKind.Enum || t.SpecialType is
        SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte
        or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
        or SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Boolean or SpecialType.System_String or SpecialType.System_Char;

    private static bool TryElementType(ITypeSymbol t, out ITypeSymbol elem, out CollectionKind kind)
    {
        if (t is IArrayTypeSymbol { Rank: 1 } a) { elem = a.ElementType; kind = CollectionKind.Array; return true; }
        if (t is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n)
        {
            var def = n.OriginalDefinition.ToDisplayString();
            if (def is "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.IReadOnlyList<T>"
                or "System.Collections.Generic.ICollection<T>" or "System.Collections.Generic.IReadOnlyCollection<T>" or "System.Collections.Generic.IEnumerable<T>")
            { elem = n.TypeArguments[0]; kind = CollectionKind.List; return true; }
        }
        elem = t;
        kind = CollectionKind.None;
        return false;
    }

    private sealed record Literal(string Code, string Display);

    private List<Literal>? Literals(IReadOnlyList<TypedConstant> values, ITypeSymbol target, AttributeData attr, int argOffset, string attrName, string where,
        Location? fallback, List<DiagnosticInfo> diags)
    {
        var result = new List<Literal>();
        bool ok = true;
        for (int i = 0; i < values.Count; i++)
        {
            if (TryLiteral(values[i], target, out var lit)) result.Add(lit);
            else
            {
                ok = false;
                diags.Add(Diag(Descriptors.NotConvertible, ArgLocation(attr, argOffset + i, fallback), Display(values[i]), attrName, where, target.ToDisplayString()));
            }
        }
        return ok ? result : null;
    }

    private static string Display(TypedConstant c) => c.Kind switch
    {
        TypedConstantKind.Type => "typeof(" + (c.Value as ITypeSymbol)?.ToDisplayString() + ")",
        TypedConstantKind.Array => "an array",
        _ when c.IsNull => "null",
        _ => c.ToCSharpString(),
    };

    private static string R(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string DoubleLiteral(double d)
    {
        if (double.IsNaN(d)) return "double.NaN";
        if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
        return R(d) + "D";
    }

    private static bool TryLiteral(TypedConstant c, ITypeSymbol target, out Literal lit)
    {
        lit = new Literal("", "");
        if (c.IsNull || c.Kind is TypedConstantKind.Array or TypedConstantKind.Type or TypedConstantKind.Error) return false;
        if (target.TypeKind == TypeKind.Enum)
        {
            if (c.Kind != TypedConstantKind.Enum || !SymbolEqualityComparer.Default.Equals(c.Type, target)) return false;
            var field = target.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, c.Value));
            string fq = target.ToDisplayString(Fq);
            lit = field is not null
                ? new Literal(fq + "." + field.Name, field.Name)
                : new Literal("(" + fq + ")(" + Convert.ToString(c.Value, CultureInfo.InvariantCulture) + ")", Convert.ToString(c.Value, CultureInfo.InvariantCulture)!);
            return true;
        }
        if (c.Kind == TypedConstantKind.Enum) return false;
        var v = c.Value;
        bool integral = v is int or long or short or byte or sbyte or ushort or uint or ulong;
        switch (target.SpecialType)
        {
            case SpecialType.System_Boolean:
                if (v is not bool b) return false;
                lit = new Literal(b ? "true" : "false", b ? "true" : "false");
                return true;
            case SpecialType.System_String:
                if (v is not string s) return false;
                lit = new Literal(SymbolDisplay.FormatLiteral(s, true), SymbolDisplay.FormatLiteral(s, true));
                return true;
            case SpecialType.System_Char:
                if (v is not char ch) return false;
                lit = new Literal(SymbolDisplay.FormatLiteral(ch, true), SymbolDisplay.FormatLiteral(ch, true));
                return true;
            case SpecialType.System_Double:
            case SpecialType.System_Single:
                if (!integral && v is not double && v is not float) return false;
                if (target.SpecialType == SpecialType.System_Single)
                {
                    float f = Convert.ToSingle(v, CultureInfo.InvariantCulture);
                    string fs = f.ToString("R", CultureInfo.InvariantCulture);
                    lit = float.IsNaN(f) || float.IsInfinity(f) ? new Literal("float." + (float.IsNaN(f) ? "NaN" : f > 0 ? "PositiveInfinity" : "NegativeInfinity"), fs) : new Literal(fs + "F", fs);
                    return true;
                }
                double d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                lit = new Literal(DoubleLiteral(d), R(d));
                return true;
        }
        if (!integral) return false;
        decimal n = Convert.ToDecimal(v, CultureInfo.InvariantCulture);
        string text = n.ToString(CultureInfo.InvariantCulture);
        (decimal Min, decimal Max, string Code) range = target.SpecialType switch
        {
            SpecialType.System_Int32 => (int.MinValue, int.MaxValue, text),
            SpecialType.System_Int64 => (long.MinValue, long.MaxValue, text + "L"),
            SpecialType.System_Int16 => (short.MinValue, short.MaxValue, "(short)" + Paren(text)),
            SpecialType.System_Byte => (byte.MinValue, byte.MaxValue, "(byte)" + text),
            SpecialType.System_SByte => (sbyte.MinValue, sbyte.MaxValue, "(sbyte)" + Paren(text)),
            SpecialType.System_UInt16 => (ushort.MinValue, ushort.MaxValue, "(ushort)" + text),
            SpecialType.System_UInt32 => (uint.MinValue, uint.MaxValue, text + "U"),
            SpecialType.System_UInt64 => (ulong.MinValue, ulong.MaxValue, text + "UL"),
            _ => (1, 0, ""),
        };
        if (n < range.Min || n > range.Max) return false;
        lit = new Literal(range.Code, text);
        return true;
    }

    private static string Paren(string s) => s.StartsWith("-", StringComparison.Ordinal) ? "(" + s + ")" : s;

    // ---- Cross-type checks: cycles and duplicate decision names ----

    /// <summary>The searchable members of any type (source or metadata), without diagnostics.</summary>
    private List<(ISymbol Symbol, string? Name, MemberKind Kind, List<INamedTypeSymbol> Refs, long Min, long Max, Location? Location)> Light(INamedTypeSymbol type)
    {
        var result = new List<(ISymbol, string?, MemberKind, List<INamedTypeSymbol>, long, long, Location?)>();
        foreach (var m in type.GetMembers())
        {
            if (m is not (IFieldSymbol or IPropertySymbol) || m.IsImplicitlyDeclared || m.IsStatic) continue;
            var memberType = m switch { IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
            var attrs = SearchAttrs(m);
            if (attrs.Count == 0)
            {
                if (!HasFixed(m) && IsSearchable(memberType) && UnsupportedKind(type, m) is null)
                    result.Add((m, null, MemberKind.Nested, [(INamedTypeSymbol)memberType!], 0, 0, m.Locations.FirstOrDefault()));
                continue;
            }
            var a = attrs[0];
            var loc = AttrLocation(a) ?? m.Locations.FirstOrDefault();
            string? name = a.NamedArguments.FirstOrDefault(n => n.Key == "Name").Value.Value as string;
            switch (a.AttributeClass!.Name)
            {
                case "OneOfAttribute":
                    var values = a.ConstructorArguments.Length == 1 ? ParamsValues(a.ConstructorArguments[0]) : [];
                    var refs = values.Where(v => v.Kind == TypedConstantKind.Type).Select(v => v.Value).OfType<INamedTypeSymbol>().Where(IsSearchable).ToList();
                    result.Add((m, name, refs.Count > 0 ? MemberKind.OneOfTypes : MemberKind.OneOfConst, refs, 0, 0, loc));
                    break;
                case "RepeatAttribute":
                    if (TryElementType(memberType!, out var elem, out _) && elem is INamedTypeSymbol child && IsSearchable(child)
                        && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[0].Value is int min && a.ConstructorArguments[1].Value is int max)
                        result.Add((m, name, MemberKind.Repeat, [child], min, max, loc));
                    else result.Add((m, name, MemberKind.Repeat, [], 0, 0, loc));
                    break;
                default:
                    result.Add((m, name, MemberKind.Int, [], 0, 0, loc));
                    break;
            }
        }
        return result;
    }

    private void CheckGraph(INamedTypeSymbol type, List<DiagnosticInfo> diags)
    {
        var members = Light(type);
        // Cycles.
        foreach (var m in members)
        {
            foreach (var r in m.Refs)
            {
                var path = new List<INamedTypeSymbol>();
                if (SymbolEqualityComparer.Default.Equals(r, type) || Reaches(r, type, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default), path))
                {
                    var names = new List<string> { type.Name };
                    if (!SymbolEqualityComparer.Default.Equals(r, type)) { names.Add(r.Name); names.AddRange(path.Select(p => p.Name)); }
                    names.Add(type.Name);
                    diags.Add(Diag(Descriptors.Cycle, m.Location, type.Name + "." + m.Symbol.Name, string.Join(" -> ", names)));
                    return;
                }
            }
        }
        // Duplicate names.
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            if (m.Name is not null) counts[m.Name] = 1;
            AddRefNames(m.Kind, m.Refs, m.Min, m.Max, counts, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default) { type });
            foreach (var kv in counts.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                totals.TryGetValue(kv.Key, out var t);
                totals[kv.Key] = t + kv.Value;
                if (t + kv.Value >= 2 && reported.Add(kv.Key))
                    diags.Add(Diag(Descriptors.DuplicateName, m.Location, kv.Key, type.Name, type.Name + "." + m.Symbol.Name));
            }
        }
    }

    private void AddRefNames(MemberKind kind, List<INamedTypeSymbol> refs, long min, long max, Dictionary<string, long> counts, HashSet<INamedTypeSymbol> stack)
    {
        long times = kind == MemberKind.Repeat ? (min + max) * (max - min + 1) / 2 : 1;
        if (times == 0) return;
        foreach (var r in refs)
        {
            var sub = NamesOf(r, stack);
            foreach (var kv in sub)
            {
                counts.TryGetValue(kv.Key, out var c);
                counts[kv.Key] = c + kv.Value * times;
            }
        }
    }

    private Dictionary<string, long> NamesOf(INamedTypeSymbol type, HashSet<INamedTypeSymbol> stack)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!stack.Add(type)) return counts;
        foreach (var m in Light(type))
        {
            if (m.Name is not null) { counts.TryGetValue(m.Name, out var c); counts[m.Name] = c + 1; }
            AddRefNames(m.Kind, m.Refs, m.Min, m.Max, counts, stack);
        }
        stack.Remove(type);
        return counts;
    }

    private bool Reaches(INamedTypeSymbol from, INamedTypeSymbol target, HashSet<INamedTypeSymbol> visited, List<INamedTypeSymbol> path)
    {
        if (!visited.Add(from)) return false;
        foreach (var m in Light(from))
        {
            foreach (var r in m.Refs)
            {
                if (SymbolEqualityComparer.Default.Equals(r, target)) return true;
                path.Add(r);
                if (Reaches(r, target, visited, path)) return true;
                path.RemoveAt(path.Count - 1);
            }
        }
        return false;
    }
}
