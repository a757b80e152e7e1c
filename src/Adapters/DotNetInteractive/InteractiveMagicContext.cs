using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>What a magic needs of its host (<see cref="IMagicContext"/>), answered by .NET Interactive's C# kernel and the running command.</summary>
sealed class InteractiveMagicContext(CSharpKernel kernel, KernelInvocationContext context, NotebookSession session) : IMagicContext
{
    public TextWriter Out { get; } = new StandardOutputWriter(context);

    public NotebookSession Session { get; } = session;

    public CancellationToken CancellationToken => Session.Cancellation.Token;

    public DisplayHandle Display(object? value) => Session.Display(value);

    public IReadOnlyList<NotebookVariable> Variables =>
        kernel.ScriptState?.Variables
            .GroupBy(v => v.Name)
            .Select(g => g.Last())
            .Select(v => new NotebookVariable(v.Name, v.Type, v.Value))
            .ToList()
        ?? [];

    // The host runs the rest of the cell itself after the directive, as its own commands.
    public Task RunBodyAsync() => Task.CompletedTask;

    public async Task<object?> EvaluateAsync(string code)
    {
        var state = kernel.ScriptState ?? throw new InvalidOperationException("the C# kernel has run no cell yet");
        var next = await state.ContinueWithAsync(code, cancellationToken: CancellationToken);
        return next.ReturnValue;
    }

    public Task BindAsync(string name, object value) => kernel.SetValueAsync(name, value, NearestPublicType(value.GetType()));

    /// <summary>A variable is declared with a type the script can name: the value's own, or its nearest public base.</summary>
    static Type NearestPublicType(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsVisible) return t;
        return typeof(object);
    }
}
