using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Runtime;

namespace ArchNotebooks.Extensions;

/// <summary>
/// Loaded by the archnb host: lets the research library see the running cell's interrupt. Library code
/// (Trainer.Fit, studies, evaluation, sanity checks) asks <see cref="Interruption.Ambient"/>; this answers
/// with the cell cancellation of the session whose cell is running on the calling flow.
/// </summary>
public sealed class InterruptionExtension : IKernelExtension
{
    public void Load(KernelExtensionContext context) =>
        Interruption.UseAmbient(static () => NotebookSession.Current?.Cancellation.Token ?? CancellationToken.None);
}
