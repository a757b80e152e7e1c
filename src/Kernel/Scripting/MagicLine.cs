using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>Finds a leading <c>#!name args</c> line in cell text; the rest of the cell is the magic's body.</summary>
internal static class MagicLine
{
    public static bool TryParse(string text, out MagicInvocation invocation)
    {
        invocation = null!;
        var lines = text.Split('\n');
        int i = 0;
        while (i < lines.Length && string.IsNullOrWhiteSpace(lines[i])) i++;
        if (i == lines.Length) return false;
        var line = lines[i].Trim();
        if (!line.StartsWith("#!", StringComparison.Ordinal) || line.StartsWith("#!/", StringComparison.Ordinal) || line.Length == 2) return false;
        int space = line.IndexOfAny([' ', '\t']);
        var name = space < 0 ? line[2..] : line[2..space];
        var arguments = space < 0 ? "" : line[(space + 1)..].Trim();
        var body = string.Join('\n', lines.Skip(i + 1));
        invocation = new MagicInvocation(name, arguments, body, i + 1);
        return true;
    }

    /// <summary>A script's "#!/usr/bin/env ..." line is a comment to us (Roslyn only accepts it as the very first line).</summary>
    public static string BlankShebang(string code)
    {
        if (!code.Contains("#!/", StringComparison.Ordinal)) return code;
        return string.Join('\n', code.Split('\n').Select(l => l.TrimStart().StartsWith("#!/", StringComparison.Ordinal) ? "" : l));
    }
}
