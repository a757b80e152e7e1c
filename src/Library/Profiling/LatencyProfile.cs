using System.Diagnostics;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Profiling;

/// <summary>One module's cost: median latency of the module alone on the input it saw (children included), its output and parameter memory.</summary>
public sealed record ProfileRow(string Path, string Name, int Depth, string Type, double? Milliseconds, long OutputBytes, long ParameterBytes, bool Leaf);

/// <summary>
/// Per-layer latency and memory on the model's device: one forward records every module's input,
/// then each module is timed alone on its recorded input (median of several calls, CUDA synchronised).
/// </summary>
/// <param name="Interrupted">Cancellation stopped the timing; rows not reached have no milliseconds.</param>
public sealed record LatencyProfile(string Model, string ModelType, string Device, string InputShape, int Repeats, IReadOnlyList<ProfileRow> Rows, bool Interrupted)
{
    /// <summary>The whole model's median latency (its root row), in milliseconds; NaN when it was not timed.</summary>
    public double TotalMilliseconds => Rows[0].Milliseconds ?? double.NaN;

    /// <summary>Profiles <paramref name="model"/> in eval mode without gradients; its mode is restored. Cancelling stops between layers.</summary>
    public static LatencyProfile Of(string name, Module<Tensor, Tensor> model, Tensor input, int repeats, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var modules = model.named_modules().ToList();
        var inputs = new Dictionary<Module, Tensor>();
        var outputs = new Dictionary<Module, long>();
        var hooks = modules.Select(m => m.module.register_forward_hook((module, x, y) =>
        {
            if (x is Tensor t && !inputs.ContainsKey(module)) inputs[module] = t.detach().clone().DetachFromDisposeScope();
            if (y is Tensor o) outputs[module] = outputs.GetValueOrDefault(module) + o.numel() * o.element_size();
        })).ToList();
        bool wasTraining = model.training, interrupted = false;
        var device = model.device;
        var timings = new Dictionary<Module, double>();
        try
        {
            model.eval();
            using var grad = no_grad();
            using (NewDisposeScope()) model.call(input);
            foreach (var h in hooks) h.Dispose();
            foreach (var (_, module) in modules)
            {
                if (cancellation.IsCancellationRequested) { interrupted = true; break; }
                if (module is not Module<Tensor, Tensor> layer || !inputs.TryGetValue(module, out var x)) continue;
                timings[module] = Median(layer, x, repeats, device);
            }
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            foreach (var t in inputs.Values) t.Dispose();
            model.train(wasTraining);
        }
        var rows = modules.Select(m =>
        {
            var (rowName, depth) = ModelSummary.Place(m.name, name);
            return new ProfileRow(m.name, rowName, depth, m.module.GetType().Name, timings.TryGetValue(m.module, out var ms) ? ms : null,
                outputs.GetValueOrDefault(m.module), m.module.parameters().Sum(p => p.numel() * p.element_size()), !m.module.named_children().Any());
        }).ToList();
        return new LatencyProfile(name, model.GetType().Name, device.ToString(), ModelSummary.Shape(input), repeats, rows, interrupted);
    }

    static double Median(Module<Tensor, Tensor> layer, Tensor x, int repeats, Device device)
    {
        void Sync() { if (device.type == DeviceType.CUDA) cuda.synchronize(Math.Max(0, device.index)); }
        using (NewDisposeScope()) layer.call(x);   // warm-up: first-call allocations and kernel selection
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            Sync();
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) layer.call(x);
            Sync();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return repeats % 2 == 1 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
    }
}
