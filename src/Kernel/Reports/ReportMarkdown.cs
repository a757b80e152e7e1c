using Markdig;
using Markdig.Extensions.GenericAttributes;
using Markdig.Renderers;

namespace ArchNotebooks.Kernel.Reports;

/// <summary>Markdown to HTML for reports, with nothing in the text able to run script when the report opens.</summary>
/// <remarks>
/// Markdown in a notebook is not only the author's: shipped notebooks build Markdown outputs from data such as
/// variant and run names. Raw HTML is already off; two more doors are closed here. Generic attributes
/// (<c>{onerror=...}</c> after an image or heading) would write any attribute, event handlers included, so that
/// extension is removed from the advanced set. Link and image targets keep only schemes that cannot run code
/// (web, mail, and inline raster images); <c>javascript:</c>, <c>vbscript:</c>, <c>data:text/html</c> and any other
/// scheme become <c>#</c>.
/// </remarks>
internal static class ReportMarkdown
{
    private static readonly MarkdownPipeline Pipeline = Build();

    private static MarkdownPipeline Build()
    {
        var builder = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml();
        builder.Extensions.RemoveAll(e => e is GenericAttributesExtension);
        return builder.Build();
    }

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        using var text = new StringWriter();
        var renderer = new HtmlRenderer(text) { LinkRewriter = SafeUrl };
        Pipeline.Setup(renderer);
        renderer.Render(document);
        text.Flush();
        return text.ToString();
    }

    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];
    private static readonly string[] SafeImageTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    /// <summary>The URL if it is relative or uses a scheme that cannot run code; otherwise "#".</summary>
    internal static string SafeUrl(string url)
    {
        // Browsers drop ASCII tabs and newlines anywhere in a URL and leading controls and spaces, so
        // "java&#9;script:" is still javascript: to them; judge the URL as the browser will read it.
        var seen = new string(url.Where(c => c is not ('\t' or '\n' or '\r')).SkipWhile(c => c <= ' ').ToArray());
        var colon = seen.IndexOf(':');
        if (colon < 0) return url;
        var scheme = seen[..colon];
        // A ':' after '/', '?' or '#' belongs to a relative path, query or fragment, not a scheme.
        if (scheme.IndexOfAny(['/', '?', '#']) >= 0) return url;
        if (SafeSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase)) return url;
        if (scheme.Equals("data", StringComparison.OrdinalIgnoreCase)
            && SafeImageTypes.Any(t => seen.AsSpan(colon + 1).StartsWith(t + ";", StringComparison.OrdinalIgnoreCase)))
            return url;
        return "#";
    }
}
