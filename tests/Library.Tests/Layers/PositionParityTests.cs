using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Layers;

/// <summary>
/// RMSNorm (alone and inside a pre-norm block), rotary positions and ALiBi biases inside attention
/// against references written out in PyTorch from the papers (reference/position_parity.py, Debian's
/// python3-torch), same weights through safetensors, float64: outputs and every gradient.
/// </summary>
public class PositionParityTests
{
    const long Dim = 16, Batch = 2, Seq = 7, Dim6 = 12;
    const int Heads = 4;
    const double Eps = 1e-6;

    static void RunPython(string input, string output) =>
        Python.Run([RepositoryRoot.In("tests", "Library.Tests", "reference", "position_parity.py"), input, output]);

    sealed record Case(string Name, Module<Tensor, Tensor> Module, bool SixHeads = false);

    [Fact]
    public void RMSNorm_rotary_and_ALiBi_match_pytorch_references_in_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var cases = new List<Case>
        {
            new("rms", new RMSNorm(Dim, Eps)),
            new("rmsblock", new TransformerEncoderBlock(new BlockSpec(Dim, Heads, Norm: NormKind.RMSNorm, Causal: true))),
            // Tables and masks built per call (no max_len) and cached then sliced (max_len longer than Seq).
            new("rotary", new MultiHeadAttention(Dim, Heads, position: PositionKind.Rotary)),
            new("rotary_causal", new MultiHeadAttention(Dim, Heads, causal: true, position: PositionKind.Rotary, max_len: 12)),
            new("alibi_causal", new MultiHeadAttention(Dim, Heads, causal: true, position: PositionKind.ALiBi)),
            new("alibi", new MultiHeadAttention(Dim, Heads, position: PositionKind.ALiBi, max_len: 12)),
            // Six heads is not a power of two: the paper's interleaved slopes.
            new("alibi6", new MultiHeadAttention(Dim6, 6, causal: true, position: PositionKind.ALiBi), SixHeads: true),
        };
        try
        {
            foreach (var c in cases)
            {
                c.Module.to(float64);
                using (no_grad()) foreach (var p in c.Module.parameters()) p.add_(randn_like(p) * 0.1);
            }
            var x = randn(new[] { Batch, Seq, Dim }, float64);
            var g = randn(new[] { Batch, Seq, Dim }, float64);
            var x6 = randn(new[] { Batch, Seq, Dim6 }, float64);
            var g6 = randn(new[] { Batch, Seq, Dim6 }, float64);
            var inputs = new Dictionary<string, Tensor> { ["x"] = x, ["g"] = g, ["x6"] = x6, ["g6"] = g6 };
            foreach (var c in cases)
                foreach (var (name, p) in c.Module.named_parameters()) inputs[$"{c.Name}.{name}"] = p.detach();

            var dir = Directory.CreateTempSubdirectory("position-parity").FullName;
            try
            {
                string input = Path.Combine(dir, "in.safetensors"), output = Path.Combine(dir, "out.safetensors");
                Safetensors.Save(inputs, input, new Dictionary<string, string>
                {
                    ["dim"] = Dim.ToString(), ["heads"] = Heads.ToString(), ["eps"] = Eps.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                });
                RunPython(input, output);
                var expected = Safetensors.Load(output);
                foreach (var c in cases)
                {
                    var xi = (c.SixHeads ? x6 : x).detach().requires_grad_();
                    var y = c.Module.call(xi);
                    AssertClose(expected[$"{c.Name}.out"], y, $"{c.Name} output");
                    (y * (c.SixHeads ? g6 : g)).sum().backward();
                    AssertClose(expected[$"{c.Name}.grad_x"], xi.grad!, $"{c.Name} input gradient");
                    foreach (var (name, p) in c.Module.named_parameters())
                        AssertClose(expected[$"{c.Name}.grad.{name}"], p.grad!, $"{c.Name} gradient of {name}");
                }
            }
            finally { Directory.Delete(dir, recursive: true); }
        }
        finally { foreach (var c in cases) c.Module.Dispose(); }
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().ToDouble();
        Assert.True(diff < 1e-10, $"{what} differs from PyTorch by {diff:E2}");
    }
}
