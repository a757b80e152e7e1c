namespace ArchNotebooks.Kernel.Scripting;

/// <summary>
/// Refuses code nested deeper than Roslyn can parse on an ordinary thread stack. Parts of Roslyn's parser
/// recurse without its stack guard (the speculative type scan behind a parenthesis), so 20,000 nested
/// parentheses or 3,000 nested lambdas overflowed the stack, and a stack overflow ends a .NET process
/// whatever catches it. The depth of brackets is counted by a lexical pass before any parse: strings,
/// characters and comments are skipped, so brackets inside them do not count.
/// </summary>
internal static class NestingGuard
{
    /// <summary>Deeper than any hand-written code, shallow enough to parse and bind on a 1.5 MB thread-pool stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>The deepest bracket nesting in <paramref name="code"/>; stops counting past <paramref name="stopAt"/>.</summary>
    public static int Depth(string code, int stopAt = int.MaxValue)
    {
        int depth = 0, deepest = 0;
        for (int i = 0; i < code.Length && deepest <= stopAt; i++)
        {
            char c = code[i];
            switch (c)
            {
                case '(' or '[' or '{': deepest = Math.Max(deepest, ++depth); break;
                case ')' or ']' or '}': depth = Math.Max(0, depth - 1); break;
                case '/' when Next(code, i) == '/': i = SkipTo(code, i, "\n"); break;
                case '/' when Next(code, i) == '*': i = SkipTo(code, i + 2, "*/"); break;
                case '\'': i = SkipQuoted(code, i, '\''); break;
                case '"' when code.AsSpan(i).StartsWith("\"\"\""): i = SkipRaw(code, i); break;
                case '"' when i > 0 && code[i - 1] == '@': i = SkipVerbatim(code, i); break;
                case '"': i = SkipQuoted(code, i, '"'); break;
            }
        }
        return deepest;
    }

    /// <summary>A clear error for a cell nested past <see cref="MaxDepth"/>, or null when it is fine.</summary>
    public static CellError? Check(string code, string cellName)
    {
        int depth = Depth(code, MaxDepth);
        if (depth <= MaxDepth) return null;
        var message = $"{cellName} nests brackets more than {MaxDepth} levels deep; the kernel refuses such code because the C# parser would overflow its stack and end the process";
        return new CellError("NestingTooDeep", message, [message]);
    }

    private static char Next(string code, int i) => i + 1 < code.Length ? code[i + 1] : '\0';

    private static int SkipTo(string code, int from, string end)
    {
        int at = code.IndexOf(end, from, StringComparison.Ordinal);
        return at < 0 ? code.Length : at + end.Length - 1;
    }

    // "..." and '...' end at the first unescaped quote or the line's end (an unterminated literal).
    private static int SkipQuoted(string code, int i, char quote)
    {
        for (i++; i < code.Length && code[i] != quote && code[i] != '\n'; i++)
            if (code[i] == '\\') i++;
        return i;
    }

    // @"..." ends at a quote that is not doubled.
    private static int SkipVerbatim(string code, int i)
    {
        for (i++; i < code.Length; i++)
            if (code[i] == '"') { if (Next(code, i) == '"') i++; else return i; }
        return i;
    }

    // """...""" ends at as many quotes as opened it.
    private static int SkipRaw(string code, int i)
    {
        int n = 0;
        while (i + n < code.Length && code[i + n] == '"') n++;
        return SkipTo(code, i + n, new string('"', n));
    }
}
