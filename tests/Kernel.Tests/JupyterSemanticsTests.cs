using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>Jupyter semantics as ipykernel implements them, each driven through jupyter_client against the real kernel
/// (python/test_semantics.py): aborted queues, user_expressions, clear_output, is_complete, parent death, interrupts.</summary>
[Collection("python clients")]
public sealed class JupyterSemanticsTests(KernelSpecFixture spec)
{
    [Theory]
    [InlineData("SemanticsTests.test_stop_on_error_aborts_the_queued_cells")]
    [InlineData("SemanticsTests.test_stop_on_error_false_runs_the_queued_cells")]
    [InlineData("SemanticsTests.test_user_expressions_are_evaluated_after_a_successful_cell")]
    [InlineData("SemanticsTests.test_clear_output_is_published_in_order")]
    [InlineData("SemanticsTests.test_is_complete_says_invalid_for_unterminated_literals")]
    [InlineData("SemanticsTests.test_interrupt_wakes_blocking_waits_and_abandons_awaits")]
    [InlineData("SemanticsTests.test_interrupt_during_a_native_call_says_so_and_stops_after_it")]
    [InlineData("ArchLineTests.test_completion_of_arch_lines")]
    [InlineData("ArchLineTests.test_inspect_shows_a_subcommands_help")]
    [InlineData("ParentDeathTests.test_kernel_exits_when_its_client_process_is_killed")]
    public void Jupyter_client_sees_ipykernel_semantics(string test)
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", $"test_semantics.{test}"], timeoutSeconds: 240);
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output);
    }
}
