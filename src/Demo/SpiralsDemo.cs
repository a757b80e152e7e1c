using System.Diagnostics;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Demo;

/// <summary>
/// The binding alone: a two-layer MLP learns to classify points of two interleaved spirals, a task
/// where a linear model is stuck near 50% and an MLP reaches ~100%.
/// </summary>
internal static class SpiralsDemo
{
    internal static int Run(string[] args)
    {
        int steps = IntOption(args, "--steps", 400);
        long seed = IntOption(args, "--seed", 0);
        manual_seed(seed);
        Console.WriteLine($"ArchNotebooks demo: libtorch {__version__}, {get_num_threads()} thread(s), CUDA {(cuda.is_available() ? "available" : "not available")}");

        using var data = NewDisposeScope();
        var (x, y) = Spirals(512, seed);
        var (xTest, yTest) = Spirals(256, seed + 1);
        var w1 = (randn(2, 64) * Math.Sqrt(2.0 / 2)).requires_grad_();
        var b1 = zeros(new long[] { 64 }, requires_grad: true);
        var w2 = (randn(64, 64) * Math.Sqrt(2.0 / 64)).requires_grad_();
        var b2 = zeros(new long[] { 64 }, requires_grad: true);
        var w3 = (randn(64, 2) * Math.Sqrt(1.0 / 64)).requires_grad_();
        var b3 = zeros(new long[] { 2 }, requires_grad: true);
        var parameters = new[] { w1, b1, w2, b2, w3, b3 };
        Tensor Forward(Tensor input) => F.linear(F.linear(F.linear(input, w1.T, b1).tanh(), w2.T, b2).tanh(), w3.T, b3);

        Console.WriteLine($"task: two spirals, {x.size(0)} training points, {xTest.size(0)} test points; model: MLP 2-64-64-2 ({parameters.Sum(p => p.numel())} parameters)");
        Console.WriteLine($"loss at init should be near ln(2) = {Math.Log(2):F3}");
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        double lr = 0.1, beta = 0.9;
        var momentum = parameters.Select(p => zeros_like(p)).ToArray();
        for (int step = 1; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            var loss = F.cross_entropy(Forward(x), y);
            loss.backward();
            using (no_grad())
                for (int i = 0; i < parameters.Length; i++)
                {
                    // SGD with momentum, written out: the optimizers live in torch.optim.
                    using var g = parameters[i].grad!;
                    momentum[i].mul_(beta).add_(g);
                    parameters[i].sub_(momentum[i], alpha: lr);
                    parameters[i].grad = null;
                }
            losses.Add(loss.ToDouble());
            if (step == 1 || step % Math.Max(1, steps / 10) == 0 || step == steps)
                Console.WriteLine($"step {step,5}  loss {losses[^1]:F4}  {Bar(losses[^1], losses[0])}");
        }
        double accuracy;
        using (no_grad())
        using (var eval = NewDisposeScope())
            accuracy = Forward(xTest).argmax(1).eq(yTest).@float().mean().ToDouble();
        Console.WriteLine($"loss curve: {Sparkline(losses)}");
        Console.WriteLine($"trained {steps} steps in {clock.Elapsed.TotalSeconds:F1} s; loss {losses[0]:F3} -> {losses[^1]:F3}; test accuracy {accuracy:P1} (chance 50%)");
        return losses[^1] < losses[0] ? 0 : 1;
    }

    // Two interleaved spirals with a little noise; label = which spiral.
    static (Tensor x, Tensor y) Spirals(long n, long seed)
    {
        manual_seed(seed);
        var t = rand(n) * 3 * Math.PI + 0.5;
        var label = randint(0, 2, new[] { n });
        var sign = label.@float() * 2 - 1;
        var x = stack(new[] { t * t.cos() * sign, t * t.sin() * sign }, 1) / 10 + randn(n, 2) * 0.05;
        return (x, label);
    }

    static string Bar(double value, double max)
    {
        int width = (int)Math.Round(40 * Math.Clamp(value / max, 0, 1));
        return new string('#', width);
    }

    static string Sparkline(List<double> values)
    {
        const string ticks = "▁▂▃▄▅▆▇█";
        int buckets = Math.Min(60, values.Count);
        double max = values.Max(), min = values.Min();
        var chars = new char[buckets];
        for (int b = 0; b < buckets; b++)
        {
            var v = values[b * values.Count / buckets];
            chars[b] = ticks[(int)Math.Round((ticks.Length - 1) * (v - min) / Math.Max(max - min, 1e-12))];
        }
        return new string(chars);
    }

    static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out var v) || v <= 0)
            throw new ArgumentException($"{name} needs a positive integer");
        return v;
    }
}
