using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests.Parity;

/// <summary>
/// One operator case: how to make its inputs (floating inputs with requires_grad are differentiated) and the
/// C# forward. reference/parity.py holds a case of the same name computing the same thing in PyTorch.
/// </summary>
internal sealed record ParityCase(string Name, Func<Tensor[]> Inputs, Func<Tensor[], Tensor[]> Forward, bool FiniteDifferences);

/// <summary>The C# half of the parity table; the partial files add cases by family.</summary>
internal static partial class ParityCases
{
    static readonly Lazy<IReadOnlyDictionary<string, ParityCase>> table = new(Build);

    internal static IReadOnlyDictionary<string, ParityCase> All => table.Value;

    static List<ParityCase>? building;

    static IReadOnlyDictionary<string, ParityCase> Build()
    {
        building = new List<ParityCase>();
        AddElementwise();
        AddReductions();
        AddShapes();
        AddIndexing();
        AddMatrix();
        AddNetworkLayers();
        AddLossesAndRecurrent();
        AddSpectral();
        var dict = new Dictionary<string, ParityCase>();
        foreach (var c in building)
            if (!dict.TryAdd(c.Name, c)) throw new InvalidOperationException($"parity case '{c.Name}' is defined twice");
        building = null;
        return dict;
    }

    static void Add(string name, Func<Tensor[]> inputs, Func<Tensor[], Tensor> forward, bool fd = true) =>
        building!.Add(new ParityCase(name, inputs, x => new[] { forward(x) }, fd));

    static void AddMany(string name, Func<Tensor[]> inputs, Func<Tensor[], Tensor[]> forward, bool fd = true) =>
        building!.Add(new ParityCase(name, inputs, forward, fd));

    static Tensor[] In(params Tensor[] t) => t;
    static Tensor[] None() => Array.Empty<Tensor>();

    /// <summary>Standard normal, differentiated.</summary>
    static Tensor R(params long[] shape) => randn(shape).requires_grad_();
    /// <summary>Uniform on [0.5, 2), differentiated (for log, sqrt, division...).</summary>
    static Tensor P(params long[] shape) { using var u = rand(shape); return (u * 1.5 + 0.5).requires_grad_(); }
    /// <summary>Standard normal constant (no gradient).</summary>
    static Tensor C(params long[] shape) => randn(shape);
    /// <summary>int64 indices uniform on [0, high).</summary>
    static Tensor I(long high, params long[] shape) => randint(high, shape);
    /// <summary>Boolean mask, about half true.</summary>
    static Tensor M(params long[] shape) { using var u = rand(shape); return u.lt(0.5); }
    /// <summary>Distinct indices along the last dimension: the first k of a random permutation per row.</summary>
    static Tensor Perm(long k, params long[] shape)
    {
        using var u = rand(shape);
        using var order = u.argsort(-1);
        return order.narrow(-1, 0, k).contiguous();
    }
}
