using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NasNotebooks.Kernel;

/// <summary>
/// Adds <see cref="CellGuard"/> checks to the text of a C# cell before Roslyn compiles it, so that an interrupt stops
/// any code of the cell and runaway recursion throws instead of overflowing the stack:
/// <list type="bullet">
/// <item><c>CellGuard.Poll()</c> at the start of every loop body, before every <c>goto</c>, after every statement that
/// awaits, and before every top-level statement or variable declaration but the first;</item>
/// <item><c>CellGuard.Enter()</c> at the start of every method, local function, constructor, accessor, operator,
/// lambda or anonymous method with a block body, of expression-bodied members (turned into block bodies), and of
/// expression-bodied lambdas whose delegate type is spelled out in the cell (<c>Func&lt;int, int&gt; f = n =&gt; ...</c>,
/// how recursive lambdas are written).</item>
/// </list>
/// Insertions never add line breaks, so lines stay where they were. Other expression-bodied lambdas are left as they
/// are: without binding the cell their return type is unknown (void or not, delegate or expression tree).
/// </summary>
internal static class CSharpCellInstrumenter
{
    private const string PollCall = "global::NasNotebooks.Kernel.CellGuard.Poll();";
    private const string EnterCall = "global::NasNotebooks.Kernel.CellGuard.Enter();";

