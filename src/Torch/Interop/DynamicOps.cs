using System.Text;

namespace ArchNotebooks.Torch.Interop;

/// <summary>
/// torch.ops.aten["name"](args...): any ATen operator by name. Overloads are tried in registration
/// order (the unnamed one first) and the first whose schema accepts the arguments is called.
/// </summary>
public sealed class OpNamespace
{
    readonly string ns;
    internal OpNamespace(string ns) => this.ns = ns;

    /// <summary>A callable operator: torch.ops.aten["add"](a, b, Arg.Kw("alpha", 2)).</summary>
    public OpFunc this[string name] => Get(name).Invoke;

    // Resolving a name scans every registered operator (~0.7 ms), so each name is resolved once per process.
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, DynamicOp> ops = new();

    /// <summary>The operator object, with its overloads and schemas.</summary>
    public DynamicOp Get(string name) => ops.GetOrAdd(name, n => new DynamicOp(ns + "::" + n));
}

/// <summary>A dynamically called operator.</summary>
public delegate object? OpFunc(params Arg[] args);

/// <summary>An operator name whose overload is chosen from the arguments at call time.</summary>
public sealed unsafe class DynamicOp
{
    readonly string name;
    Op[]? overloads;

    internal DynamicOp(string name) => this.name = name;

    /// <summary>The registered overload names, e.g. "Tensor", "Scalar", "out".</summary>
    public string[] Overloads => Resolve().Select(o => o.Name.Length > name.Length ? o.Name[(name.Length + 1)..] : "").ToArray();

    /// <summary>Schemas of all overloads, one per line (for help and error messages).</summary>
    public string Schemas => string.Join("\n", Resolve().Select(o => o.Schema));

    Op[] Resolve()
    {
        if (overloads != null) return overloads;
        IntPtr p;
        fixed (byte* n = Op.Utf8Z(name)) p = NativeMethods.arch_op_overloads(n);
        var names = NativeMethods.TakeStringOrThrow(p).Split('\n');
        // The plain overload first, "out" variants last: they need an explicit out= tensor.
        var ordered = names.OrderBy(o => o.Length == 0 ? 0 : o.StartsWith("out", StringComparison.Ordinal) ? 2 : 1);
        return overloads = ordered.Select(o => OpCache.Get(name, o)).ToArray();
    }

    /// <summary>Calls the first overload that fits; returns a Tensor, a number, a Tensor[], an object?[] for tuples, or null.</summary>
    public object? Invoke(params Arg[] args)
    {
        var errors = new StringBuilder();
        var rets = stackalloc ArchRet[8];
        foreach (var op in Resolve())
        {
            int status = op.TryInvoke(args, rets, out int n, out var error);
            if (status == 0)
            {
                var values = Returns.Convert(rets, n);
                return values.Length == 0 ? null : values.Length == 1 ? values[0] : values;
            }
            if (status == 1) throw new TorchException(error ?? "unknown error");
            errors.Append("\n  ").Append(op.Name).Append(": ").Append(error);
        }
        throw new ArgumentException($"no overload of {name} accepts these arguments:{errors}");
    }
}

