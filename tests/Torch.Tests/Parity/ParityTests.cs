using ArchNotebooks.Torch.Tests.Support;
using Xunit.Sdk;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

/// <summary>Every operator case, forward and backward, against PyTorch on the same libtorch (reference/parity.py).</summary>
public class ParityTests
{
    /// <summary>Names from both sides, so a case missing on either side still shows up (and fails).</summary>
    public static IEnumerable<object[]> CaseNames() =>
        ParityCases.All.Keys.Union(ListPythonCases()).Order(StringComparer.Ordinal).Select(n => new object[] { n });

    static IEnumerable<string> ListPythonCases() =>
        Reference.Parity("list").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_pytorch(string name)
    {
        var run = ReferenceRun.Instance;  // outside any dispose scope: its tensors live for the whole run
        if (!ParityCases.All.TryGetValue(name, out var c))
            throw new XunitException($"case '{name}' exists in reference/parity.py but not in the C# table (Parity/ParityCases.*.cs)");
        if (!run.PythonCases.Contains(name))
            throw new XunitException($"case '{name}' exists in the C# table but not in reference/parity.py");
        var expected = run.Results[name];
        if (expected.Error is { } error) throw new XunitException($"PyTorch failed on case '{name}':\n{error}");

        using var scope = NewDisposeScope();
        var inputs = run.Inputs[name].Select(t => t.detach().clone().requires_grad_(t.requires_grad)).ToArray();
        var outputs = c.Forward(inputs);
        Assert.True(outputs.Length == expected.Outputs.Length,
            $"C# returned {outputs.Length} outputs, PyTorch {expected.Outputs.Length}");
        for (int i = 0; i < outputs.Length; i++)
            TensorAssert.Close(expected.Outputs[i]!, outputs[i], $"output {i}");

        var grads = Gradients.OfWeightedSum(outputs, inputs);
        Assert.True(grads.Length == expected.Gradients.Length,
            $"C# has {grads.Length} gradient slots, PyTorch {expected.Gradients.Length}");
        for (int i = 0; i < grads.Length; i++)
        {
            var (e, a) = (expected.Gradients[i], grads[i]);
            if (e is null || a is null)
            {
                Assert.True(e is null && a is null, $"gradient of input {i}: C# {(a is null ? "None" : "a tensor")}, PyTorch {(e is null ? "None" : "a tensor")}");
                continue;
            }
            TensorAssert.Close(e, a, $"gradient of input {i}");
        }
    }
}
