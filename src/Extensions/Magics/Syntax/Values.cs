using System.Globalization;

namespace ArchNotebooks.Extensions.Magics.Syntax;

/// <summary>Parsers for option values; each failure says what was expected and what was given.</summary>
public static class Values
{
    public static ValueParser Int(int min = int.MinValue, int max = int.MaxValue) => text =>
    {
        if (!int.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"expected a whole number, got '{text}'");
        if (v < min) throw new FormatException($"must be at least {min}, got {v}");
        if (v > max) throw new FormatException($"must be at most {max}, got {v}");
        return v;
    };

    public static ValueParser Long() => text => long.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
        ? v : throw new FormatException($"expected a whole number, got '{text}'");

    /// <summary>A positive, finite real number such as 3e-3.</summary>
    public static ValueParser Positive() => text =>
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new FormatException($"expected a number such as 0.001 or 3e-3, got '{text}'");
        return v > 0 ? v : throw new FormatException($"must be positive, got {text}");
    };

    /// <summary>One of an enum's names, in any case (e.g. "lion" for OptimizerKind.Lion).</summary>
    public static ValueParser Choice<TEnum>() where TEnum : struct, Enum => text =>
        Enum.TryParse<TEnum>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) && !char.IsDigit(text.Trim()[0]) ? v
            : throw new FormatException($"expected one of {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}, got '{text}'");

    /// <summary>Comma-separated numbers, each passing <paramref name="element"/>.</summary>
    public static ValueParser List(ValueParser element, int minCount = 1, string what = "values") => text =>
    {
        var parts = Split(text);
        if (parts.Count < minCount) throw new FormatException($"needs at least {minCount} comma-separated {what}, got '{text}'");
        return parts.Select(p => element(p)).ToList();
    };

    /// <summary>Comma-separated words.</summary>
    public static ValueParser Words(string what) => text =>
    {
        var parts = Split(text);
        return parts.Count > 0 ? parts : throw new FormatException($"expected comma-separated {what}, got nothing");
    };

    /// <summary>key=value pairs separated by commas, e.g. "dim=32,layers=1".</summary>
    public static ValueParser Pairs() => text =>
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in Split(text))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1) throw new FormatException($"expected key=value pairs separated by commas (e.g. dim=32,layers=1), got '{part}'");
            var key = part[..eq].Trim();
            if (pairs.Any(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase))) throw new FormatException($"'{key}' is set twice");
            pairs.Add(new(key, part[(eq + 1)..].Trim()));
        }
        return pairs.Count > 0 ? pairs : throw new FormatException("expected key=value pairs, got nothing");
    };

    /// <summary>A comma-separated list of whole numbers giving a tensor shape.</summary>
    public static ValueParser Shape() => text =>
    {
        var dims = Split(text.Trim('[', ']', '(', ')'));
        var shape = new List<long>();
        foreach (var d in dims)
        {
            if (!long.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n <= 0)
                throw new FormatException($"expected positive sizes separated by commas such as 1,16 (batch first), got '{text}'");
            shape.Add(n);
        }
        return shape.Count > 0 ? shape.ToArray() : throw new FormatException("expected a shape such as 1,16");
    };

    public static List<string> Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        float f => f.ToString("G", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
