using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>What each kind of front end gets (python/test_frontends.py): live displays as a rewritten text line for
/// console clients (and jupyter console itself in tmux, python/test_console.py), and runs/ next to the notebook from VS Code's cell URIs, Jupyter Server's JPY_SESSION_NAME,
/// nbclient and <c>jupyter nbconvert --execute</c> started in another directory.</summary>
[Collection("python clients")]
public sealed class FrontEndTests(KernelSpecFixture spec)
{
    [Theory]
    [InlineData("LiveTextTests.test_a_console_client_sees_updates_as_one_rewritten_line")]
    [InlineData("LiveTextTests.test_arch_train_progress_reaches_a_console_and_runs_go_next_to_a_vscode_notebook")]
    [InlineData("RunsLocationTests.test_nbclient_with_the_notebook_path")]
    [InlineData("RunsLocationTests.test_jupyter_nbconvert_execute_from_another_directory")]
    [InlineData("RunsLocationTests.test_jupyter_server_session_name")]
    public void Front_ends_get_live_text_and_runs_next_to_the_notebook(string test)
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", $"test_frontends.{test}"], timeoutSeconds: 240);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }

    [Fact]
    public void Jupyter_console_in_a_terminal_shows_arch_train_progress_moving()
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", "test_console"], timeoutSeconds: 240);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }

    [Fact]
    public void Polyglot_cells_reach_arch_through_connect_jupyter_in_the_real_dotnet_interactive_tool()
    {
        // Installs Microsoft.dotnet-interactive 1.0.712001 into build/dotnet-interactive on first use (a NuGet download).
        var (exit, output) = spec.Python(["-m", "unittest", "-v", "test_polyglot"], timeoutSeconds: 600);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }
}
