namespace ArchNotebooks.Interactive;

/// <summary>A string to show as HTML rather than as text: <c>display(new Html("&lt;b&gt;hi&lt;/b&gt;"))</c>.</summary>
public sealed record Html(string Content) : IMimeRenderable
{
    public void Render(MimeBundle bundle) { bundle[MimeBundle.Html] = Content; bundle[MimeBundle.PlainText] = Content; }
}

/// <summary>Markdown text, rendered by the front end (and by the HTML report).</summary>
public sealed record Markdown(string Content) : IMimeRenderable
{
    public void Render(MimeBundle bundle) { bundle[MimeBundle.Markdown] = Content; bundle[MimeBundle.PlainText] = Content; }
}

/// <summary>An SVG document, shown inline.</summary>
public sealed record Svg(string Content) : IMimeRenderable
{
    public void Render(MimeBundle bundle) { bundle[MimeBundle.Svg] = Content; bundle[MimeBundle.PlainText] = "<svg image>"; }
}

/// <summary>A PNG image from its bytes.</summary>
public sealed record Png(byte[] Bytes) : IMimeRenderable
{
    public void Render(MimeBundle bundle) { bundle[MimeBundle.Png] = Convert.ToBase64String(Bytes); bundle[MimeBundle.PlainText] = $"<png image, {Bytes.Length} bytes>"; }
}

/// <summary>A value that knows its own mime representations (a figure, a table, a report piece).</summary>
/// <remarks>Formatters registered for the value's type take precedence over this.</remarks>
public interface IMimeRenderable
{
    void Render(MimeBundle bundle);
}
