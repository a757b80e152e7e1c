using ArchNotebooks.Kernel.Scripting.Packages;

namespace ArchNotebooks.Kernel.Scripting;

public sealed partial class ScriptSession
{
    private SessionPackages? _packages;

    /// <summary>Restores the NuGet packages a cell's <c>#r "nuget: ..."</c> / <c>#:package</c> lines ask for; returns the code without them.</summary>
    private string ApplyPackages(string code, string cellName)
    {
        if (!code.Contains("nuget:", StringComparison.OrdinalIgnoreCase) && !code.Contains("#:package", StringComparison.Ordinal)) return code;
        _packages ??= new SessionPackages(_environment);
        try
        {
            return _packages.Apply(code, line => { _console.Flush(); _output.Stream("stdout", line); });
        }
        catch (PackageRestoreException e)
        {
            throw new CellFailedException(new CellError("PackageRestoreError", e.Message,
                [$"\u001b[0;31mPackageRestoreError\u001b[0m: {e.Message} ({cellName})", .. e.Details]));
        }
    }
}
