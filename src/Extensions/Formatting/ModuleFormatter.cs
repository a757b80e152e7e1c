using System.Text;
using ArchNotebooks.Interactive;
using LibraryModule = ArchNotebooks.Library.Modules.Module;

namespace ArchNotebooks.Extensions.Formatting;

/// <summary>
/// A module as a collapsible tree (&lt;details&gt; per submodule, the top two levels open): each
/// node's type, its own parameters with shapes, and the parameter count of everything below it.
/// </summary>
public static class ModuleFormatter
{
    /// <summary>Levels shown expanded; deeper submodules start collapsed.</summary>
    public const int OpenDepth = 2;

    public static void Write(LibraryModule module, MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = module.ToString();
        bundle[MimeBundle.Html] = ToHtml(module);
    }

    public static string ToHtml(LibraryModule module)
    {
        long total = module.num_parameters(), trainable = module.num_parameters(trainable_only: true);
        var html = new StringBuilder();
        html.Append("<h4>").Append(HtmlText.Escape(module.GetType().Name)).Append("</h4>")
            .Append("<div class=\"archnb-meta\">").Append(HtmlText.Count(total)).Append(" parameters (")
            .Append(HtmlText.Count(trainable)).Append(" trainable) · ").Append(module.modules().Count()).Append(" modules · ")
            .Append(HtmlText.Escape(module.device.ToString())).Append(module.training ? " · training mode" : " · eval mode").Append("</div>");
        Node(html, "", module, 0);
        return HtmlText.Block(html.ToString());
    }

    static void Node(StringBuilder html, string name, LibraryModule module, int depth)
    {
        var children = module.named_children().ToList();
        var own = module.named_parameters(recurse: false).ToList();
        long count = module.num_parameters();
        html.Append(depth < OpenDepth ? "<details open>" : "<details>").Append("<summary>");
        if (name.Length > 0) html.Append("<code>").Append(HtmlText.Escape(name)).Append("</code> ");
        html.Append("<span class=\"archnb-type\">").Append(HtmlText.Escape(module.GetType().Name)).Append("</span> ")
            .Append("<span class=\"archnb-count\">").Append(HtmlText.Count(count)).Append(count == 1 ? " param" : " params").Append("</span></summary>");
        if (own.Count > 0)
        {
            html.Append(HtmlText.Table(["parameter", "shape", "count", "grad"], own.Select(p => (IEnumerable<string>)
            [
                "<code>" + HtmlText.Escape(p.name) + "</code>",
                HtmlText.Escape("[" + string.Join(", ", p.parameter.shape) + "]"),
                HtmlText.Count(p.parameter.numel()),
                p.parameter.requires_grad ? "yes" : "frozen",
            ])));
        }
        foreach (var (childName, child) in children) Node(html, childName, child, depth + 1);
        html.Append("</details>");
    }
}
