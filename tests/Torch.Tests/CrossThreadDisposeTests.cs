namespace ArchNotebooks.Torch.Tests;

/// <summary>Disposing a tensor while another thread computes with it is a managed error, never a crash.</summary>
public class CrossThreadDisposeTests
{
    [Fact]
    public void Disposing_a_tensor_that_another_thread_is_using_gives_that_thread_an_ObjectDisposedException()
    {
        // In a child process: if the native tensor were freed under a running operator, the segfault
        // would end that process and fail this test, instead of taking the test host down.
        var (exit, output) = ChildProcess.Run("dotnet", [typeof(Support.ChildProbe).Assembly.Location, "dispose-race", "40"], timeoutSeconds: 240);
        Assert.True(exit == 0, $"the child exited with {exit} (139 is a segfault):\n{output}");
        Assert.Contains("managed errors: 40 of 40", output);
    }
}
