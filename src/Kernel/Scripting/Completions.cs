using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Completion answers from Roslyn's semantic model: symbols in scope, or members after a dot.</summary>
public sealed record CompletionResult(IReadOnlyList<string> Matches, int CursorStart, int CursorEnd);

internal static class Completions
{
    /// <summary>Completes at <paramref name="cursor"/> (UTF-16 index) in <paramref name="code"/>, against the session's variables.</summary>
    public static CompletionResult Complete(ScriptSession session, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        if (MagicLineAssistance.Complete(session, code, cursor) is { } onMagicLine) return onMagicLine;
        int start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        var prefix = code[start..cursor];
        var model = SemanticModelFor(session, code, out var tree);
        if (model is null) return new CompletionResult([], start, cursor);

        IEnumerable<ISymbol> symbols;
        var beforeDot = start - 1;
        while (beforeDot >= 0 && char.IsWhiteSpace(code[beforeDot])) beforeDot--;
        if (beforeDot >= 0 && code[beforeDot] == '.')
        {
            var dot = tree.GetRoot().FindToken(beforeDot);
            symbols = MembersOf(model, dot.Parent, start);
        }
        else
        {
            symbols = model.LookupSymbols(start);
        }
        var names = symbols
            .Where(s => s.CanBeReferencedByName && !s.IsImplicitlyDeclared && !s.Name.StartsWith("__", StringComparison.Ordinal))
            .Select(s => s.Name)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        if (beforeDot < 0 || code[beforeDot] != '.')
            names = names.Concat(Keywords.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && prefix.Length > 0)).Distinct().Order(StringComparer.Ordinal).ToList();
        return new CompletionResult(names, start, cursor);
    }

    private static IEnumerable<ISymbol> MembersOf(SemanticModel model, SyntaxNode? node, int position)
    {
        ExpressionSyntax? left = node switch
        {
            MemberAccessExpressionSyntax m => m.Expression,
            QualifiedNameSyntax q => q.Left,
            MemberBindingExpressionSyntax => null,
            _ => null,
        };
        if (left is null) return [];
        var info = model.GetSymbolInfo(left);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        if (symbol is INamespaceSymbol ns) return model.LookupSymbols(position, ns);
        if (symbol is INamedTypeSymbol type) return model.LookupStaticMembers(position, type).Concat(model.LookupNamespacesAndTypes(position, type));
        var instanceType = model.GetTypeInfo(left).Type;
        if (instanceType is null) return [];
        return model.LookupSymbols(position, instanceType, includeReducedExtensionMethods: true).Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension });
    }

    /// <summary>The submission's semantic model for <paramref name="code"/> as the next cell.</summary>
    internal static SemanticModel? SemanticModelFor(ScriptSession session, string code, out SyntaxTree tree)
    {
        tree = null!;
        if (session.State is null) session.WarmUp.Wait(TimeSpan.FromSeconds(30));
        var state = session.State;
        if (state is null) return null;
        var compilation = state.Script.ContinueWith(code, session.Environment.Options("completion", session.ReferencesInChain)).GetCompilation();
        tree = compilation.SyntaxTrees.Single();
        return compilation.GetSemanticModel(tree);
    }

    public static void WarmUp(ScriptSession session)
    {
        try { Complete(session, "Math.Ab", 7); } catch (Exception e) { KernelLog.Write($"completion warm-up failed: {e.Message}"); }
    }

    private static readonly string[] Keywords =
    [
        "abstract", "as", "async", "await", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false",
        "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is",
        "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "record", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using",
        "var", "virtual", "void", "volatile", "when", "where", "while", "yield",
    ];
}
