using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Magics.Session;

/// <summary>
/// One output that long work keeps replacing (update_display_data), at most every
/// <see cref="Interval"/> so a fast loop does not flood the front end; forced updates (evaluations,
/// the end) always go through.
/// </summary>
public sealed class LiveDisplay(ArchInvocation run, object initial)
{
    readonly DisplayHandle handle = run.Display(initial);
    readonly Stopwatch since = Stopwatch.StartNew();

    public static TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(250);

    public int Updates { get; private set; }

    public void Update(Func<object> value, bool force = false)
    {
        if (!force && since.Elapsed < Interval) return;
        handle.Update(value());
        since.Restart();
        Updates++;
    }
}

/// <summary>A progress bar with a status line and, optionally, a chart under it (the live view of training, checks and studies).</summary>
public sealed record ProgressView(string Title, double Done, double Total, string Status, Figure? Chart = null, string? Detail = null) : IMimeRenderable
{
    public double Fraction => Total > 0 ? Math.Clamp(Done / Total, 0, 1) : 0;

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var html = new StringBuilder();
        html.Append("<h4>").Append(HtmlText.Escape(Title)).Append("</h4>");
        html.Append(CultureInfo.InvariantCulture, $"<div style=\"background:#eaeef2;border-radius:4px;height:10px;max-width:520px\"><div style=\"background:{Style.Color(0)};border-radius:4px;height:10px;width:{Fraction * 100:0.#}%\"></div></div>");
        html.Append("<div class=\"archnb-meta\">").Append(HtmlText.Escape(Status)).Append("</div>");
        if (Detail is not null) html.Append(Detail);
        if (Chart is not null) html.Append(Chart.ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString()
    {
        int filled = (int)Math.Round(Fraction * 30);
        return $"{Title}\n[{new string('#', filled)}{new string('.', 30 - filled)}] {Fraction * 100:0}%  {Status}";
    }

    /// <summary>At most <paramref name="max"/> evenly spaced points of a series, always keeping the last.</summary>
    public static (List<double> x, List<double> y) Thin(IReadOnlyList<double> x, IReadOnlyList<double> y, int max = 400)
    {
        if (x.Count <= max) return (x.ToList(), y.ToList());
        var xs = new List<double>(max + 1);
        var ys = new List<double>(max + 1);
        double stride = (x.Count - 1) / (double)(max - 1);
        for (int i = 0; i < max; i++) { int k = (int)Math.Round(i * stride); xs.Add(x[k]); ys.Add(y[k]); }
        return (xs, ys);
    }
}
