using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>
/// The binding's small-block cache in front of libtorch's CPU allocator: aligned like libtorch's own
/// allocations, reuses freed blocks, and stays correct when tensors move between threads.
/// </summary>
public class CpuAllocatorTests
{
    [Fact]
    public void The_cache_is_on_by_default()
    {
        Assert.True(cpu_allocator_cached, "CPU tensors should come from the small-block cache unless ARCHNB_CPU_ALLOCATOR=default");
    }

    [Fact]
    public void Every_size_is_aligned_to_64_bytes_like_libtorchs_allocator()
    {
        using var scope = NewDisposeScope();
        for (int floats = 1; floats <= 1100; floats += 7)
        {
            var t = empty(floats);
            Assert.Equal(0, t.data_ptr() % 64);
            t.Dispose();
        }
        Assert.Equal(0, empty(0).numel());
    }

    [Fact]
    public void A_freed_small_block_is_handed_out_again_and_holds_the_new_values()
    {
        using var scope = NewDisposeScope();
        var first = full(new long[] { 10, 10 }, 7.0f);
        long address = first.data_ptr();
        first.Dispose();
        var second = arange(100, dtype: ScalarType.Float32);
        Assert.Equal(address, second.data_ptr());
        Assert.Equal(4950.0, second.sum().ToDouble());
    }

    [Fact]
    public void Large_tensors_bypass_the_cache()
    {
        using var scope = NewDisposeScope();
        // 1 MiB: far above the 4 KiB limit, so it goes back to the system when disposed.
        var big = ones(256 * 1024);
        Assert.Equal(0, big.data_ptr() % 64);
        Assert.Equal(256.0 * 1024, big.sum().ToDouble());
    }

    [Fact]
    public void Tensors_made_on_one_thread_and_freed_on_another_stay_correct()
    {
        var made = new List<Tensor>();
        var maker = new Thread(() =>
        {
            for (int i = 0; i < 2_000; i++) made.Add(full(new long[] { 1 + i % 300 }, (float)i));
        });
        maker.Start();
        maker.Join();
        double expected = 0, total = 0;
        var freer = new Thread(() =>
        {
            for (int i = 0; i < made.Count; i++)
            {
                expected += (1 + i % 300) * (double)i;
                total += made[i].sum().ToDouble();
                made[i].Dispose();
            }
            // Blocks freed here are now cached on this thread; new tensors reuse them correctly.
            for (int i = 0; i < 500; i++)
            {
                using var t = arange(1 + i % 300, dtype: ScalarType.Float32);
                long n = 1 + i % 300;
                expected += n * (n - 1) / 2.0;
                total += t.sum().ToDouble();
            }
        });
        freer.Start();
        freer.Join();
        Assert.Equal(expected, total);
    }

    [Fact]
    public void Repeated_training_steps_reuse_their_memory_instead_of_taking_fresh_pages_from_the_kernel()
    {
        // The shim fixes glibc's thresholds at load; with glibc's moving ones this loop took hundreds of fresh
        // (zero-filled) pages from the kernel on every step, since each step frees what the next one allocates.
        var thresholds = malloc_thresholds;
        Assert.True(thresholds is not null, "the shim should fix glibc's malloc thresholds unless ARCHNB_MALLOC_THRESHOLDS=system");
        Assert.Equal((32L << 20, 64L << 20), thresholds!.Value);
        long faultsPerStep = 0;
        // A thread of its own: glibc gives it its own arena, as it does the kernel's cell threads.
        var worker = new Thread(() =>
        {
            using var outer = NewDisposeScope();
            manual_seed(0);
            var w1 = (randn(256, 1024) * 0.05).requires_grad_();
            var w2 = (randn(1024, 256) * 0.05).requires_grad_();
            var x = randn(512, 256);
            void Step()
            {
                using var scope = NewDisposeScope();
                var loss = x.matmul(w1).relu().matmul(w2).square().mean();
                loss.backward();
                w1.grad!.zero_();
                w2.grad!.zero_();
            }
            for (int i = 0; i < 3; i++) Step();
            long before = MinorFaults();
            for (int i = 0; i < 10; i++) Step();
            faultsPerStep = (MinorFaults() - before) / 10;
        });
        worker.Start();
        worker.Join();
        // One step allocates ~8 MiB (about 2,000 pages) of activations and gradients.
        Assert.True(faultsPerStep < 100, $"{faultsPerStep} fresh pages per step: freed memory went back to the kernel between steps");
    }

    /// <summary>Minor page faults of this process so far (field 10 of /proc/self/stat).</summary>
    static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
