using System.Text.Json.Nodes;
using ArchNotebooks.Kernel.Jupyter;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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

    // Code nested too deep for Roslyn's parser (NestingGuard) gets no completions and no help rather than a dead kernel.
    public CompletionResult Complete(string code, int cursor) =>
        TooDeep(code) ? new CompletionResult([], cursor, cursor) : Completions.Complete(session, code, cursor);

    public string? Inspect(string code, int cursor) => TooDeep(code) ? null : Inspection.Inspect(session, code, cursor);

    private static bool TooDeep(string code) => NestingGuard.Depth(code, NestingGuard.MaxDepth) > NestingGuard.MaxDepth;

    public CodeCompleteness IsComplete(string code) => Completeness(code);

    public void Interrupt() => session.Interrupt();

    /// <summary>Whether a front end should run <paramref name="code"/> on Enter: a lone magic line is complete, otherwise Roslyn decides.</summary>
    public static CodeCompleteness Completeness(string code)
    {
        if (string.IsNullOrWhiteSpace(code)) return new("complete");
        if (MagicLine.TryParse(code, out var magic) && string.IsNullOrWhiteSpace(magic.Body)) return new("complete");
        if (TooDeep(code)) return new("invalid");
        var tree = CSharpSyntaxTree.ParseText(code, ScriptSession.ParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return new("incomplete", "    ");
        bool invalid = tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        return new(invalid ? "invalid" : "complete");
    }
}
