namespace ArchNotebooks.Notebooks.Tests.Support;

/// <summary>Paths the tests need: the repository, its notebooks, archnb.dll beside the tests.</summary>
internal static class Repo
{
    public static string Root => RepositoryRoot.Path;
    public static string Notebooks => Path.Combine(Root, "notebooks");
    public static string ArchnbDll => Path.Combine(AppContext.BaseDirectory, "archnb.dll");
}
