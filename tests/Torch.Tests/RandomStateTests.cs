using ArchNotebooks.Torch.Tests.Parity;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Seeds and process-wide switches; run alone because they change global libtorch state.</summary>
[Collection(SerialCollection.Name)]
public class RandomStateTests
{
    [Fact]
    public void Manual_seed_draws_the_same_values_as_pytorch_on_the_same_libtorch()
    {
        // Parity inputs travel through a file, so they do not rely on this, but notebooks that quote
        // "seed s gives ..." from PyTorch do.
        var run = ReferenceRun.Instance;
        using var scope = NewDisposeScope();
        manual_seed(ReferenceRun.RngSeed);
        TensorAssert.Close(run.PythonRandn, randn(6), "randn after manual_seed", rtol: 0, atol: 0);
    }

    [Fact]
    public void The_same_seed_gives_the_same_draws_and_another_seed_does_not()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var a = cat(new[] { randn(5), rand(5), randint(100, new long[] { 5 }).to(ScalarType.Float32), randperm(5).to(ScalarType.Float32) });
        manual_seed(7);
        var b = cat(new[] { randn(5), rand(5), randint(100, new long[] { 5 }).to(ScalarType.Float32), randperm(5).to(ScalarType.Float32) });
        manual_seed(8);
        var c = randn(5);
        Assert.Equal(a.data<float>(), b.data<float>());
        Assert.NotEqual(a[..5].data<float>(), c.data<float>());
    }

    [Fact]
    public void Dropout_is_reproducible_under_a_seed_and_scales_kept_values()
    {
        using var scope = NewDisposeScope();
        var x = ones(1000);
        manual_seed(3);
        var a = nn.functional.dropout(x, 0.25);
        manual_seed(3);
        var b = nn.functional.dropout(x, 0.25);
        Assert.Equal(a.data<float>(), b.data<float>());
        var kept = a.data<float>().Where(v => v != 0).ToArray();
        Assert.All(kept, v => Assert.Equal(1 / 0.75f, v, 5));
        Assert.InRange(kept.Length, 650, 850);
    }

    [Fact]
    public void Deterministic_mode_and_thread_count_switch_and_restore()
    {
        bool wasDeterministic = are_deterministic_algorithms_enabled();
        int threads = get_num_threads();
        try
        {
            use_deterministic_algorithms(true);
            Assert.True(are_deterministic_algorithms_enabled());
            use_deterministic_algorithms(false);
            Assert.False(are_deterministic_algorithms_enabled());
            set_num_threads(1);
            Assert.Equal(1, get_num_threads());
        }
        finally
        {
            use_deterministic_algorithms(wasDeterministic);
            set_num_threads(threads);
        }
        Assert.Equal(threads, get_num_threads());
    }
}
