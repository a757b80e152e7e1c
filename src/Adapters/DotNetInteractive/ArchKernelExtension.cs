using System.Runtime.CompilerServices;
using ArchNotebooks.Extensions.Magics;
using ArchNotebooks.Interactive;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Events;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// The .NET Interactive kernel extension: in the host's C# kernel it adds <c>#!arch</c> (our <see cref="ArchMagic"/>),
/// gives our types their rich formatting through .NET Interactive's <c>Formatter</c>, references the toolkit's
/// assemblies and imports what an archnb cell imports. The host instantiates it when it loads a package with
/// <c>interactive-extensions/dotnet</c>; after <c>#r "…/ArchNotebooks.DotNetInteractive.dll"</c> a cell calls
/// <see cref="Load"/>, because the host runs extensions only from packages, never from a <c>#r</c>'d file.
/// </summary>
public sealed class ArchKernelExtension : Microsoft.DotNet.Interactive.IKernelExtension
{
    static readonly object s_gate = new();
    static readonly HashSet<Kernel> s_loaded = new(ReferenceEqualityComparer.Instance);

    public Task OnLoadAsync(Kernel kernel) => LoadInto(kernel);

    /// <summary>Loads the extension into the C# kernel of the running cell's host: the line after the <c>#r</c>.</summary>
    public static Task Load()
    {
        var context = KernelInvocationContext.Current
            ?? throw new InvalidOperationException("ArchKernelExtension.Load() runs inside a .NET Interactive cell (it finds the kernel through the running cell).");
        return LoadInto(context.HandlingKernel.RootKernel);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // our assemblies resolve only once the module initializer ran
    static Task LoadInto(Kernel kernel)
    {
        var csharp = FindCSharpKernel(kernel)
            ?? throw new InvalidOperationException($"#!arch needs .NET Interactive's C# kernel and '{kernel.Name}' holds none.");
        lock (s_gate)
            if (!s_loaded.Add(csharp)) return Task.CompletedTask; // a second Load (re-running the cell) changes nothing

        var session = new NotebookSession { Sink = new KernelEventSink() };
        var extension = new KernelExtensionContext(session);
        // Every extension the archnb host finds in ArchNotebooks.Extensions.dll (formatters, #!arch, toolkit imports, interruption).
        foreach (var type in typeof(ArchMagicExtension).Assembly.GetExportedTypes()
                     .Where(t => typeof(ArchNotebooks.Interactive.IKernelExtension).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null))
            ((ArchNotebooks.Interactive.IKernelExtension)Activator.CreateInstance(type)!).Load(extension);

        FormatterBridge.Register(session.Formatters);
        ArchDirective.AddTo(csharp, session);
        AmbientSession.Use(csharp, session);

        csharp.AddAssemblyReferences(extension.ScriptReferences.Select(a => a.Location).Distinct());
        ImportBeforeNextCell(csharp, extension.ScriptImports);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The toolkit's namespaces, imported as an archnb cell has them (a type name imports its static members). Not now:
    /// the cell that loads us is itself a submission, and when it ends the kernel keeps its own script state, dropping
    /// any import made while it ran. So the imports go in just before the next submission, as a child command the
    /// host runs inline.
    /// </summary>
    static void ImportBeforeNextCell(CSharpKernel csharp, IEnumerable<string> imports)
    {
        var usings = string.Join("\n", imports.Distinct().Select(n => (IsType(n) ? "using static " : "using ") + n + ";"));
        int pending = 1;
        csharp.AddMiddleware(async (command, context, next) =>
        {
            if (command is SubmitCode && Interlocked.Exchange(ref pending, 0) == 1)
            {
                var submit = new SubmitCode(usings, csharp.Name);
                submit.SetParent(command);
                var result = await csharp.SendAsync(submit);
                if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
                {
                    context.Fail(command, null, $"#!arch: importing the toolkit into the C# kernel failed: {failed.Message}");
                    return;
                }
            }
            await next(command, context);
        });
    }

    static bool IsType(string name) => AppDomain.CurrentDomain.GetAssemblies().Any(a => !a.IsDynamic && a.GetType(name) is not null);

    static CSharpKernel? FindCSharpKernel(Kernel kernel) => kernel switch
    {
        CSharpKernel csharp => csharp,
        CompositeKernel composite => composite.ChildKernels.OfType<CSharpKernel>().FirstOrDefault(),
        _ => null,
    };
}
