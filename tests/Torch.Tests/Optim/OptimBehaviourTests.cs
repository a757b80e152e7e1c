using ArchNotebooks.Torch.Optim;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Optimizers;

/// <summary>Optimizer plumbing: state dicts, zero_grad, closures, validation, and no native handles left behind per step.</summary>
public class OptimBehaviourTests
{
    static Optimizer Make(string kind, Tensor[] ps) => kind switch
    {
        "sgd" => optim.SGD(ps, lr: 0.1, momentum: 0.9),
        "adam" => optim.Adam(ps, lr: 1e-2, amsgrad: true),
        "adamw" => optim.AdamW(ps, lr: 1e-2),
        "lion" => optim.Lion(ps, lr: 1e-3, weight_decay: 0.1),
        "shampoo" => optim.Shampoo(ps, lr: 0.1, momentum: 0.5, update_freq: 2, block_size: 2),
        _ => throw new ArgumentException(kind),
    };

    public static TheoryData<string> Kinds => new() { "sgd", "adam", "adamw", "lion", "shampoo" };

    /// <summary>Loss of a tiny least-squares problem; its gradients land in ps.</summary>
    static void Backward(Tensor[] ps, int step)
    {
        using var scope = NewDisposeScope();
        manual_seed(100 + step);
        var x = randn(new long[] { 8, 3 });
        var y = randn(new long[] { 8 });
        var loss = (x.matmul(ps[0]) + ps[1] - y).square().mean();
        loss.backward();
    }

    static Tensor[] Parameters() => new[] { zeros(new long[] { 3 }, requires_grad: true), zeros(new long[] { 1 }, requires_grad: true) };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Resuming_from_a_saved_state_dict_continues_the_same_trajectory(string kind)
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"archnb-optim-{kind}-{Guid.NewGuid():N}.safetensors");
        try
        {
            var straight = Parameters();
            using var opt = Make(kind, straight);
            var resumed = Parameters();
            using var first = Make(kind, resumed);
            for (int s = 0; s < 5; s++)
            {
                foreach (var (ps, o) in new[] { (straight, opt), (resumed, first) }) { o.zero_grad(); Backward(ps, s); o.step(); }
            }
            opt.param_groups[0].lr *= 0.5;   // hyperparameters travel with the state
            first.param_groups[0].lr *= 0.5;
            Safetensors.Save(first.state_dict(), path);

            using var second = Make(kind, resumed);
            second.load_state_dict(Safetensors.Load(path));
            Assert.Equal(opt.param_groups[0].lr, second.param_groups[0].lr);
            for (int s = 5; s < 10; s++)
            {
                foreach (var (ps, o) in new[] { (straight, opt), (resumed, (Optimizer)second) }) { o.zero_grad(); Backward(ps, s); o.step(); }
            }
            for (int k = 0; k < straight.Length; k++)
                Assert.Equal(straight[k].data<float>(), resumed[k].data<float>());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void State_dict_names_follow_pytorchs_structure()
    {
        using var scope = NewDisposeScope();
        var ps = Parameters();
        using var opt = optim.Adam(ps[..1], lr: 1e-2);
        opt.add_param_group(ps[1..], g => g with { lr = 1e-3 });
        Backward(ps, 0);
        opt.step();
        var sd = opt.state_dict();
        Assert.Equal(1, sd["state.0.step"].ToInt64());
        Assert.Equal(new long[] { 3 }, sd["state.0.exp_avg"].shape);
        Assert.Equal(new long[] { 1 }, sd["param_groups.1.params"].data<long>());
        Assert.Equal(1e-3, sd["param_groups.1.lr"].ToDouble());
        Assert.Equal(0.999, sd["param_groups.0.beta2"].ToDouble());
        Assert.Equal(0.0, sd["param_groups.0.amsgrad"].ToDouble());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_step_leaves_no_tensors_in_the_callers_scope(string kind)
    {
        using var outer = NewDisposeScope();
        var ps = Parameters();
        using var opt = Make(kind, ps);
        Backward(ps, 0);
        using var inner = NewDisposeScope();
        for (int i = 0; i < 10; i++)
        {
            opt.step();
            nn.utils.clip_grad_value_(ps, 0.5);
            opt.zero_grad(set_to_none: false);
        }
        Assert.Equal(0, inner.Count);
    }

    [Fact]
    public void Zero_grad_drops_or_zeroes_gradients()
    {
        using var scope = NewDisposeScope();
        var ps = Parameters();
        using var opt = optim.SGD(ps, lr: 0.1);
        Backward(ps, 0);
        opt.zero_grad(set_to_none: false);
        Assert.All(ps, p => Assert.Equal(0.0, p.grad!.abs().sum().ToDouble()));
        opt.zero_grad();
        Assert.All(ps, p => Assert.Null(p.grad));
        opt.step();   // no gradients: nothing moves, nothing fails
        Assert.All(ps, p => Assert.Equal(0.0, p.abs().sum().ToDouble()));
    }

    [Fact]
    public void Step_with_a_closure_returns_its_loss_and_training_converges()
    {
        using var scope = NewDisposeScope();
        var w = zeros(new long[] { 2 }, requires_grad: true);
        var target = tensor(new float[] { 1, -2 });
        using var opt = optim.Adam(new[] { w }, lr: 0.1);
        double loss = 0;
        for (int i = 0; i < 200; i++)
        {
            opt.zero_grad();
            loss = opt.step(() =>
            {
                var l = (w - target).square().sum();
                l.backward();
                return l;
            }).ToDouble();
        }
        Assert.True(loss < 1e-4, $"loss {loss}");
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_a_reason()
    {
        using var scope = NewDisposeScope();
        var p = zeros(new long[] { 2 }, requires_grad: true);
        Assert.Contains("non-leaf", Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p * 2 }, lr: 0.1)).Message);
        Assert.Contains("more than one", Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p, p }, lr: 0.1)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => optim.Adam(Array.Empty<Tensor>())).Message);
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => optim.Adam(new[] { p }, lr: -1)).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => optim.SGD(new[] { p }, lr: 0.1, nesterov: true)).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentException>(() => optim.AdamW(new[] { p }, beta2: 1.0)).Message);
        Assert.Contains("floating-point", Assert.Throws<ArgumentException>(() => optim.SGD(new[] { zeros(new long[] { 2 }, dtype: int64) }, lr: 0.1)).Message);
        using var opt = optim.SGD(new[] { p }, lr: 0.1);
        Assert.Contains("more than one", Assert.Throws<ArgumentException>(() => opt.add_param_group(new[] { p })).Message);
    }

    [Fact]
    public void Clip_grad_norm_with_no_gradients_is_zero_and_nonfinite_can_be_an_error()
    {
        using var scope = NewDisposeScope();
        var p = zeros(new long[] { 2 }, requires_grad: true);
        Assert.Equal(0.0, nn.utils.clip_grad_norm_(new[] { p }, 1.0).ToDouble());
        p.grad = tensor(new float[] { float.NaN, 1 });
        Assert.Contains("non-finite", Assert.Throws<InvalidOperationException>(() => nn.utils.clip_grad_norm_(new[] { p }, 1.0, error_if_nonfinite: true)).Message);
        p.grad = tensor(new float[] { 3, -4 });
        nn.utils.clip_grad_value_(new[] { p }, 3.5);
        Assert.Equal(new float[] { 3, -3.5f }, p.grad!.data<float>());
    }
}
