using ArchNotebooks.Interactive;
using ArchNotebooks.Kernel.Scripting;

namespace ArchNotebooks.Kernel.Magics;

/// <summary>The session as one magic invocation sees it.</summary>
internal sealed class MagicContext(ScriptSession session, ICellOutput output, MagicInvocation invocation, string cellName) : IMagicContext
{
    public MagicInvocation Invocation { get; } = invocation;
    public TextWriter Out => session.Console.Out;
    public DisplayHandle Display(object? value) => session.Notebook.Display(value);
    public IReadOnlyList<NotebookVariable> Variables => session.Variables;
    public CancellationToken CancellationToken => session.Notebook.Cancellation.Token;
    public NotebookSession Session => session.Notebook;
    public ICellOutput Output { get; } = output;

    public Task RunBodyAsync() => session.RunCellTextAsync(Invocation.Body, Invocation.BodyLine, cellName);

    public async Task<object?> EvaluateAsync(string code) => (await session.RunCSharpAsync(code, cellName)).Value;

    public Task BindAsync(string name, object value) => session.BindAsync(name, value, cellName);
}
