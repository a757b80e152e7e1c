using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Dispose scopes follow the async flow and survive being disposed out of order, leaving no tensor in a dead scope.</summary>
public class DisposeScopeFlowTests
{
    [Fact]
    public async Task A_cell_that_awaits_inside_a_scope_has_every_tensor_freed_by_that_scope()
    {
        var made = new List<Tensor>();
        var threads = new HashSet<int>();
        for (int cell = 0; cell < 300; cell++)
        {
            using (NewDisposeScope())
            {
                var before = ones(8);
                threads.Add(Environment.CurrentManagedThreadId);
                // Task.Yield resumes on a pool thread: the rest of the cell runs where the scope was not opened.
                await Task.Yield();
                threads.Add(Environment.CurrentManagedThreadId);
                var after = before * 2;
                made.Add(before);
                made.Add(after);
            }
            Assert.Null(DisposeScope.Current);
        }
        Assert.True(threads.Count > 1, "the cells never changed thread, so this test proved nothing");
        // Every tensor of every cell was freed by its scope: none is left alive, none waits for a finalizer.
        Assert.Equal(0, made.Count(t => !t.IsDisposed));
    }

    [Fact]
    public async Task Pool_threads_that_ran_an_awaiting_scope_keep_no_dead_scope()
    {
        for (int cell = 0; cell < 100; cell++)
        {
            using (NewDisposeScope())
            {
                await Task.Yield();
                using var t = ones(4);
            }
        }
        // Whatever thread each cell started or ended on, no pool thread is left with a scope.
        var scopes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => DisposeScope.Current)));
        Assert.All(scopes, s => Assert.Null(s));
    }

    [Fact]
    public void Scopes_disposed_out_of_order_hold_no_tensor_made_after_them()
    {
        var outer = NewDisposeScope();
        var inner = NewDisposeScope();
        var early = ones(2);
        outer.Dispose();
        Assert.False(early.IsDisposed, "the inner scope, still open, owns it");
        inner.Dispose();
        Assert.True(early.IsDisposed);
        Assert.Null(DisposeScope.Current);

        // 10,000 tensors made and dropped afterwards: with a dead scope still current they would be listed
        // there forever, out of reach of both Dispose and the finalizer.
        for (int i = 0; i < 10_000; i++) _ = ones(2);
        Assert.Equal(0, outer.Tracked);
        Assert.Equal(0, inner.Tracked);
    }

    [Fact]
    public void A_tensor_made_inside_an_inner_scope_after_its_outer_scope_was_disposed_is_still_freed_by_the_inner_one()
    {
        using var outermost = NewDisposeScope();
        var outer = NewDisposeScope();
        var inner = NewDisposeScope();
        outer.Dispose();
        var t = ones(2);
        var moved = ones(2).MoveToOuterDisposeScope();
        inner.Dispose();
        Assert.True(t.IsDisposed);
        // The outer scope is dead, so the tensor moved outwards went to the nearest live one.
        Assert.False(moved.IsDisposed);
        Assert.Same(outermost, DisposeScope.Current);
        Assert.Equal(1, outermost.Count);
    }

    [Fact]
    public async Task Tasks_started_inside_a_scope_register_their_tensors_in_it_from_many_threads()
    {
        Tensor[] made;
        using (var scope = NewDisposeScope())
        {
            made = (await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() =>
                Enumerable.Range(0, 50).Select(_ => full(new long[] { 2 }, (double)i)).ToArray())))).SelectMany(t => t).ToArray();
            Assert.Equal(32 * 50, scope.Count);
        }
        Assert.All(made, t => Assert.True(t.IsDisposed));
    }
}
