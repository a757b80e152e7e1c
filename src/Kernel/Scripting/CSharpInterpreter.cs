using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Jupyter;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>C# behind the Jupyter protocol: a <see cref="ScriptSession"/> runs the cells, Roslyn answers completion, inspection and is_complete.</summary>
internal sealed class CSharpInterpreter(ScriptSession session) : IInterpreter
{
    public static InterpreterInfo Description { get; } = new(LanguageInfo(),
        $"ArchNotebooks C# kernel {KernelInfo.Version} — Roslyn scripting on .NET {Environment.Version}; #!lsmagic lists the magics",
        [("C# language reference", "https://learn.microsoft.com/dotnet/csharp/")]);

    /// <summary>nbformat's language_info for C# cells (also written into notebooks the headless runner executes).</summary>
    public static JsonObject LanguageInfo() => new()
    {
        ["name"] = KernelInfo.Language,
        ["version"] = "14.0",
        ["mimetype"] = "text/x-csharp",
        ["file_extension"] = ".cs",
        ["pygments_lexer"] = "csharp",
        ["codemirror_mode"] = "text/x-csharp",
    };

    public InterpreterInfo Info => Description;

    public Task<CellError?> ExecuteAsync(string code, ICellOutput output, string cellName) => session.ExecuteAsync(code, output, cellName);

    public Task<(MimeBundle? Value, CellError? Error)> EvaluateAsync(string expression) => session.EvaluateAsync(expression);

    // Code nested too deep for Roslyn's parser (NestingGuard) gets no completions and no help rather than a dead kernel.
    public CompletionResult Complete(string code, int cursor) =>
        TooDeep(code) ? new CompletionResult([], cursor, cursor) : Completions.Complete(session, code, cursor);

    public string? Inspect(string code, int cursor) => TooDeep(code) ? null : Inspection.Inspect(session, code, cursor);

    private static bool TooDeep(string code) => NestingGuard.Depth(code, NestingGuard.MaxDepth) > NestingGuard.MaxDepth;

    public CodeCompleteness IsComplete(string code) => Completeness(code);

    public void Interrupt() => session.Interrupt();

    public void UseNotebookDirectory(string directory) => session.Notebook.NotebookDirectory = directory;

    /// <summary>Whether a front end should run <paramref name="code"/> on Enter: a lone magic line is complete, otherwise Roslyn decides.</summary>
    public static CodeCompleteness Completeness(string code)
    {
        if (string.IsNullOrWhiteSpace(code)) return new("complete");
        if (MagicLine.TryParse(code, out var magic) && string.IsNullOrWhiteSpace(magic.Body)) return new("complete");
        if (TooDeep(code)) return new("invalid");
        var tree = CSharpSyntaxTree.ParseText(code, ScriptSession.ParseOptions);
        // A string or character literal left open at the end of a line can never be completed by more lines
        // (ipykernel says "invalid" for an unterminated quote too); answering "incomplete" traps terminal front ends in continuation.
        if (tree.GetDiagnostics().Any(d => UnterminatedOnItsLine(tree, d))) return new("invalid");
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return new("incomplete", "    ");
        bool invalid = tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        return new(invalid ? "invalid" : "complete");
    }

    /// <summary>A string or character literal that had to end on its line and did not. Verbatim (<c>@"</c>, <c>$@"</c>) and raw
    /// (<c>"""</c>) strings may span lines, so for them (and for an open interpolation hole) more lines can still complete the code.</summary>
    private static bool UnterminatedOnItsLine(SyntaxTree tree, Diagnostic diagnostic)
    {
        if (diagnostic.Id is "CS1010" or "CS1011" or "CS1012") return true;  // newline in constant, empty or overlong char literal
        if (diagnostic.Id != "CS1039") return false;                          // unterminated string literal
        var token = tree.GetRoot().FindToken(diagnostic.Location.SourceSpan.Start);
        var interpolated = token.Parent?.AncestorsAndSelf().OfType<InterpolatedStringExpressionSyntax>().FirstOrDefault();
        bool verbatim = interpolated is not null
            ? interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedVerbatimStringStartToken)
            : token.Text.StartsWith('@');
        return !verbatim;
    }
}
