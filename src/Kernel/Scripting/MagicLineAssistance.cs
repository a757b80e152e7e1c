using ArchNotebooks.Interactive;

namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// Completion and inspection on a <c>#!name ...</c> line: the name completes to the session's magics, the rest is
/// answered by the magic itself when it offers <see cref="IMagicAssistance"/>. C# completion never runs on such a line
/// (it would offer whatever C# symbols start like the magic's words).
/// </summary>
internal static class MagicLineAssistance
{
    /// <summary>The magic line around <paramref name="cursor"/>: where "#!" starts and where the line ends; false when the cursor is not on one.</summary>
    private static bool TryFind(string code, int cursor, out int bang, out int lineEnd)
    {
        int lineStart = cursor == 0 ? 0 : code.LastIndexOf('\n', cursor - 1) + 1;
        lineEnd = code.IndexOf('\n', cursor) is var n and >= 0 ? n : code.Length;
        bang = lineStart;
        while (bang < lineEnd && (code[bang] == ' ' || code[bang] == '\t')) bang++;
        return code.AsSpan(bang, lineEnd - bang).StartsWith("#!") && !code.AsSpan(bang, lineEnd - bang).StartsWith("#!/") && cursor >= bang + 2;
    }

    /// <summary>End of the magic's name: the first blank after "#!" on the line.</summary>
    private static int NameEnd(string code, int bang, int lineEnd)
    {
        int end = bang + 2;
        while (end < lineEnd && !char.IsWhiteSpace(code[end])) end++;
        return end;
    }

    /// <summary>Completions when the cursor is on a magic line, else null (C# completion answers).</summary>
    public static CompletionResult? Complete(ScriptSession session, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        if (!TryFind(code, cursor, out int bang, out int lineEnd)) return null;
        int nameStart = bang + 2, nameEnd = NameEnd(code, bang, lineEnd);
        if (cursor <= nameEnd)
        {
            var prefix = code[nameStart..cursor];
            var names = session.Magics.All.Select(m => m.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return new CompletionResult(names, nameStart, nameEnd);
        }
        var name = code[nameStart..nameEnd];
        if (!session.Magics.TryGet(name, out var magic) || magic is not IMagicAssistance assistance)
            return new CompletionResult([], cursor, cursor);
        int argumentsStart = nameEnd + 1;
        var answer = assistance.Complete(code[argumentsStart..lineEnd], cursor - argumentsStart, session.Variables);
        return new CompletionResult(answer.Matches, argumentsStart + answer.Start, argumentsStart + answer.End);
    }

    /// <summary>Help when the cursor is on a magic line (the magic's own help, else its summary), else null; found is false for an unknown magic.</summary>
    public static (bool OnMagicLine, string? Help) Inspect(ScriptSession session, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        if (!TryFind(code, cursor, out int bang, out int lineEnd)) return (false, null);
        int nameStart = bang + 2, nameEnd = NameEnd(code, bang, lineEnd);
        if (!session.Magics.TryGet(code[nameStart..nameEnd], out var magic)) return (true, null);
        int argumentsStart = Math.Min(nameEnd + 1, lineEnd);
        var help = magic is IMagicAssistance assistance
            ? assistance.Help(code[argumentsStart..lineEnd], Math.Max(0, cursor - argumentsStart))
            : null;
        return (true, help ?? $"#!{magic.Name}: {magic.Summary}");
    }
}
