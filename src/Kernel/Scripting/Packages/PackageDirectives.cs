using System.Text.RegularExpressions;

namespace ArchNotebooks.Kernel.Scripting.Packages;

/// <summary>A NuGet package a cell asked for; a null version means the newest stable one.</summary>
public sealed record PackageRequest(string Name, string? Version)
{
    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}

/// <summary>
/// The package lines of a cell: .NET Interactive's <c>#r "nuget: Name, Version"</c> (version optional) and the .NET 10
/// file-based-app directive <c>#:package Name@Version</c>. They are taken out of the code (blanked, so line numbers in
/// errors stay the cell's) before Roslyn sees it; Roslyn's own <c>#r</c> of a file path is left alone.
/// </summary>
internal static partial class PackageDirectives
{
    [GeneratedRegex(@"^\s*#r\s+""nuget:\s*(?<name>[^,""\s]+)\s*(,\s*(?<version>[^""\s]*)\s*)?""\s*$")]
    private static partial Regex NugetReference();

    [GeneratedRegex(@"^\s*#:package\s+(?<name>[^@\s]+)(@(?<version>\S*))?\s*$")]
    private static partial Regex PackageDirective();

    /// <summary>The packages <paramref name="code"/> asks for, and the code with those lines blanked.</summary>
    public static (IReadOnlyList<PackageRequest> Packages, string Code) Extract(string code)
    {
        if (!code.Contains("nuget:", StringComparison.OrdinalIgnoreCase) && !code.Contains("#:package", StringComparison.Ordinal))
            return ([], code);
        var packages = new List<PackageRequest>();
        var lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var match = NugetReference().Match(line) is { Success: true } m ? m : PackageDirective().Match(line);
            if (!match.Success) continue;
            var version = match.Groups["version"].Value;
            packages.Add(new PackageRequest(match.Groups["name"].Value, version is "" or "*" ? null : version));
            lines[i] = "";
        }
        return (packages, string.Join('\n', lines));
    }
}
