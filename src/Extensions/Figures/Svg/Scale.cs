using System.Globalization;

namespace ArchNotebooks.Extensions.Figures.Svg;

/// <summary>Maps data values along one axis to pixels: linear, log10, or category/cell indices.</summary>
internal sealed class Scale
{
    readonly double lo, hi, from, to;
    readonly bool log;
    readonly IReadOnlyList<string>? labels;

    Scale(double lo, double hi, double from, double to, bool log, IReadOnlyList<string>? labels, bool isIndex)
    {
        (this.lo, this.hi, this.from, this.to, this.log, this.labels, IsIndex) = (lo, hi, from, to, log, labels, isIndex);
    }

    /// <summary>True for heatmap cells and bar categories: positions are 0..n-1 with labels.</summary>
    public bool IsIndex { get; }

    public double Map(double value)
    {
        double v = log ? Math.Log10(value) : value;
        double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        return from + t * (to - from);
    }

    /// <summary>Where bars start: zero on a linear axis (clamped into view), the bottom edge on a log axis.</summary>
    public double Baseline => log ? Math.Pow(10, lo) : Math.Clamp(0, lo, hi);

    /// <summary>Pixels per unit step in index space (a cell's or a category's width).</summary>
    public double Step => Math.Abs(to - from) / Math.Max(1e-9, hi - lo);

    public static Scale For(IReadOnlyList<Trace> traces, Axis axis, bool horizontal, double from, double to)
    {
        var heat = traces.OfType<Heatmap>().FirstOrDefault();
        if (heat is not null)
        {
            int n = horizontal ? heat.Columns : heat.Rows;
            var labels = horizontal ? heat.XLabels : heat.YLabels;
            bool reversed = !horizontal && axis.Reversed;
            return new Scale(-0.5, n - 0.5, reversed ? to : from, reversed ? from : to, false, labels ?? Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList(), true);
        }
        var categories = traces.OfType<Bar>().FirstOrDefault(b => b.Categories is not null && (b.Orientation == "h") != horizontal)?.Categories;
        if (categories is not null)
        {
            bool reversed = !horizontal && axis.Reversed;
            return new Scale(-0.5, categories.Count - 0.5, reversed ? to : from, reversed ? from : to, false, categories, true);
        }
        var values = new List<double>();
        foreach (var t in traces)
        {
            switch (t)
            {
                case Scatter s:
                    var own = horizontal ? s.X : s.Y;
                    values.AddRange(own);
                    if (!horizontal && s.ErrorY is { } e)
                        for (int i = 0; i < Math.Min(s.Y.Count, e.Values.Count); i++) { values.Add(s.Y[i] - e.Below(i)); values.Add(s.Y[i] + e.Values[i]); }
                    break;
                case Bar b when (b.Orientation == "h") == horizontal:
                    values.AddRange(b.Values);
                    if (!axis.IsLog) values.Add(0);
                    break;
                case Bar b:
                    var xs = b.X ?? Enumerable.Range(0, b.Values.Count).Select(i => (double)i).ToList();
                    double half = (b.Width ?? (xs.Count > 1 ? Math.Abs(xs[1] - xs[0]) : 1)) / 2;
                    values.AddRange(xs.Select(v => v - half));
                    values.AddRange(xs.Select(v => v + half));
                    break;
            }
        }
        bool isLog = axis.IsLog;
        var finite = values.Where(v => double.IsFinite(v) && (!isLog || v > 0)).Select(v => isLog ? Math.Log10(v) : v).ToList();
        double min = finite.Count > 0 ? finite.Min() : 0, max = finite.Count > 0 ? finite.Max() : 1;
        if (max - min < 1e-12) { min -= 0.5; max += 0.5; }
        if (!isLog) { double pad = (max - min) * 0.04; min -= pad; max += pad; }
        else { min = Math.Floor(min * 10) / 10 - 0.05; max = Math.Ceiling(max * 10) / 10 + 0.05; }
        return new Scale(min, max, from, to, isLog, null, false);
    }

    /// <summary>Tick positions and their labels; index axes label every cell up to 40, then every k-th.</summary>
    public IEnumerable<(double value, string label)> Ticks(Axis axis)
    {
        var inv = CultureInfo.InvariantCulture;
        if (labels is not null)
        {
            int every = Math.Max(1, (int)Math.Ceiling(labels.Count / 40.0));
            for (int i = 0; i < labels.Count; i += every) yield return (i, Shorten(labels[i]));
            yield break;
        }
        if (axis.TickValues is { } given)
        {
            for (int i = 0; i < given.Count; i++) yield return (given[i], axis.TickText is { } text && i < text.Count ? text[i] : given[i].ToString("G4", inv));
            yield break;
        }
        if (log)
        {
            // Decades; within a narrow range also 2x and 5x, so a short log axis still has labels.
            bool narrow = hi - lo < 2;
            for (double d = Math.Floor(lo); d <= hi; d++)
                foreach (var m in narrow ? new[] { 1.0, 2, 5 } : [1.0])
                {
                    double e = d + Math.Log10(m);
                    if (e >= lo && e <= hi) yield return (Math.Pow(10, e), m == 1 ? FormatPower(d) : (m * Math.Pow(10, d)).ToString("G3", inv));
                }
            yield break;
        }
        double step = NiceStep((hi - lo) / 5);
        for (double v = Math.Ceiling(lo / step) * step; v <= hi + step * 1e-9; v += step)
            yield return (Math.Abs(v) < step * 1e-9 ? 0 : v, (Math.Abs(v) < step * 1e-9 ? 0 : v).ToString("G4", inv));
    }

    static string FormatPower(double d) => d switch
    {
        0 => "1", 1 => "10", 2 => "100", 3 => "1000", -1 => "0.1", -2 => "0.01",
        _ => "1e" + d.ToString("0", CultureInfo.InvariantCulture),
    };

    static string Shorten(string s) => s.Length <= 14 ? s : s[..13] + "…";

    static double NiceStep(double raw)
    {
        if (!(raw > 0)) return 1;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    }
}
