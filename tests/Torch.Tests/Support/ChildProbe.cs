using System.Diagnostics;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Support;

/// <summary>
/// The test assembly's entry point, used only when a test starts it as a separate process
/// (<c>dotnet Torch.Tests.dll dispose-race ROUNDS</c>): a race that ends in a segfault must fail one test,
/// not kill the test host.
/// </summary>
public static class ChildProbe
{
    public static int Main(string[] args)
    {
        if (args is not ["dispose-race", var roundsText])
        {
            Console.Error.WriteLine("usage: dispose-race <rounds>");
            return 2;
        }
        var rounds = int.Parse(roundsText, System.Globalization.CultureInfo.InvariantCulture);
        var managedErrors = 0;
        var random = new Random(0);
        for (int round = 0; round < rounds; round++)
        {
            // 4096 x 4096 floats is 64 MiB, above glibc's largest mmap threshold: freeing the storage unmaps
            // it, so an operator still reading it faults instead of quietly reading stale memory. Copying it
            // out takes milliseconds, so the dispose below nearly always lands inside a native call.
            var shared = ones(4096, 4096);
            Exception? failure = null;
            using var started = new ManualResetEventSlim();
            var worker = new Thread(() =>
            {
                try
                {
                    for (int i = 0; ; i++)
                    {
                        started.Set();
                        if (i % 2 == 0)
                        {
                            var copy = shared.data<float>();
                            if (copy[^1] != 1f) throw new InvalidDataException($"read {copy[^1]} from a tensor of ones");
                        }
                        else
                        {
                            using var total = shared.sum();
                            if (total.ToDouble() != 4096.0 * 4096.0) throw new InvalidDataException($"summed {total.ToDouble()} over a tensor of ones");
                        }
                    }
                }
                catch (Exception e) { failure = e; }
                finally { started.Set(); }
            });
            worker.Start();
            started.Wait();
            Thread.Sleep(random.Next(0, 4));
            shared.Dispose();
            worker.Join();
            if (failure is ObjectDisposedException) managedErrors++;
            else
            {
                Console.WriteLine($"round {round}: the worker stopped with {failure?.GetType().Name ?? "nothing"}: {failure?.Message}");
                return 1;
            }
        }
        Console.WriteLine($"managed errors: {managedErrors} of {rounds}");
        return 0;
    }
}
