using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Magics;

/// <summary>The session as one magic invocation sees it.</summary>
internal sealed class MagicContext(ScriptSession session, ICellOutput output, MagicInvocation invocation, string cellName) : IMagicContext
{
    public MagicInvocation Invocation { get; } = invocation;
    public TextWriter Out => Console.Out;
    public DisplayHandle Display(object? value) => Notebook.Display(value);
    public IReadOnlyList<NotebookVariable> Variables => session.Variables;
    public CancellationToken CancellationToken => CellCancellation.Token;
    public MagicRegistry Magics => session.Magics;
    public FormatterRegistry Formatters => session.Formatters;
    public ICellOutput Output { get; } = output;

    public Task RunBodyAsync() => session.RunCellTextAsync(Invocation.Body, Invocation.BodyLine, cellName);

    public async Task<object?> EvaluateAsync(string code) => (await session.RunCSharpAsync(code, cellName)).Value;
}
