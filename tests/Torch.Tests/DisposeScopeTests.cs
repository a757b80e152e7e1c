using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Ownership rules: what a dispose scope frees, what it hands on, and what a disposed tensor does.</summary>
public class DisposeScopeTests
{
    [Fact]
    public void A_scope_frees_what_was_created_inside_and_nothing_else()
    {
        using var outside = ones(2);
        Tensor inside, fromList;
        using (var scope = NewDisposeScope())
        {
            inside = outside + 1;
            fromList = outside.split(1)[0];
            Assert.True(scope.Count >= 3, $"the scope should own the sum and both split parts, owns {scope.Count}");
        }
        Assert.True(inside.IsDisposed);
        Assert.True(fromList.IsDisposed);
        Assert.False(outside.IsDisposed);
        Assert.Equal(2.0, outside.sum().ToDouble());
    }

    [Fact]
    public void A_long_loop_that_disposes_its_own_results_leaves_no_dead_tensors_in_the_scope()
    {
        using var scope = NewDisposeScope();
        var a = ones(4);
        var kept = new List<Tensor>();
        for (int i = 0; i < 50_000; i++)
        {
            // Newest-first disposal (the usual pattern), out-of-order disposal, and a few survivors.
            var x = a + 1;
            var y = x * 2;
            x.Dispose();
            y.Dispose();
            if (i % 5_000 == 0) kept.Add(a - i);
        }
        Assert.InRange(scope.Tracked, 0, 1_000);
        Assert.Equal(1 + kept.Count, scope.Count);
        Assert.All(kept, t => Assert.False(t.IsDisposed));
        Assert.Equal(1.0 - 45_000, kept[^1][0].ToDouble());
    }

    [Fact]
    public void MoveToOuterDisposeScope_hands_a_tensor_to_the_enclosing_scope()
    {
        Tensor kept, dropped;
        using (var outer = NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                kept = ones(3).MoveToOuterDisposeScope();
                dropped = zeros(3);
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(3.0, kept.sum().ToDouble());
        }
        Assert.True(kept.IsDisposed, "the outer scope should free the tensor it received");
    }

    [Fact]
    public void MoveToOuterDisposeScope_without_an_outer_scope_gives_the_tensor_to_the_caller()
    {
        Tensor t;
        using (NewDisposeScope()) t = full(new long[] { 2 }, 4.0).MoveToOuterDisposeScope();
        Assert.False(t.IsDisposed);
        Assert.Equal(8.0, t.sum().ToDouble());
        t.Dispose();
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void DetachFromDisposeScope_survives_every_scope()
    {
        Tensor t;
        using (NewDisposeScope())
        using (NewDisposeScope())
            t = ones(4).DetachFromDisposeScope();
        Assert.False(t.IsDisposed);
        Assert.Equal(4.0, t.sum().ToDouble());
        t.Dispose();
    }

    [Fact]
    public void Nested_scopes_free_inner_results_first_and_the_outer_scope_resumes_ownership()
    {
        using var outer = NewDisposeScope();
        var a = ones(2);
        Tensor b;
        using (var inner = NewDisposeScope())
        {
            b = a * 2;
            Assert.Equal(1, inner.Count);
        }
        var c = a * 3;  // created after the inner scope closed: owned by the outer one again
        Assert.True(b.IsDisposed);
        Assert.False(a.IsDisposed);
        Assert.Equal(2, outer.Count);
        outer.Dispose();
        Assert.True(a.IsDisposed && c.IsDisposed);
    }

    [Fact]
    public void DisposeEverythingBut_keeps_the_named_tensors_in_the_scope()
    {
        Tensor keep, drop;
        using (var scope = NewDisposeScope())
        {
            keep = ones(2);
            drop = ones(2);
            scope.DisposeEverythingBut(keep);
            Assert.True(drop.IsDisposed);
            Assert.False(keep.IsDisposed);
            Assert.Equal(1, scope.Count);
        }
        Assert.True(keep.IsDisposed);
    }

    [Fact]
    public void Include_adopts_a_tensor_created_outside()
    {
        var t = ones(2);
        using (var scope = NewDisposeScope()) scope.Include(t);
        Assert.True(t.IsDisposed);
    }

    [Fact]
    public void Scopes_are_per_thread()
    {
        Tensor? other = null;
        using (NewDisposeScope())
        {
            // Scopes follow the async flow (see DisposeScopeFlowTests): a thread that inherits the flow's
            // context shares its scope, so this one is started without it, as an unrelated thread is.
            var thread = new Thread(() => other = ones(2));
            thread.UnsafeStart();
            thread.Join();
        }
        Assert.False(other!.IsDisposed, "a scope must not capture tensors made on another thread");
        other.Dispose();
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_ObjectDisposedException_and_never_touches_freed_memory()
    {
        var t = randn(3, 3);
        using var live = ones(3, 3);
        t.Dispose();
        t.Dispose();  // a second Dispose is harmless
        var e = Assert.Throws<ObjectDisposedException>(() => t.shape);
        Assert.Contains("disposed", e.Message);
        Assert.Throws<ObjectDisposedException>(() => t + live);
        Assert.Throws<ObjectDisposedException>(() => live + t);
        Assert.Throws<ObjectDisposedException>(() => t.data<float>());
        Assert.Throws<ObjectDisposedException>(() => t.ToDouble());
        Assert.Throws<ObjectDisposedException>(() => t[0]);
        Assert.Throws<ObjectDisposedException>(() => live[t]);
        Assert.Throws<ObjectDisposedException>(() => cat(new[] { live, t }));
        Assert.Throws<ObjectDisposedException>(() => t.requires_grad = true);
        Assert.Throws<ObjectDisposedException>(() => t.backward());
        Assert.Throws<ObjectDisposedException>(() => autograd.grad(new[] { live }, new[] { t }));
        Assert.Throws<ObjectDisposedException>(() => torch.ops.aten["add"](live, t));
        Assert.Equal("tensor(<disposed>)", t.ToString());
        Assert.Equal(9.0, live.sum().ToDouble());
    }

    [Fact]
    public void A_tensor_freed_by_its_scope_throws_too()
    {
        Tensor t;
        using (NewDisposeScope()) t = ones(2);
        var e = Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Contains("scope", e.Message);
    }
}
