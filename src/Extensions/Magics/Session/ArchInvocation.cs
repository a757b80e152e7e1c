using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>A validated line at run time: the magic context plus the session's current values.</summary>
public sealed class ArchInvocation(IMagicContext context, ParsedLine line)
{
    public IMagicContext Context { get; } = context;
    public ParsedLine Line { get; } = line;
    public TextWriter Out => Context.Out;
    public CancellationToken Cancellation => Context.CancellationToken;

    public DisplayHandle Display(object? value) => Context.Display(value);

    /// <summary>The model now held by a variable that validation already checked.</summary>
    public Module<Tensor, Tensor> Model(string name) =>
        Context.Variables.LastOrDefault(v => v.Name == name)?.Value as Module<Tensor, Tensor>
        ?? throw new ArchUsageException($"#!arch {Line.Spec.Name}: '{name}' no longer holds a model.");

    /// <summary>Makes <paramref name="value"/> a notebook variable of its own type, as if the cell had declared it.</summary>
    public Task BindAsync(string name, object value) => Context.BindAsync(name, value);

    /// <summary>Ends the cell as interrupted after partial results were shown.</summary>
    public void ThrowIfInterrupted()
    {
        if (Cancellation.IsCancellationRequested) throw new OperationCanceledException("The cell was interrupted.", Cancellation);
    }
}
