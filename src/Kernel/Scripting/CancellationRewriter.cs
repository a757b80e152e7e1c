using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// Makes submitted code interruptible: .NET cannot abort a thread, so every loop body and every
/// block-bodied method, local function, accessor and lambda gets a first statement that throws once
/// the user interrupts. The statement is inserted without line breaks, so line numbers in errors stay
/// those of the cell.
/// </summary>
internal sealed class CancellationRewriter : CSharpSyntaxRewriter
{
    private static readonly StatementSyntax Check =
        SyntaxFactory.ParseStatement("global::ArchNotebooks.Interactive.CellCancellation.ThrowIfRequested();");

    public static SyntaxTree Rewrite(SyntaxTree tree) =>
        tree.WithRootAndOptions(new CancellationRewriter().Visit(tree.GetRoot()), tree.Options);

    public static string Rewrite(string code, CSharpParseOptions options) =>
        new CancellationRewriter().Visit(CSharpSyntaxTree.ParseText(code, options).GetRoot()).ToFullString();

    private static BlockSyntax Guard(BlockSyntax block) => block.WithStatements(block.Statements.Insert(0, Check));

    private static StatementSyntax Guard(StatementSyntax body) => body switch
    {
        BlockSyntax block => Guard(block),
        _ => SyntaxFactory.Block(Check, body.WithoutLeadingTrivia()).WithLeadingTrivia(body.GetLeadingTrivia()),
    };

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node) =>
        ((WhileStatementSyntax)base.VisitWhileStatement(node)!) is var n ? n.WithStatement(Guard(n.Statement)) : null;

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node) =>
        ((DoStatementSyntax)base.VisitDoStatement(node)!) is var n ? n.WithStatement(Guard(n.Statement)) : null;

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node) =>
        ((ForStatementSyntax)base.VisitForStatement(node)!) is var n ? n.WithStatement(Guard(n.Statement)) : null;

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
        ((ForEachStatementSyntax)base.VisitForEachStatement(node)!) is var n ? n.WithStatement(Guard(n.Statement)) : null;

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
        ((ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!) is var n ? n.WithStatement(Guard(n.Statement)) : null;

    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node) =>
        ((MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!) is var n && n.Body is { } body ? n.WithBody(Guard(body)) : n;

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node) =>
        ((LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!) is var n && n.Body is { } body ? n.WithBody(Guard(body)) : n;

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node) =>
        ((ConstructorDeclarationSyntax)base.VisitConstructorDeclaration(node)!) is var n && n.Body is { } body ? n.WithBody(Guard(body)) : n;

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node) =>
        ((AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!) is var n && n.Body is { } body ? n.WithBody(Guard(body)) : n;

    public override SyntaxNode? VisitOperatorDeclaration(OperatorDeclarationSyntax node) =>
        ((OperatorDeclarationSyntax)base.VisitOperatorDeclaration(node)!) is var n && n.Body is { } body ? n.WithBody(Guard(body)) : n;

    public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) =>
        ((ParenthesizedLambdaExpressionSyntax)base.VisitParenthesizedLambdaExpression(node)!) is var n && n.Block is { } body ? n.WithBlock(Guard(body)) : n;

    public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) =>
        ((SimpleLambdaExpressionSyntax)base.VisitSimpleLambdaExpression(node)!) is var n && n.Block is { } body ? n.WithBlock(Guard(body)) : n;

    public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node) =>
        ((AnonymousMethodExpressionSyntax)base.VisitAnonymousMethodExpression(node)!) is var n ? n.WithBlock(Guard(n.Block)) : null;
}
