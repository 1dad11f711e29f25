using System.Collections;
using System.Reflection;
using System.Text;
using FSharp.Compiler.Syntax;
using Microsoft.FSharp.Core;

namespace NasNotebooks.Kernel;

/// <summary>An F# cell with checks added, and for each of its lines (1-based) the line of the cell as written.</summary>
internal sealed record FSharpInstrumentedCell(string Code, int[] OriginalLines)
{
    /// <summary>The line of the cell as written that a line of <see cref="Code"/> comes from.</summary>
    public int OriginalLine(int line) => line >= 1 && line <= OriginalLines.Length ? OriginalLines[line - 1] : line;
}

/// <summary>
/// Adds <see cref="CellGuard"/> checks to an F# cell, from FSharp.Compiler.Service's parse tree: <c>Poll()</c> at the
/// start of <c>while</c> and <c>for</c> bodies, <c>Enter()</c> at the start of the bodies of functions, members,
/// lambdas and <c>function</c> clauses, and <c>Begin()</c> before the cell's first declaration (after leading
/// <c>open</c>s and <c>#</c> directives) to mark where compilation ends and the cell's code starts.
/// </summary>
/// <remarks>
/// F# layout is significant, so a check goes on a line of its own, at the column where the body starts, followed by
/// the body on the next line at that same column; a body that started on the line of its <c>=</c> or <c>-&gt;</c> is
/// moved to a line of its own at its own column. Every token keeps its column, so the layout rules see the same
/// indentation; only line numbers change, and <see cref="FSharpInstrumentedCell.OriginalLines"/> maps them back.
/// Quotations and <c>query { }</c> expressions are left alone (checks would change what they mean).
/// </remarks>
internal static class FSharpCellInstrumenter
{
    private const string Guard = "global.NasNotebooks.Kernel.CellGuard.";

    /// <summary>The instrumented cell, or null when the parse tree has errors (the cell then runs as written).</summary>
    public static FSharpInstrumentedCell? Instrument(string code, ParsedInput tree, bool parseHadErrors)
    {
        if (parseHadErrors || tree is not ParsedInput.ImplFile file)
        {
            return null;
        }
        var lineStarts = LineStarts(code);
        var inserts = new SortedDictionary<int, string>();
        var walker = new Walker(code, lineStarts, inserts);
        foreach (var module in file.Item.contents)
        {
            if (module.kind.IsNamedModule)
            {
                // `module M` heading the cell: nothing may come before it.
                return null;
            }
            walker.Visit(module);
            var leading = module.decls.TakeWhile(d => d is SynModuleDecl.Open or SynModuleDecl.HashDirective).LastOrDefault();
            int beginLine = leading is null ? 1 : leading.Range.EndLine + 1;
            int at = beginLine <= lineStarts.Count ? lineStarts[beginLine - 1] : code.Length;
            var prefix = at == code.Length && code.Length > 0 && code[^1] != '\n' ? "\n" : "";
            inserts[at] = prefix + Guard + "Begin()\n" + (inserts.TryGetValue(at, out var existing) ? existing : "");
        }
        return Apply(code, inserts);
    }

