using System.Reflection;

namespace ArchNotebooks.Interactive;

/// <summary>
/// The entry point of a notebook extension (src/Extensions registers <c>#!arch</c> and the rich
/// formatters through this). The host creates every public non-abstract implementation it finds in
/// ArchNotebooks.Extensions.dll beside archnb.dll or in assemblies listed in ARCHNB_EXTENSIONS
/// (path-separated), and calls <see cref="Load"/> once at session start.
/// </summary>
public interface IKernelExtension
{
    void Load(KernelExtensionContext context);
}

/// <summary>What an extension may add to the session.</summary>
public sealed class KernelExtensionContext(FormatterRegistry formatters, MagicRegistry magics)
{
    public FormatterRegistry Formatters { get; } = formatters;
    public MagicRegistry Magics { get; } = magics;

    /// <summary>Assemblies every cell can use (referenced before the next submission compiles).</summary>
    public List<Assembly> ScriptReferences { get; } = new();

    /// <summary>Namespaces imported into every cell; a type name imports its static members, like "using static".</summary>
    public List<string> ScriptImports { get; } = new();
}
