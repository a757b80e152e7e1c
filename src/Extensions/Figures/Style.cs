namespace ArchNotebooks.Extensions.Figures;

/// <summary>The house style shared by plotly figures, static SVG and HTML tables, so every output looks like one paper.</summary>
public static class Style
{
    public const string FontFamily = "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
    public const string MonoFamily = "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace";
    public const string Ink = "#1f2328";
    public const string Muted = "#656d76";
    public const string Grid = "#e6e8eb";
    public const string Better = "#1a7f37";
    public const string Worse = "#cf222e";
    public const string Neutral = "#8c959f";

    /// <summary>Trace colours in order (colour-blind friendly, after Okabe and Ito).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"];

    public static string Color(int index) => Palette[index % Palette.Count];
}
