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

/// <summary>What an extension may add to the session it is loaded into.</summary>
public sealed class KernelExtensionContext(NotebookSession session)
{
    public NotebookSession Session { get; } = session;
    public FormatterRegistry Formatters => Session.Formatters;
    public MagicRegistry Magics => Session.Magics;

    /// <summary>Assemblies every cell can use (referenced before the next submission compiles).</summary>
    public List<Assembly> ScriptReferences { get; } = new();

    /// <summary>Namespaces imported into every cell; a type name imports its static members, like "using static".</summary>
    public List<string> ScriptImports { get; } = new();
}
