using System.Text;
using System.Text.RegularExpressions;

namespace ArchNotebooks.Kernel.Reports;

/// <summary>Light C# colouring for the report: comments, strings, keywords, numbers, magics. Escapes everything it emits.</summary>
internal static partial class CSharpHighlighter
{
    public static string Highlight(string code)
    {
        var html = new StringBuilder(code.Length * 2);
        int last = 0;
        foreach (Match m in Token().Matches(code))
        {
            html.Append(HtmlReport.Escape(code[last..m.Index]));
            var kind = m.Groups["comment"].Success ? "c" : m.Groups["magic"].Success ? "m" : m.Groups["string"].Success ? "s" : m.Groups["number"].Success ? "n" : "k";
            html.Append("<span class=\"").Append(kind).Append("\">").Append(HtmlReport.Escape(m.Value)).Append("</span>");
            last = m.Index + m.Length;
        }
        html.Append(HtmlReport.Escape(code[last..]));
        return html.ToString();
    }

    [GeneratedRegex("""
        (?<comment>//[^\n]*|/\*.*?\*/)
        |(?<magic>^\s*\#(?:!|r\b|load\b)[^\n]*)
        |(?<string>\$?@?"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)')
        |(?<number>\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[fFdDmMlL]?\b)
        |(?<keyword>\b(?:var|new|int|long|float|double|bool|string|void|class|record|struct|public|private|static|return|if|else|for|foreach|while|do|in|using|true|false|null|await|async|this|throw|try|catch|finally|switch|case|break|continue|readonly|const|out|ref|is|as|with|yield|interface|enum|namespace)\b)
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Token();
}