    /// <summary>The instrumented code, or null when the cell has nothing to instrument (e.g. <c>1+1</c>).</summary>
    public static string? Instrument(string code, CSharpParseOptions options)
    {
        if (!MayNeedChecks(code))
        {
            return null;
        }
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(code, options).GetRoot();
        var edits = new List<Edit>();
        var afterAwait = new HashSet<int>();
        var delegateTypes = DeclaredDelegateShapes(root);
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case ForStatementSyntax s:
                    GuardLoopBody(s.Statement, edits);
                    break;
                case CommonForEachStatementSyntax s:
                    GuardLoopBody(s.Statement, edits);
                    break;
                case WhileStatementSyntax s:
                    GuardLoopBody(s.Statement, edits);
                    break;
                case DoStatementSyntax s:
                    GuardLoopBody(s.Statement, edits);
                    break;
                case GotoStatementSyntax s:
                    Wrap(s, PollCall, edits);
                    break;
                case BaseMethodDeclarationSyntax m:
                    GuardFunction(m.Body, m.ExpressionBody, m.SemicolonToken, BodyShapeOf(m), edits);
                    break;
                case LocalFunctionStatementSyntax f:
                    GuardFunction(f.Body, f.ExpressionBody, f.SemicolonToken, ReturnShape(f.ReturnType, f.Modifiers), edits);
                    break;
                case AccessorDeclarationSyntax a:
                    GuardFunction(a.Body, a.ExpressionBody, a.SemicolonToken, a.IsKind(SyntaxKind.GetAccessorDeclaration) ? Shape.Return : Shape.Statement, edits);
                    break;
                case BasePropertyDeclarationSyntax p when ExpressionBodyOf(p) is { } arrow:
                    // int P => E;  ->  int P { get { Enter(); return E; } }
                    edits.Add(new Edit(arrow.ArrowToken.SpanStart, arrow.ArrowToken.Span.Length, "{ get {" + EnterCall + (arrow.Expression is ThrowExpressionSyntax ? "" : " return")));
                    edits.Add(new Edit(SemicolonOf(p).Span.End, 0, " } }"));
                    break;
                case AnonymousFunctionExpressionSyntax f when f.Block is { } block:
                    edits.Add(new Edit(block.OpenBraceToken.Span.End, 0, EnterCall));
                    break;
                case LambdaExpressionSyntax f when f.ExpressionBody is { } body && ShapeOfLambda(f, delegateTypes) is { } shape:
                    var async = f.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                    var statement = shape == Shape.Statement || body is ThrowExpressionSyntax || (async && shape == Shape.AsyncStatement);
                    edits.Add(new Edit(body.SpanStart, 0, "{" + EnterCall + (statement ? " " : " return ")));
                    edits.Add(new Edit(body.Span.End, 0, "; }"));
                    break;
                case AwaitExpressionSyntax a:
                    PollAfterStatement(a, afterAwait);
                    break;
            }
        }
        edits.AddRange(afterAwait.Select(p => new Edit(p, 0, PollCall)));
        // Script variables (`var x = ...;`) are field declarations: they run code too.
        var executed = root.Members.Where(m => m is GlobalStatementSyntax or FieldDeclarationSyntax).ToList();
        for (int i = 1; i < executed.Count; i++)
        {
            edits.Add(new Edit(executed[i].SpanStart, 0, PollCall));
        }
        return edits.Count == 0 ? null : Apply(code, edits);
    }

    /// <summary>A cheap look at the text: cells such as <c>1+1</c> or <c>x</c> are not parsed at all.</summary>
    private static bool MayNeedChecks(string code) =>
        code.AsSpan().IndexOfAny('{', ';', '=') >= 0 ||
        code.Contains("for", StringComparison.Ordinal) || code.Contains("while", StringComparison.Ordinal) ||
        code.Contains("goto", StringComparison.Ordinal) || code.Contains("await", StringComparison.Ordinal);

    private enum Shape
    {
        /// <summary>The body's value is returned: <c>{ Enter(); return E; }</c>.</summary>
        Return,
        /// <summary>The body is a statement: <c>{ Enter(); E; }</c>.</summary>
        Statement,
        /// <summary>A statement when the function is async (returns Task/ValueTask), else returned.</summary>
        AsyncStatement,
    }

    private readonly record struct Edit(int Start, int Length, string Text);

    private static void GuardLoopBody(StatementSyntax body, List<Edit> edits)
    {
        if (body is BlockSyntax block)
        {
            edits.Add(new Edit(block.OpenBraceToken.Span.End, 0, PollCall));
        }
        else
        {
            Wrap(body, PollCall, edits);
        }
    }

    /// <summary><c>S</c> becomes <c>{check S}</c> (an embedded statement can't be a declaration, so scoping is unchanged).</summary>
    private static void Wrap(StatementSyntax statement, string check, List<Edit> edits)
    {
        edits.Add(new Edit(statement.SpanStart, 0, "{" + check));
        edits.Add(new Edit(statement.Span.End, 0, "}"));
    }

    private static void GuardFunction(BlockSyntax? body, ArrowExpressionClauseSyntax? arrow, SyntaxToken semicolon, Shape shape, List<Edit> edits)
    {
        if (body is not null)
        {
            edits.Add(new Edit(body.OpenBraceToken.Span.End, 0, EnterCall));
        }
        else if (arrow is not null && !semicolon.IsMissing)
        {
            var statement = shape == Shape.Statement || arrow.Expression is ThrowExpressionSyntax;
            edits.Add(new Edit(arrow.ArrowToken.SpanStart, arrow.ArrowToken.Span.Length, "{" + EnterCall + (statement ? "" : " return")));
            edits.Add(new Edit(semicolon.Span.End, 0, " }"));
        }
    }

    private static Shape BodyShapeOf(BaseMethodDeclarationSyntax m) => m switch
    {
        MethodDeclarationSyntax method => ReturnShape(method.ReturnType, method.Modifiers),
        ConstructorDeclarationSyntax or DestructorDeclarationSyntax => Shape.Statement,
        _ => Shape.Return,
    };

    private static Shape ReturnShape(TypeSyntax returnType, SyntaxTokenList modifiers)
    {
        if (returnType is PredefinedTypeSyntax p && p.Keyword.IsKind(SyntaxKind.VoidKeyword))
        {
            return Shape.Statement;
        }
        // async Task / ValueTask (no type argument): the body's value is not returned.
        var async = modifiers.Any(SyntaxKind.AsyncKeyword);
        return async && RightmostName(returnType) is IdentifierNameSyntax ? Shape.Statement : Shape.Return;
    }

    private static SimpleNameSyntax? RightmostName(TypeSyntax type) => type switch
    {
        QualifiedNameSyntax q => q.Right,
        AliasQualifiedNameSyntax a => a.Name,
        SimpleNameSyntax s => s,
        _ => null,
    };

    private static ArrowExpressionClauseSyntax? ExpressionBodyOf(BasePropertyDeclarationSyntax p) => p switch
    {
        PropertyDeclarationSyntax prop when !prop.SemicolonToken.IsMissing => prop.ExpressionBody,
        IndexerDeclarationSyntax idx when !idx.SemicolonToken.IsMissing => idx.ExpressionBody,
        _ => null,
    };

    private static SyntaxToken SemicolonOf(BasePropertyDeclarationSyntax p) => p switch
    {
        PropertyDeclarationSyntax prop => prop.SemicolonToken,
        IndexerDeclarationSyntax idx => idx.SemicolonToken,
        _ => default,
    };

    /// <summary>
    /// Names declared in the cell with a spelled-out <c>Func&lt;...&gt;</c> or <c>Action</c> type, and the shape of a lambda
    /// body for each (a statement for <c>Action</c> and for async lambdas returning a plain <c>Task</c>).
    /// </summary>
    private static Dictionary<string, Shape> DeclaredDelegateShapes(CompilationUnitSyntax root)
    {
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        foreach (var declaration in root.DescendantNodes().OfType<VariableDeclarationSyntax>())
        {
            if (DelegateShape(declaration.Type) is { } shape)
            {
                foreach (var v in declaration.Variables)
                {
                    shapes[v.Identifier.ValueText] = shape;
                }
            }
        }
        return shapes;
    }

    private static Shape? DelegateShape(TypeSyntax type)
    {
        switch (RightmostName(type))
        {
            case IdentifierNameSyntax { Identifier.ValueText: "Action" }:
                return Shape.Statement;
            case GenericNameSyntax { Identifier.ValueText: "Action" }:
                return Shape.Statement;
            case GenericNameSyntax { Identifier.ValueText: "Func" } func:
                var result = func.TypeArgumentList.Arguments.LastOrDefault();
                return result is not null && RightmostName(result) is IdentifierNameSyntax { Identifier.ValueText: "Task" or "ValueTask" }
                    ? Shape.AsyncStatement
                    : Shape.Return;
            default:
                return null;
        }
    }

    /// <summary>The body shape of an expression-bodied lambda assigned to a name declared with a delegate type, else null.</summary>
    private static Shape? ShapeOfLambda(LambdaExpressionSyntax lambda, Dictionary<string, Shape> delegateTypes)
    {
        var parent = lambda.Parent;
        while (parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            parent = parent.Parent;
        }
        return parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax declaration } } => DelegateShape(declaration.Type),
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                && delegateTypes.TryGetValue(name.Identifier.ValueText, out var shape) => shape,
            _ => null,
        };
    }

    /// <summary>After a statement that awaits, in a block of the same function: the code after the await stops if the cell was interrupted meanwhile.</summary>
    private static void PollAfterStatement(AwaitExpressionSyntax await, HashSet<int> positions)
    {
        for (SyntaxNode? node = await.Parent; node is not null; node = node.Parent)
        {
            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or GlobalStatementSyntax)
            {
                // Top-level statements get a check before the next one anyway.
                return;
            }
            if (node is StatementSyntax statement && node.Parent is BlockSyntax or SwitchSectionSyntax)
            {
                var last = statement.GetLastToken();
                if (!last.IsMissing && (last.IsKind(SyntaxKind.SemicolonToken) || last.IsKind(SyntaxKind.CloseBraceToken)))
                {
                    positions.Add(statement.Span.End);
                }
                return;
            }
        }
    }

    private static string Apply(string code, List<Edit> edits)
    {
        // Stable sort: edits at the same position keep the order in which they were found (outer before inner).
        var ordered = edits.Select((e, i) => (Edit: e, Index: i)).OrderBy(x => x.Edit.Start).ThenBy(x => x.Index).Select(x => x.Edit).ToList();
        var sb = new StringBuilder(code.Length + ordered.Count * 48);
        int at = 0;
        foreach (var e in ordered)
        {
            if (e.Start < at)
            {
                continue;
            }
            sb.Append(code, at, e.Start - at).Append(e.Text);
            at = e.Start + e.Length;
        }
        return sb.Append(code, at, code.Length - at).ToString();
    }
}
