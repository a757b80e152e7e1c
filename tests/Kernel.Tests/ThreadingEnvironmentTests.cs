using ArchNotebooks.Kernel.Tests.Support;
using ArchNotebooks.Tests.Shared;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// The BLAS and thread choices are made when libtorch loads, so each case starts a fresh host
/// (`archnb script`) with its environment and asks that process what it got.
/// </summary>
public sealed class ThreadingEnvironmentTests
{
    const string Report = "using ArchNotebooks.Torch;\n" +
        "Console.WriteLine($\"blas={torch.blas_info.Threading} threads={torch.get_num_threads()} why={torch.num_threads_default} malloc={torch.malloc_thresholds?.ToString() ?? \"glibc\"}\");";

    static string RunWith(IDictionary<string, string> environment)
    {
        var dir = Directory.CreateTempSubdirectory("archnb-threads-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "report.csx"), Report);
            var (exit, output) = ChildProcess.Run("dotnet", [Repo.ArchnbDll, "script", Path.Combine(dir, "report.csx")], environment: environment, timeoutSeconds: 120);
            Assert.True(exit == 0, output);
            return output;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void ARCHNB_BLAS_system_keeps_the_systems_pthread_OpenBLAS_and_the_default_is_OpenMP()
    {
        var system = RunWith(new Dictionary<string, string> { ["ARCHNB_BLAS"] = "system" });
        Assert.Contains("blas=pthreads", system);
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0")) return;  // asserted by Torch.Tests' BLAS test
        var chosen = RunWith(new Dictionary<string, string>());
        Assert.Contains("blas=OpenMP", chosen);
    }

    [Fact]
    public void ARCHNB_NUM_THREADS_sets_the_start_up_thread_count()
    {
        var output = RunWith(new Dictionary<string, string> { ["ARCHNB_NUM_THREADS"] = "1" });
        Assert.Contains("threads=1 why=ARCHNB_NUM_THREADS=1", output);
    }

    [Fact]
    public void ARCHNB_MALLOC_THRESHOLDS_system_leaves_glibcs_moving_thresholds_and_the_default_fixes_them()
    {
        Assert.Contains("malloc=glibc", RunWith(new Dictionary<string, string> { ["ARCHNB_MALLOC_THRESHOLDS"] = "system" }));
        Assert.Contains("malloc=(33554432, 67108864)", RunWith(new Dictionary<string, string>()));
    }
}
