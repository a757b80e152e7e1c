namespace ArchNotebooks.Interactive;

/// <summary>
/// A magic that helps front ends with its own line: completion (Tab) and help (Shift+Tab, <c>?</c>) for what is
/// typed after <c>#!name</c>. The kernel asks it instead of the C# compiler whenever the cursor is on that line.
/// </summary>
public interface IMagicAssistance
{
    /// <summary>Completions at <paramref name="cursor"/>, an index into <paramref name="arguments"/> (the line after "#!name ").</summary>
    MagicCompletion Complete(string arguments, int cursor, IReadOnlyList<NotebookVariable> variables);

    /// <summary>Help for what the cursor is on (e.g. a subcommand's usage and options), or null when there is none.</summary>
    string? Help(string arguments, int cursor);
}

/// <summary>Completion candidates replacing <paramref name="Start"/>..<paramref name="End"/> of the magic's arguments.</summary>
public sealed record MagicCompletion(IReadOnlyList<string> Matches, int Start, int End)
{
    public static MagicCompletion None(int cursor) => new([], cursor, cursor);
}
