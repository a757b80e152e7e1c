using ArchNotebooks.Torch.Tests.Parity;
using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>Finite differences in float64 against autograd for every differentiable case of the parity table.</summary>
public class GradCheckTests
{
    /// <summary>Cases whose outputs depend differentiably on some input (comparisons, argmax and the like are left out).</summary>
    public static IEnumerable<object[]> DifferentiableCases()
    {
        foreach (var (name, c) in ParityCases.All.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!c.FiniteDifferences) continue;
            using var scope = NewDisposeScope();
            var outs = c.Forward(c.Inputs());
            if (outs.Any(o => o.requires_grad)) yield return new object[] { name };
        }
    }

    [Theory]
    [MemberData(nameof(DifferentiableCases))]
    public void Finite_differences_match_autograd(string name)
    {
        var c = ParityCases.All[name];
        using var scope = NewDisposeScope();
        manual_seed(ReferenceRun.StableSeed(name));
        var inputs = c.Inputs().Select(t => IsFloat(t) ? t.detach().to(ScalarType.Float64).requires_grad_(t.requires_grad) : t).ToArray();
        int compared = GradCheck.Run(c.Forward, inputs);
        Assert.True(compared > 0, "no partial derivative was compared");
    }

    [Fact]
    public void Gradcheck_catches_a_wrong_gradient()
    {
        // A custom "op" whose backward is off by a factor: x * detach(x) has true derivative 2x, autograd sees x.
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 4 }, ScalarType.Float64, requires_grad: true);
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => GradCheck.Run(v => new[] { v[0] * v[0].detach() }, new[] { x }));
        Assert.Contains("central differences", e.Message);
    }

    static bool IsFloat(Tensor t) => t.dtype is ScalarType.Float32 or ScalarType.Float64;
}
