namespace ArchNotebooks.Library.Analysis;

/// <summary>
/// The run-log naming of statistics kept per layer or parameter over training: "{prefix}/{item}/{stat}", where the
/// item (a module path or parameter name) may itself hold dots but the stat never holds a slash.
/// </summary>
internal static class LoggedMetricName
{
    public static string Of(string prefix, string item, string stat) => $"{prefix}/{item}/{stat}";

    public static bool TryParse(string prefix, string name, out string item, out string stat)
    {
        (item, stat) = ("", "");
        if (!name.StartsWith(prefix + "/", StringComparison.Ordinal)) return false;
        int slash = name.LastIndexOf('/');
        if (slash <= prefix.Length + 1) return false;
        (item, stat) = (name[(prefix.Length + 1)..slash], name[(slash + 1)..]);
        return true;
    }
}
