using System.Text.Json.Nodes;
using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// The language behind the kernel as the protocol layer sees it (xeus's interpreter): it runs code and
/// answers questions about code. Message types, execution counts, history, busy/idle and the wire stay
/// in <see cref="KernelProtocol"/>; positions here are UTF-16 indices, the protocol converts Jupyter's code points.
/// </summary>
internal interface IInterpreter
{
    /// <summary>What kernel_info_reply says about the language.</summary>
    InterpreterInfo Info { get; }

    /// <summary>Runs one cell; its outputs and its error (if any) go to <paramref name="output"/>. Returns the error, or null.</summary>
    Task<CellError?> ExecuteAsync(string code, ICellOutput output, string cellName);

    /// <summary>Evaluates one expression without outputs, history or new variables (user_expressions): its value's bundle, or its error.</summary>
    Task<(MimeBundle? Value, CellError? Error)> EvaluateAsync(string expression);

    CompletionResult Complete(string code, int cursor);

    /// <summary>Plain-text help for the symbol at <paramref name="cursor"/>, or null when there is none.</summary>
    string? Inspect(string code, int cursor);

    CodeCompleteness IsComplete(string code);

    /// <summary>The client said where the notebook is (<see cref="NotebookLocation"/>): files the session makes by default go next to it.</summary>
    void UseNotebookDirectory(string directory);

    /// <summary>Stops the running cell (and any cell waiting to run); called from another thread than <see cref="ExecuteAsync"/>.</summary>
    void Interrupt();
}

/// <summary>The language part of kernel_info_reply: language_info, the banner and help links.</summary>
internal sealed record InterpreterInfo(JsonObject LanguageInfo, string Banner, IReadOnlyList<(string Text, string Url)> HelpLinks);

/// <summary>An is_complete_reply: "complete", "incomplete" (with the indent for the next line), "invalid" or "unknown".</summary>
internal sealed record CodeCompleteness(string Status, string? Indent = null);
