using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>The kernel under real Python clients: jupyter_kernel_test, jupyter_client, nbclient.</summary>
[Collection("python clients")]
public sealed class PythonClientTests(KernelSpecFixture spec)
{
    [Fact]
    public void Jupyter_kernel_test_conformance_suite_passes()
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", "test_conformance"]);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }

    [Theory]
    [InlineData("test_state_streams_displays_and_results")]
    [InlineData("test_display_and_update_display")]
    [InlineData("test_errors_carry_cell_line_numbers")]
    [InlineData("test_interrupt_stops_endless_loop_and_keeps_variables")]
    [InlineData("test_interrupt_reaches_a_trainer_fit_called_from_csharp")]
    [InlineData("test_stdin_through_input_request")]
    [InlineData("test_restart_gives_a_fresh_session")]
    [InlineData("test_environment_exit_gives_a_dead_kernel_that_restarts")]
    [InlineData("test_magics")]
    [InlineData("test_bad_input_is_dropped_and_the_kernel_keeps_answering")]
    public void Jupyter_client_drives_the_kernel(string test)
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", $"test_client.KernelClientTests.{test}"], timeoutSeconds: 180);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Nbclient_executes_notebooks_with_the_installed_kernelspec()
    {
        var outdir = Directory.CreateTempSubdirectory("archnb-nbclient-").FullName;
        // The researcher notebooks in notebooks/ default to their real (minutes-long) experiments; Notebooks.Tests
        // runs them through nbclient and archnb run with CI parameters, so this suite keeps to its own notebooks.
        var notebooks = Directory.GetFiles(Repo.NotebooksDir, "*.ipynb");
        var (exit, output) = spec.Python(["run_nbclient.py", outdir, .. notebooks]);
        Assert.True(exit == 0, output);
        Assert.Contains("ok ", output);
        Directory.Delete(outdir, recursive: true);
    }
}
