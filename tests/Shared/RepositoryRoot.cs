using System.Reflection;

namespace ArchNotebooks.Tests.Shared;

/// <summary>
/// The repository this test build came from, recorded as assembly metadata when it was built
/// (tests/Directory.Build.props): tests read scripts, notebooks and npm packages from it.
/// </summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Read();

    /// <summary>A path inside the repository, e.g. <c>In("tests", "Torch.Tests", "reference")</c>.</summary>
    public static string In(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>node_modules/<paramref name="name"/> at the repository root, or null when npm ci has not installed it.</summary>
    public static string? NodeModule(string name)
    {
        var path = In("node_modules", name);
        return Directory.Exists(path) ? path : null;
    }

    private static string Read()
    {
        var root = typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ArchNotebooks.RepositoryRoot")?.Value;
        if (root is null || !Directory.Exists(root))
            throw new InvalidOperationException($"this test build records no existing repository root ('{root}'): rebuild it from the repository");
        return root;
    }
}
