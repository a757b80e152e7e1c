namespace ArchNotebooks.Extensions.Magics;

/// <summary>
/// The README's "#!arch reference" section, generated from the subcommands' own help so the two
/// cannot drift: <c>./archnb docs</c> rewrites it, and a test fails when it is out of date.
/// </summary>
public static class ArchReference
{
    public const string Begin = "<!-- #!arch reference: begin -->";
    public const string End = "<!-- #!arch reference: end -->";

    /// <summary>The text between the markers.</summary>
    public static string Generated() => "\n" + ArchHelp.Markdown(ArchMagic.Specs) + "\n";

    /// <summary>The section as it stands in a README's text, or null when the markers are missing.</summary>
    public static string? Current(string readme)
    {
        int b = readme.IndexOf(Begin, StringComparison.Ordinal), e = readme.IndexOf(End, StringComparison.Ordinal);
        return b < 0 || e < b ? null : readme[(b + Begin.Length)..e];
    }

    /// <summary>Rewrites the section in the README at <paramref name="path"/>; true when it changed.</summary>
    public static bool Update(string path)
    {
        var readme = File.ReadAllText(path);
        var current = Current(readme) ?? throw new InvalidOperationException($"{path} has no '{Begin}' ... '{End}' markers to write the #!arch reference between");
        if (current == Generated()) return false;
        int b = readme.IndexOf(Begin, StringComparison.Ordinal) + Begin.Length, e = readme.IndexOf(End, StringComparison.Ordinal);
        File.WriteAllText(path, readme[..b] + Generated() + readme[e..]);
        return true;
    }
}
