using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// Makes our session the ambient one (<see cref="NotebookSession.Current"/>) for every command of the C# kernel, as the
/// archnb host does per cell: <c>Notebook.Display</c> and a library training loop's displays reach the running cell,
/// and the host's cancellation (the Stop button) interrupts library code that asks the session.
/// </summary>
static class AmbientSession
{
    public static void Use(Kernel kernel, NotebookSession session)
    {
        KernelCommand? cell = null;
        kernel.AddMiddleware(async (command, context, next) =>
        {
            session.MakeCurrent();
            // The host splits a cell into child commands (each #!arch line, the C# below them): the cell's cancellation
            // starts fresh once per cell, not per part, so a part never drops a token an earlier part handed out.
            var root = command;
            while (root.Parent is { } parent) root = parent;
            if (!ReferenceEquals(Interlocked.Exchange(ref cell, root), root)) session.Cancellation.Begin();
            using var interrupt = context.CancellationToken.Register(session.Cancellation.Request);
            await next(command, context);
        });
    }
}
