namespace ArchNotebooks.Notebooks.Tests.Support;

/// <summary>Paths the tests need: the repository, its notebooks, archnb.dll beside the tests.</summary>
internal static class Repo
{
    public static string Root => RepositoryRoot.Path;
    public static string Notebooks => Path.Combine(Root, "notebooks");
    public static string ArchnbDll => Path.Combine(AppContext.BaseDirectory, "archnb.dll");
    public const string Python = "/usr/bin/python3";
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>node_modules/<paramref name="name"/> at the repository root, or null when npm ci has not run.</summary>
    public static string? NodeModule(string name)
    {
        var path = Path.Combine(Root, "node_modules", name);
        return Directory.Exists(path) ? path : null;
    }
}
