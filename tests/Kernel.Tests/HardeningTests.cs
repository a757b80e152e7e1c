using ArchNotebooks.Kernel.Tests.Support;
using Xunit.Abstractions;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// The kernel under hostile and careless input (issue 20), driven by jupyter_client with hand-built signed
/// frames and default client settings (python/test_hardening.py). Measured figures (messages delivered in a
/// burst, memory per cell in the stress run) are printed to the test log.
/// </summary>
[Collection("python clients")]
public sealed class HardeningTests(KernelSpecFixture spec, ITestOutputHelper log)
{
    [Theory]
    [InlineData("test_wrong_typed_header_fields_are_dropped_on_shell_and_control")]
    [InlineData("test_a_signature_replayed_in_upper_case_is_refused")]
    [InlineData("test_an_empty_key_prints_a_warning")]
    [InlineData("test_history_search_with_many_stars_answers")]
    [InlineData("test_a_burst_of_displays_reaches_a_default_client")]
    [InlineData("test_one_huge_stdout_write_is_truncated_and_the_kernel_lives")]
    [InlineData("test_deeply_nested_code_is_answered_and_the_kernel_lives")]
    [InlineData("test_an_exception_on_a_user_thread_is_written_to_stderr")]
    [InlineData("test_an_ipv6_address_binds")]
    [InlineData("test_fuzzed_shell_messages_leave_the_kernel_answering")]
    [InlineData("test_stress_of_mixed_output_loses_nothing")]
    public void Kernel_survives(string test)
    {
        var (exit, output) = spec.Python(["-m", "unittest", "-v", $"test_hardening.HardeningTests.{test}"], timeoutSeconds: 900);
        // unittest -v prints a test's name and its result around what it wrote, so a figure may sit mid-line.
        foreach (var line in output.Split('\n').Where(l => l.Contains("[measured]", StringComparison.Ordinal)))
            log.WriteLine(line[line.IndexOf("[measured]", StringComparison.Ordinal)..]);
        Assert.True(exit == 0, output);
    }
}
