using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// Resolves <c>#r</c> like Roslyn's script resolver, and supplies the netstandard facade when an
/// assembly built against .NET Standard needs it. Cells don't reference that facade by default:
/// its ~2,000 type forwarders cost every submission milliseconds of binding.
/// </summary>
internal sealed class FacadeAwareResolver(MetadataReferenceResolver inner, string netstandardPath) : MetadataReferenceResolver
{
    private MetadataReferenceResolver Inner { get; } = inner;
    private string NetStandardPath { get; } = netstandardPath;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties) =>
        Inner.ResolveReference(reference, baseFilePath, properties);

    // Roslyn asks for assemblies that references need but nobody referenced: that is how a #r of a
    // .NET Standard library gets the facade (a #r may resolve to one file only).
    public override bool ResolveMissingAssemblies => true;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity)
    {
        if (referenceIdentity.Name == "netstandard" && File.Exists(NetStandardPath)) return MetadataReference.CreateFromFile(NetStandardPath);
        return Inner.ResolveMissingAssemblies ? Inner.ResolveMissingAssembly(definition, referenceIdentity) : null;
    }

    public override bool Equals(object? other) => other is FacadeAwareResolver o && Inner.Equals(o.Inner) && NetStandardPath == o.NetStandardPath;
    public override int GetHashCode() => HashCode.Combine(Inner, NetStandardPath);
}
