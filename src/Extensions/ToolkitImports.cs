using ArchNotebooks.Interactive;
using ArchNotebooks.Runs;
using ArchNotebooks.Torch;
using LibraryModule = ArchNotebooks.Library.Modules.Module;

namespace ArchNotebooks.Extensions;

/// <summary>
/// Loaded by the archnb host: what every cell sees of the toolkit without a <c>#r</c> or <c>using</c>. The
/// binding with <c>torch.*</c> imported statically (cells read like PyTorch: <c>randn(2, 3)</c>), every
/// public namespace of the research library, and the run log (<c>RunLog.Open</c>, its own assembly).
/// </summary>
public sealed class ToolkitImportsExtension : IKernelExtension
{
    public void Load(KernelExtensionContext context)
    {
        var binding = typeof(torch).Assembly;
        context.ScriptReferences.Add(binding);
        context.ScriptImports.Add(typeof(torch).Namespace!);
        context.ScriptImports.Add(typeof(torch).FullName!);

        var library = typeof(LibraryModule).Assembly;
        context.ScriptReferences.Add(library);
        context.ScriptImports.AddRange(library.GetExportedTypes().Select(t => t.Namespace).OfType<string>().Distinct().Order(StringComparer.Ordinal));

        context.ScriptReferences.Add(typeof(RunLog).Assembly);
        context.ScriptImports.Add(typeof(RunLog).Namespace!);
    }
}