    private static List<int> LineStarts(string code)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < code.Length; i++)
        {
            if (code[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts;
    }

    private static FSharpInstrumentedCell Apply(string code, SortedDictionary<int, string> inserts)
    {
        var sb = new StringBuilder(code.Length + inserts.Count * 64);
        var lines = new List<int>();
        int originalLine = 1;
        lines.Add(1);
        int at = 0;
        void Copy(int end)
        {
            for (int i = at; i < end; i++)
            {
                sb.Append(code[i]);
                if (code[i] == '\n')
                {
                    originalLine++;
                    lines.Add(originalLine);
                }
            }
            at = end;
        }
        foreach (var (position, text) in inserts)
        {
            Copy(position);
            foreach (var c in text)
            {
                sb.Append(c);
                if (c == '\n')
                {
                    // A line made by the insertion belongs to the line the insertion was made in.
                    lines.Add(originalLine);
                }
            }
        }
        Copy(code.Length);
        return new FSharpInstrumentedCell(sb.ToString(), lines.ToArray());
    }

    private sealed class Walker(string code, List<int> lineStarts, SortedDictionary<int, string> inserts)
    {
        private static readonly Dictionary<Type, PropertyInfo[]> Children = [];
        private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

        public void Visit(object? node)
        {
            switch (node)
            {
                case null:
                    return;
                case SynExpr.Quote:
                    return;
                case SynExpr.App { funcExpr: SynExpr.Ident id, argExpr: SynExpr.ComputationExpr } when id.ident.idText == "query":
                    return;
                case SynExpr.While w:
                    Check(w.doExpr, "Poll");
                    break;
                case SynExpr.For f:
                    Check(f.doBody, "Poll");
                    break;
                case SynExpr.ForEach f:
                    Check(f.bodyExpr, "Poll");
                    break;
                case SynExpr.Lambda l when !l.inLambdaSeq && !l.fromMethod:
                    // fun a b -> body is nested lambdas; the outer one holds the body as written.
                    Check(l.parsedData?.Value?.Item2 ?? l.body, "Enter");
                    break;
                case SynExpr.MatchLambda m:
                    foreach (var clause in m.matchClauses)
                    {
                        Check(clause.resultExpr, "Enter");
                    }
                    break;
                case SynBinding b when IsFunctionOrMember(b):
                    Check(b.expr, "Enter");
                    break;
            }
            if (!_seen.Add(node))
            {
                return;
            }
            foreach (var child in ChildrenOf(node))
            {
                Visit(child);
            }
        }

        /// <summary>Functions (with arguments) and members; not values (their body runs once) nor constructors (`new() = ...` must stay an object construction).</summary>
        private static bool IsFunctionOrMember(SynBinding b)
        {
            if (!FSharpOption<FSharp.Compiler.Text.Range>.get_IsSome(b.trivia.EqualsRange))
            {
                return false; // extern declarations, abstract slots
            }
            var isMember = FSharpOption<SynMemberFlags>.get_IsSome(b.valData.memberFlags);
            if (b.headPat is SynPat.LongIdent head)
            {
                if (head.longDotId.LongIdent.Select(i => i.idText).LastOrDefault() == "new")
                {
                    return false;
                }
                return isMember || head.argPats is SynArgPats.Pats { pats.IsEmpty: false } or SynArgPats.NamePatPairs;
            }
            return isMember;
        }

        /// <summary>Puts a check before <paramref name="body"/>: on a line of its own at the body's column.</summary>
        private void Check(SynExpr body, string check)
        {
            var range = body.Range;
            if (range.StartLine < 1 || range.StartLine > lineStarts.Count)
            {
                return;
            }
            int lineStart = lineStarts[range.StartLine - 1];
            int column = range.StartColumn;
            int position = lineStart + column;
            if (position >= code.Length || char.IsWhiteSpace(code[position]) || (range.StartLine == range.EndLine && range.StartColumn == range.EndColumn))
            {
                return;
            }
            bool ownLine = code.AsSpan(lineStart, column).IsWhiteSpace();
            var pad = new string(' ', column);
            var text = (ownLine ? "" : "\n" + pad) + Guard + check + "();\n" + pad;
            if (inserts.TryGetValue(position, out var existing))
            {
                // Two bodies starting at the same place (a lambda that is a loop's body...): one check, the stronger.
                if (check == "Enter" && !existing.Contains("Enter", StringComparison.Ordinal))
                {
                    inserts[position] = text;
                }
                return;
            }
            inserts[position] = text;
        }

        private static IEnumerable<object> ChildrenOf(object node)
        {
            if (node is IEnumerable sequence and not string)
            {
                foreach (var item in sequence)
                {
                    if (item is not null)
                    {
                        yield return item;
                    }
                }
                yield break;
            }
            foreach (var property in PropertiesOf(node.GetType()))
            {
                if (property.GetValue(node) is { } value)
                {
                    yield return value;
                }
            }
        }

        /// <summary>The properties of a syntax node that can hold expressions: nested syntax, lists, options, tuples.</summary>
        private static PropertyInfo[] PropertiesOf(Type type)
        {
            lock (Children)
            {
                if (!Children.TryGetValue(type, out var properties))
                {
                    properties = type.GetProperties(BindingFlags.Instance | BindingFlags.Public)
                        .Where(p => p.GetIndexParameters().Length == 0 && MayHoldSyntax(p.PropertyType) && p.Name != "Tag")
                        .ToArray();
                    // Union cases expose each field twice (e.g. `expr` and `Expr` for single-case unions): visiting both is harmless (seen-set).
                    Children[type] = properties;
                }
                return properties;
            }
        }

        private static bool MayHoldSyntax(Type t)
        {
            if (t.IsPrimitive || t == typeof(string) || t == typeof(FSharp.Compiler.Text.Range))
            {
                return false;
            }
            if (t.Namespace == "FSharp.Compiler.Syntax")
            {
                return t != typeof(Ident) && t != typeof(SynIdent) && t != typeof(SynLongIdent) && t != typeof(SynConst) && t != typeof(SynType)
                    && t != typeof(FSharp.Compiler.Xml.PreXmlDoc) && t != typeof(SynAccess) && t != typeof(SynValInfo) && t != typeof(SynBindingKind);
            }
            if (t.IsGenericType)
            {
                var definition = t.GetGenericTypeDefinition();
                return (definition == typeof(Microsoft.FSharp.Collections.FSharpList<>) || definition == typeof(FSharpOption<>) || t.FullName!.StartsWith("System.Tuple", StringComparison.Ordinal))
                    && t.GetGenericArguments().Any(MayHoldSyntax);
            }
            return false;
        }
    }
}
