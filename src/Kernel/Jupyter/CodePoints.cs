namespace ArchNotebooks.Kernel.Jupyter;

/// <summary>Jupyter counts cursor positions in Unicode code points (protocol 5.2); .NET strings count UTF-16 units.</summary>
internal static class CodePoints
{
    public static int ToUtf16(string text, int codePoints)
    {
        int index = 0;
        for (int n = 0; n < codePoints && index < text.Length; n++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        return index;
    }

    public static int FromUtf16(string text, int utf16)
    {
        int count = 0;
        for (int i = 0; i < utf16 && i < text.Length; i++)
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))) count++;
        return count;
    }
}
