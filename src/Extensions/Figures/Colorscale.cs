using System.Globalization;
using System.Text.Json.Nodes;

namespace ArchNotebooks.Extensions.Figures;

/// <summary>A colour scale as explicit stops, so plotly.js and the static SVG renderer colour cells identically.</summary>
public sealed record Colorscale(string Name, IReadOnlyList<(double At, string Color)> Stops)
{
    /// <summary>Perceptually uniform, dark to bright (matplotlib's viridis, sampled at ten points).</summary>
    public static Colorscale Viridis { get; } = Even("viridis", "#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725");

    /// <summary>White to deep blue, for non-negative quantities such as attention weights.</summary>
    public static Colorscale Blues { get; } = Even("blues", "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b");

    /// <summary>Red through white to blue, for signed values centred on zero.</summary>
    public static Colorscale RedBlue { get; } = Even("redblue", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac");

    static Colorscale Even(string name, params string[] colors) =>
        new(name, colors.Select((c, i) => ((double)i / (colors.Length - 1), c)).ToList());

    internal JsonArray ToJson() => new(Stops.Select(s => (JsonNode)new JsonArray(s.At, s.Color)).ToArray());

    /// <summary>The colour at <paramref name="t"/> in [0, 1] as "#rrggbb", interpolated linearly in RGB.</summary>
    public string ColorAt(double t)
    {
        if (double.IsNaN(t)) return "#cccccc";
        t = Math.Clamp(t, 0, 1);
        for (int i = 1; i < Stops.Count; i++)
        {
            if (t > Stops[i].At && i < Stops.Count - 1) continue;
            var (a, ca) = Stops[i - 1];
            var (b, cb) = Stops[i];
            double f = b > a ? (t - a) / (b - a) : 0;
            var (r1, g1, b1) = Rgb(ca);
            var (r2, g2, b2) = Rgb(cb);
            int Mix(int x, int y) => (int)Math.Round(x + (y - x) * f);
            return $"#{Mix(r1, r2):x2}{Mix(g1, g2):x2}{Mix(b1, b2):x2}";
        }
        return Stops[^1].Color;
    }

    /// <summary>Black or white, whichever reads better on <paramref name="background"/>.</summary>
    public static string TextColorOn(string background)
    {
        var (r, g, b) = Rgb(background);
        return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#1f2328" : "#ffffff";
    }

    static (int r, int g, int b) Rgb(string hex) => (
        int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber),
        int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber),
        int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber));
}
