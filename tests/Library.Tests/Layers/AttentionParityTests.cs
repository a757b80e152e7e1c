using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Layers;

/// <summary>
/// Our attention and transformer block against PyTorch's nn.MultiheadAttention and
/// nn.TransformerEncoderLayer (Debian's python3-torch), same weights through safetensors, float64.
/// </summary>
public class AttentionParityTests
{
    const long Dim = 16, Batch = 2, Seq = 5, CtxLen = 7;
    const int Heads = 4;

    static void RunPython(string input, string output) =>
        Python.Run([RepositoryRoot.In("tests", "Library.Tests", "reference", "attention_parity.py"), input, output]);

    sealed record Case(string Name, Module Module, Func<Tensor, Tensor, Tensor> Forward);

    static Case Self(string name, MultiHeadAttention m) => new(name, m, (x, _) => m.call(x));
    static Case Block(string name, TransformerEncoderBlock m) => new(name, m, (x, _) => m.call(x));

    [Fact]
    public void Attention_and_transformer_blocks_match_pytorch_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var spec = new BlockSpec(Dim, Heads, Causal: true);
        var causal = new MultiHeadAttention(Dim, Heads, causal: true);
        var cases = new List<Case>
        {
            Self("self", new MultiHeadAttention(Dim, Heads)),
            Self("causal", causal),
            Block("prenorm", new TransformerEncoderBlock(spec)),
            Block("postnorm", new TransformerEncoderBlock(spec with { PreNorm = false })),
        };
        var cross = new MultiHeadAttention(Dim, Heads);
        cases.Insert(2, new("cross", cross, (x, ctx) => cross.call(x, ctx)));
        try
        {
            foreach (var c in cases)
            {
                c.Module.to(float64);
                // Non-zero biases so their gradients and effects are tested too.
                using (no_grad()) foreach (var p in c.Module.parameters()) p.add_(randn_like(p) * 0.1);
            }
            var x = randn(new[] { Batch, Seq, Dim }, float64);
            var ctx = randn(new[] { Batch, CtxLen, Dim }, float64);
            var g = randn(new[] { Batch, Seq, Dim }, float64);
            var inputs = new Dictionary<string, Tensor> { ["x"] = x, ["ctx"] = ctx, ["g"] = g };
            foreach (var c in cases)
                foreach (var (name, p) in c.Module.named_parameters()) inputs[$"{c.Name}.{name}"] = p.detach();

            var dir = Directory.CreateTempSubdirectory("attn-parity").FullName;
            try
            {
                string input = Path.Combine(dir, "in.safetensors"), output = Path.Combine(dir, "out.safetensors");
                Safetensors.Save(inputs, input, new Dictionary<string, string> { ["dim"] = Dim.ToString(), ["heads"] = Heads.ToString() });
                RunPython(input, output);
                var expected = Safetensors.Load(output);
                foreach (var c in cases)
                {
                    var xi = x.detach().requires_grad_();
                    var y = c.Forward(xi, ctx);
                    AssertClose(expected[$"{c.Name}.out"], y, $"{c.Name} output");
                    (y * g).sum().backward();
                    AssertClose(expected[$"{c.Name}.grad_x"], xi.grad!, $"{c.Name} input gradient");
                    foreach (var (name, p) in c.Module.named_parameters())
                        AssertClose(expected[$"{c.Name}.grad.{name}"], p.grad!, $"{c.Name} gradient of {name}");
                }
                var (_, weights) = causal.AttendWithWeights(x);
                AssertClose(expected["causal.weights"], weights, "causal attention weights");
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
