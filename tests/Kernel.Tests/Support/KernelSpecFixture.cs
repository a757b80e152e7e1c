namespace ArchNotebooks.Kernel.Tests.Support;

/// <summary>
/// Installs the archnb kernelspec into a temporary prefix (never the user's Jupyter directories) and
/// gives Python clients a JUPYTER_PATH that finds it.
/// </summary>
public sealed class KernelSpecFixture : IDisposable
{
    public string Prefix { get; } = Directory.CreateTempSubdirectory("archnb-kernelspec-").FullName;

    public KernelSpecFixture()
    {
        var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "kernel", "install", "--prefix", Prefix], timeoutSeconds: 60);
        if (exit != 0) throw new InvalidOperationException($"archnb kernel install failed ({exit}):\n{output}");
    }

    public Dictionary<string, string> Environment => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(Prefix, "share", "jupyter"),
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Prefix, "runtime"),
        ["JUPYTER_DATA_DIR"] = Path.Combine(Prefix, "data"),
        ["JUPYTER_PLATFORM_DIRS"] = "1",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
    };

    public (int ExitCode, string Output) Python(IEnumerable<string> args, int timeoutSeconds = 300) =>
        ChildProcess.Run(ArchNotebooks.Tests.Shared.Python.Interpreter, args, Repo.PythonDir, Environment, timeoutSeconds);

    public void Dispose()
    {
        try { Directory.Delete(Prefix, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition("python clients")]
public sealed class PythonClientsCollection : ICollectionFixture<KernelSpecFixture>;
