namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>
/// A history_request search pattern: <c>*</c> matches any run of characters, <c>?</c> one character, the rest
/// itself. Matched by the two-cursor method (on a mismatch, retry from the last star one character later), so the
/// work is at most pattern length × text length; a regex built from the pattern backtracks exponentially on
/// patterns like <c>*a*a*a*a*b</c> and wedged the shell channel.
/// </summary>
internal static class GlobPattern
{
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == text[t]))) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; resume = t; }
            else if (star >= 0) { p = star + 1; t = ++resume; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
