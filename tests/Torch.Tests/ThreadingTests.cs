using ArchNotebooks.Torch.Interop;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Torch.Tests;

/// <summary>
/// The threading arrangement: which BLAS the process runs, the start-up thread count, and
/// torch.set_num_threads reaching every thread. Speed at each thread count is a benchmark
/// (./archnb bench torch --threads), not a test.
/// </summary>
[Collection(SerialCollection.Name)]
public class ThreadingTests
{
    [Fact]
    public void The_process_runs_the_OpenMP_OpenBLAS_when_it_is_installed()
    {
        var blas = blas_info;
        if (File.Exists(Path.Combine(BlasSelection.OpenMpDirectory, "libopenblas.so.0")))
        {
            Assert.Equal("OpenMP", blas.Threading);
            Assert.Contains("openblas-openmp", blas.Library);
            Assert.StartsWith("OpenMP OpenBLAS preloaded", blas.Decision);
        }
        else
        {
            // A root without the package (the libtorch 2.x legs): the decision must say why, and the library is the system's.
            Assert.Contains("not installed", blas.Decision);
            Assert.DoesNotContain("openblas-openmp", blas.Library);
        }
    }

    [Fact]
    public void A_thread_count_set_on_one_thread_reaches_a_thread_that_had_already_computed()
    {
        int before = get_num_threads();
        int other = before == 1 ? 2 : 1;
        int seenBefore = 0, seenAfter = 0;
        using var computed = new ManualResetEventSlim();
        using var changed = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            using (var scope = NewDisposeScope()) { var a = randn(64, 64); _ = a.matmul(a); }
            seenBefore = get_num_threads();
            computed.Set();
            changed.Wait();
            using (var scope = NewDisposeScope()) { var a = randn(64, 64); _ = a.matmul(a); }
            seenAfter = get_num_threads();
        });
        worker.Start();
        try
        {
            computed.Wait();
            set_num_threads(other);
            changed.Set();
            worker.Join();
            Assert.Equal(before, seenBefore);
            // OpenMP keeps the team size per thread: without the shim's re-application this stays at `before`.
            Assert.Equal(other, seenAfter);
        }
        finally
        {
            changed.Set();
            set_num_threads(before);
        }
    }

    [Fact]
    public void An_attention_step_gives_the_same_loss_and_gradients_at_one_and_two_threads()
    {
        int before = get_num_threads();
        try
        {
            var one = AttentionStep(threads: 1);
            var two = AttentionStep(threads: 2);
            Assert.Equal(one.Loss, two.Loss, 5);
            for (int i = 0; i < one.Grads.Length; i++)
                Assert.True(one.Grads[i].Zip(two.Grads[i]).All(p => Math.Abs(p.First - p.Second) <= 1e-5 + 1e-4 * Math.Abs(p.First)),
                    $"gradient {i} differs between 1 and 2 threads");
        }
        finally { set_num_threads(before); }
    }

    /// <summary>The attention-shaped step the benchmark times (B 16, H 4, T 64, D 32): projections, scores, softmax, weighted sum, loss, backward.</summary>
    static (double Loss, float[][] Grads) AttentionStep(int threads)
    {
        set_num_threads(threads);
        using var scope = NewDisposeScope();
        manual_seed(7);
        const int B = 16, H = 4, T = 64, D = 32;
        var x = randn(B, T, H * D);
        var wqkv = (randn(3 * H * D, H * D) * 0.05).requires_grad_();
        var wo = (randn(H * D, H * D) * 0.05).requires_grad_();
        var qkv = F.linear(x, wqkv).view(B, T, 3, H, D).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        var weights = F.softmax(q.matmul(k.transpose(-2, -1)) / Math.Sqrt(D), -1);
        var y = F.linear(weights.matmul(v).transpose(1, 2).reshape(B, T, H * D), wo);
        var loss = y.pow(2).mean();
        loss.backward();
        return (loss.ToDouble(), [wqkv.grad!.flatten().data<float>().ToArray(), wo.grad!.flatten().data<float>().ToArray()]);
    }

    [Theory]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("0,2,4-5", new[] { 0, 2, 4, 5 })]
    [InlineData(" 7 ", new[] { 7 })]
    public void Affinity_lists_parse_as_the_kernel_writes_them(string list, int[] expected) =>
        Assert.Equal(expected, ThreadDefaults.ParseCpuList(list));

    [Fact]
    public void An_explicit_thread_count_wins_over_the_machine_and_a_bad_one_is_named()
    {
        Assert.Equal((3, "ARCHNB_NUM_THREADS=3"), ThreadDefaults.Choose("3", "5"));
        var (omp, ompWhy) = ThreadDefaults.Choose(null, "5");
        Assert.Null(omp);
        Assert.Contains("OMP_NUM_THREADS=5", ompWhy);
        var (machine, why) = ThreadDefaults.Choose("many", null);
        Assert.NotNull(machine);
        Assert.InRange(machine!.Value, 1, Environment.ProcessorCount);
        Assert.Contains("ARCHNB_NUM_THREADS='many' is not a positive integer", why);
    }

    [Fact]
    public void The_machine_default_is_the_physical_cores_this_process_may_use()
    {
        var cores = ThreadDefaults.PhysicalCores();
        Assert.NotNull(cores);  // Linux with /sys mounted, as every supported machine has
        var (threads, why) = ThreadDefaults.Choose(null, null);
        Assert.Equal(Math.Min(cores!.Value.Cores, Environment.ProcessorCount), threads);
        Assert.Contains("physical cores available", why);
    }
}
