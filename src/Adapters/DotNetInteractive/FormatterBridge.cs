using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Training;
using Microsoft.DotNet.Interactive.Formatting;

namespace ArchNotebooks.DotNetInteractive;

/// <summary>
/// Our rich formatting inside .NET Interactive's <see cref="Formatter"/>: for every type our registry formats (tensors,
/// modules, ablation tables, training and scaling results, run tables, sanity reports) and for every value that renders
/// itself (figures, attention maps, curves), one .NET formatter per mime type that takes that representation from our
/// bundle. A cell's return value then carries the same text/html, text/plain and plotly JSON an archnb cell shows.
/// </summary>
static class FormatterBridge
{
    static readonly string[] Tabular = [MimeBundle.Html, MimeBundle.PlainText];

    // Chart types also carry the figure itself as application/vnd.plotly.v1+json for front ends that draw it.
    static readonly string[] Chart = [MimeBundle.Html, MimeBundle.Plotly, MimeBundle.PlainText];

    static readonly Type[] ChartTypes = [typeof(Figure), typeof(TrainingCurves), typeof(TrainingResult)];

    public static void Register(FormatterRegistry registry)
    {
        var bundles = new ConditionalWeakTable<object, MimeBundle>(); // one formatting per value, whichever mime asks first
        MimeBundle BundleOf(object value) => bundles.GetValue(value, registry.Format);

        var types = registry.RegisteredTypes.Append(typeof(IMimeRenderable)).Append(typeof(MimeBundle)).Concat(ChartTypes).Distinct().ToList();
        // The host reads a type's [TypeFormatterSource] (ours name it by convention) the first time it formats the type,
        // and what it registers then is newer than anything registered before: let it read them now, so ours come later and win.
        foreach (var type in types) Formatter.GetPreferredMimeTypesFor(type);
        foreach (var type in types)
        {
            var mimes = ChartTypes.Any(c => c.IsAssignableFrom(type)) ? Chart : Tabular;
            foreach (var mime in mimes)
                Formatter.Register(type, (value, context) => Write(BundleOf(value), mime, context.Writer), mime);
            Formatter.SetPreferredMimeTypesFor(type, mimes);
        }
    }

    static bool Write(MimeBundle bundle, string mime, TextWriter writer)
    {
        if (bundle.Data.TryGetValue(mime, out var representation))
        {
            writer.Write(representation is JsonNode json ? json.ToJsonString() : (string)representation);
            return true;
        }
        if (mime != MimeBundle.Html) return false;
        // A value with only text (a rare formatter result) still shows as our text, not as the host's object tree.
        writer.Write("<pre>" + WebUtility.HtmlEncode((string)bundle[MimeBundle.PlainText]) + "</pre>");
        return true;
    }
}
