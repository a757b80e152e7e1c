namespace ArchNotebooks.Kernel.Tests.Support;

/// <summary>Paths the tests need: the repository, this suite's Python scripts and notebooks, archnb.dll.</summary>
internal static class Repo
{
    public static string Root => RepositoryRoot.Path;
    public static string PythonDir => Path.Combine(Root, "tests", "Kernel.Tests", "python");
    public static string NotebooksDir => Path.Combine(Root, "tests", "Kernel.Tests", "notebooks");
    public static string ArchnbDll => Path.Combine(AppContext.BaseDirectory, "archnb.dll");
}
