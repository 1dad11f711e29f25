using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}

namespace NasNotebooks.Dsl.Generators
{
    /// <summary>An immutable array with value equality (for incremental pipeline models).</summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T> where T : IEquatable<T>
    {
        private readonly T[]? _items;

        public EquatableArray(IEnumerable<T> items) => _items = items.ToArray();

        public int Count => _items?.Length ?? 0;

        public T this[int i] => _items![i];

        public bool Equals(EquatableArray<T> other)
        {
            var a = _items ?? Array.Empty<T>();
            var b = other._items ?? Array.Empty<T>();
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (!a[i].Equals(b[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> o && Equals(o);

        public override int GetHashCode()
        {
            int h = 17;
            foreach (var x in _items ?? Array.Empty<T>()) h = unchecked(h * 31 + x.GetHashCode());
            return h;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A location without references to syntax trees.</summary>
    internal sealed record LocationInfo(string Path, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(Path, Span, LineSpan);

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }
    }

    /// <summary>A diagnostic to report, as a value.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args)
    {
        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptors.ById(Id), Location?.ToLocation(), Args.Cast<object>().ToArray());
    }

    internal enum MemberKind { OneOfConst, OneOfTypes, Int, Float, ManyOf, Nested, Repeat }

    internal enum CollectionKind { None, Array, List }

    /// <summary>One searchable member.</summary>
    internal sealed record MemberModel(
        string Name,
        string Type,
        MemberKind Kind,
        string? DecisionName,
        EquatableArray<string> Candidates,
        string ElementType,
        CollectionKind Collection,
        int K,
        bool Distinct,
        bool Sorted,
        bool IsPermutation,
        long IntMin,
        long IntMax,
        long Step,
        string FloatMin,
        string FloatMax,
        string Scale,
        string AllowedText,
        int CtorIndex);

    /// <summary>Everything needed to emit one [Searchable] type.</summary>
    internal sealed record TypeModel(
        string Namespace,
        string Name,
        string FullName,
        bool IsRecord,
        string HintName,
        EquatableArray<MemberModel> Members,
        EquatableArray<string> CtorParameters,
        EquatableArray<DiagnosticInfo> Diagnostics,
        bool Emit);
}
