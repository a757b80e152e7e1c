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
    public void Blocks_under_32_MiB_come_from_the_heap_and_bigger_ones_are_mapped_and_given_back()
    {
        // The shim fixes glibc's thresholds at load. glibc's own start at 128 KiB and move only as mapped blocks
        // are freed, so a fresh process maps this 16 MiB block on its own (checked with ARCHNB_MALLOC_THRESHOLDS=
        // system), and training steps kept taking pages back from the kernel (bench train prints the page faults
        // per step; about 2,000 at its compute-bound size before, near zero now).
        var thresholds = malloc_thresholds;
        Assert.True(thresholds is not null, "the shim should fix glibc's malloc thresholds unless ARCHNB_MALLOC_THRESHOLDS=system");
        Assert.Equal((32L << 20, 64L << 20), thresholds!.Value);
        using var scope = NewDisposeScope();
        var heap = empty(16L << 20 >> 2);   // 16 MiB of float32
        var mapped = empty(40L << 20 >> 2);
        Assert.False(IsMapped(heap.data_ptr()), "a 16 MiB block should come from the heap, where a later step can reuse its pages");
        Assert.True(IsMapped(mapped.data_ptr()), "a 40 MiB block should be mapped on its own, so freeing it gives the memory back");
    }

    /// <summary>glibc's IS_MMAPPED bit in the size field just before a block it handed out.</summary>
    static bool IsMapped(long address) => (System.Runtime.InteropServices.Marshal.ReadInt64((IntPtr)(address - 8)) & 2) != 0;
}
