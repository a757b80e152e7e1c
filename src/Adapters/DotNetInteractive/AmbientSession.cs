using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// Makes our session the ambient one (<see cref="NotebookSession.Current"/>) for every command of the C# kernel, as the
/// archnb host does per cell: <c>Notebook.Display</c> and a library training loop's displays reach the running cell,
/// and the host's cancellation (the Stop button) interrupts library code that asks the session.
/// </summary>
static class AmbientSession
{
    public static void Use(Kernel kernel, NotebookSession session) =>
        kernel.AddMiddleware(async (command, context, next) =>
        {
            session.MakeCurrent();
            session.Cancellation.Begin();
            using var interrupt = context.CancellationToken.Register(session.Cancellation.Request);
            await next(command, context);
        });
}
