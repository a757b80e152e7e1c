using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArchNotebooks.Extensions.Figures;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Interactive;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary>One module's cost: median latency of the module alone on the input it saw (children included), its output and parameter memory.</summary>
public sealed record ProfileRow(string Path, string Name, int Depth, string Type, double? Milliseconds, long OutputBytes, long ParameterBytes, bool Leaf);

/// <summary>
/// Per-layer latency and memory on the model's device: one forward records every module's input,
/// then each module is timed alone on its recorded input (median of several calls, CUDA synchronised).
/// </summary>
public sealed record LayerProfile(string Title, string Device, string InputShape, int Repeats, IReadOnlyList<ProfileRow> Rows, bool Interrupted) : IMimeRenderable
{
    public static LayerProfile Of(string name, Module<Tensor, Tensor> model, Tensor input, int repeats, CancellationToken cancellation)
    {
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
        var rows = modules.Select(m => new ProfileRow(m.name, m.name.Length == 0 ? name : m.name.Split('.')[^1], m.name.Length == 0 ? 0 : m.name.Count(c => c == '.') + 1,
            m.module.GetType().Name, timings.TryGetValue(m.module, out var ms) ? ms : null, outputs.GetValueOrDefault(m.module),
            m.module.parameters().Sum(p => p.numel() * p.element_size()), !m.module.named_children().Any())).ToList();
        return new LayerProfile($"Profile of {name} ({model.GetType().Name})", device.ToString(), SampleInputsShape(input), repeats, rows, interrupted);
    }

    static string SampleInputsShape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

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

    double Total => Rows[0].Milliseconds ?? double.NaN;

    static string Ms(double? ms) => ms is { } v ? v.ToString(v < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture) : "—";

    string Share(ProfileRow r) => r.Milliseconds is { } v && Total > 0 ? (v / Total).ToString("0.0%", CultureInfo.InvariantCulture) : "—";

    public Figure Chart()
    {
        var leaves = Rows.Where(r => r.Leaf && r.Milliseconds is not null).ToList();
        return new Figure([new Bar(leaves.Select(r => r.Milliseconds!.Value).ToList())
        {
            Categories = leaves.Select(r => r.Path).ToList(),
            Text = leaves.Select(r => $"{r.Path} ({r.Type}): {Ms(r.Milliseconds)} ms").ToList(), HoverTemplate = "%{text}<extra></extra>",
        }], new Layout
        {
            Title = $"Latency of each leaf layer on {Device} (ms, median of {Repeats})", Height = 360, ShowLegend = false, Margin = (60, 20, 50, 120),
            XAxes = [new Axis { TickAngle = -45, ShowGrid = false }], YAxes = [new Axis { Title = "ms" }],
        });
    }

    string Caption => $"each layer timed alone on the input it saw in one forward on {InputShape}, median of {Repeats} calls on {Device}; " +
        "latency and share include sublayers; memory is the layer's output and its parameters" + (Interrupted ? "; INTERRUPTED: layers without a time were not reached" : "");

    public void Render(MimeBundle bundle)
    {
        bundle[MimeBundle.PlainText] = ToString();
        var rows = Rows.Select(r => (IEnumerable<string>)
        [
            $"<td style=\"padding-left:{10 + 14 * r.Depth}px\"><code>{HtmlText.Escape(r.Name)}</code></td>",
            $"<td style=\"text-align:left\" class=\"archnb-type\">{HtmlText.Escape(r.Type)}</td>",
            Ms(r.Milliseconds), Share(r), LayerSummary.Bytes(r.OutputBytes), LayerSummary.Bytes(r.ParameterBytes),
        ]);
        var html = new StringBuilder($"<h4>{HtmlText.Escape(Title)}</h4>");
        html.Append(HtmlText.Table(["layer", "type", "latency (ms)", "share", "output memory", "parameter memory"], rows, Caption));
        html.Append(Chart().ToHtml());
        bundle[MimeBundle.Html] = HtmlText.Block(html.ToString());
    }

    public override string ToString() => Title + "\n" + TextTable.Render(["layer", "type", "latency (ms)", "share", "output memory", "parameter memory"],
        Rows.Select(r => (IReadOnlyList<string>)[new string(' ', 2 * r.Depth) + r.Name, r.Type, Ms(r.Milliseconds), Share(r), LayerSummary.Bytes(r.OutputBytes), LayerSummary.Bytes(r.ParameterBytes)]).ToList())
        + "\n" + Caption;
}
