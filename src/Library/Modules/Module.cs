using System.Text;
using ArchNotebooks.Torch;
using ArchNotebooks.Torch.Serialization;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Modules;

/// <summary>
/// Base of every model component, shaped like PyTorch's nn.Module: parameters, buffers and
/// submodules registered by name, train/eval, device and dtype moves, state dicts as
/// safetensors, forward hooks and captures of intermediates. A module owns its parameters
/// and buffers (they live outside any dispose scope) and frees them when disposed.
/// </summary>
public abstract partial class Module : IDisposable
{
    readonly List<(string name, Tensor tensor)> ownParameters = new();
    readonly List<(string name, Tensor tensor, bool persistent)> ownBuffers = new();
    readonly List<(string name, Module module)> children = new();
    readonly List<Func<Module, object?, object?, object?>> forwardHooks = new();
    internal readonly List<Capture> captures = new();
    Module? parent;
    string localName = "";
    bool disposed;

    /// <summary>True in training mode (dropout active, batch norm updating its statistics).</summary>
    public bool training { get; private set; } = true;

    /// <summary>Dotted path from the root module, e.g. "blocks.1.attn" ("" for the root).</summary>
    public string Path => parent is null ? "" : parent.Path.Length == 0 ? localName : parent.Path + "." + localName;

    // ---- registration ----

    /// <summary>Registers a submodule under <paramref name="name"/>; returns it for field initialisers.</summary>
    protected T register_module<T>(string name, T module) where T : Module
    {
        CheckName(name);
        if (module.parent is not null && module.parent != this)
            throw new ArgumentException($"module '{name}' already belongs to '{module.parent.GetType().Name}' at '{module.Path}'");
        module.parent = this;
        module.localName = name;
        children.Add((name, module));
        return module;
    }

    /// <summary>Registers a trainable tensor; the module takes ownership (it leaves any dispose scope).</summary>
    protected Tensor register_parameter(string name, Tensor tensor, bool requires_grad = true)
    {
        CheckName(name);
        tensor.DetachFromDisposeScope();
        if (!tensor.is_leaf) throw new ArgumentException($"parameter '{name}' must be a leaf tensor (create it under no_grad or call detach())");
        tensor.requires_grad = requires_grad;
        ownParameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers state that is not trained (running statistics, masks); persistent buffers go into the state dict.</summary>
    protected Tensor register_buffer(string name, Tensor tensor, bool persistent = true)
    {
        CheckName(name);
        tensor.DetachFromDisposeScope();
        ownBuffers.Add((name, tensor, persistent));
        return tensor;
    }

    void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid name: it must be non-empty and contain no '.'");
        if (ownParameters.Any(p => p.name == name) || ownBuffers.Any(b => b.name == name) || children.Any(c => c.name == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'");
    }

    // ---- traversal ----

    /// <summary>Direct submodules with their names.</summary>
    public IEnumerable<(string name, Module module)> named_children() => children;

    /// <summary>This module and all below it, with dotted names relative to this one ("" for this one).</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var item in child.named_modules(prefix.Length == 0 ? name : prefix + "." + name))
                yield return item;
    }

    public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

    /// <summary>Parameters with dotted names, e.g. "blocks.0.attn.qkv.weight".</summary>
    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) }.AsEnumerable())
            foreach (var (name, p) in m.ownParameters)
                yield return (prefix.Length == 0 ? name : prefix + "." + name, p);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? named_modules() : new[] { ("", this) }.AsEnumerable())
            foreach (var (name, b, _) in m.ownBuffers)
                yield return (prefix.Length == 0 ? name : prefix + "." + name, b);
    }

    /// <summary>Number of parameter elements (trainable ones only when asked).</summary>
    public long num_parameters(bool trainable_only = false) =>
        parameters().Where(p => !trainable_only || p.requires_grad).Sum(p => p.numel());

    // ---- modes, devices, dtypes ----

    public Module train(bool on = true)
    {
        foreach (var m in modules()) m.training = on;
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer in place, so optimizers holding them keep working.</summary>
    public Module to(Device device) => Move(t => t.to(device));

    /// <summary>Casts floating-point parameters and buffers in place (integer buffers keep their type).</summary>
    public Module to(ScalarType dtype) => Move(t => IsFloatingPoint(t) ? t.to(dtype) : t.alias());

    public Module to(Device device, ScalarType dtype) => Move(t => IsFloatingPoint(t) ? t.to(device, dtype) : t.to(device));

    static bool IsFloatingPoint(Tensor t) => t.dtype is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    static readonly ArchNotebooks.Torch.Interop.Op setData = new("set_data");

    Module Move(Func<Tensor, Tensor> convert)
    {
        using var _ = no_grad();
        foreach (var t in parameters().Concat(named_buffers().Select(b => b.buffer)))
        {
            using var moved = convert(t);
            setData.CallVoid(t, moved);
        }
        return this;
    }

    public Device device => parameters().FirstOrDefault()?.device ?? CPU;

    // ---- state ----

    /// <summary>Parameters and persistent buffers by dotted name (new handles: dispose them or use a scope).</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var dict = new Dictionary<string, Tensor>();
        foreach (var (prefix, m) in named_modules())
        {
            foreach (var (name, p) in m.ownParameters) dict[Join(prefix, name)] = p.detach();
            foreach (var (name, b, persistent) in m.ownBuffers) if (persistent) dict[Join(prefix, name)] = b.detach();
        }
        return dict;
    }

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Copies values into this module's tensors. Shapes must match; with strict, names must match exactly.</summary>
    public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = new Dictionary<string, Tensor>();
        foreach (var (prefix, m) in named_modules())
        {
            foreach (var (name, p) in m.ownParameters) own[Join(prefix, name)] = p;
            foreach (var (name, b, persistent) in m.ownBuffers) if (persistent) own[Join(prefix, name)] = b;
        }
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new ArgumentException($"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source) && !source.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"'{name}' has shape [{string.Join(", ", source.shape)}] in the state dict but [{string.Join(", ", target.shape)}] in the model");
        using (no_grad())
            foreach (var (name, target) in own)
                if (state.TryGetValue(name, out var source)) target.copy_(source);
        return (missing, unexpected);
    }

    /// <summary>Saves the state dict as a safetensors file.</summary>
    public void save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var state = state_dict();
        try { Safetensors.Save(state, path, metadata); }
        finally { foreach (var t in state.Values) t.Dispose(); }
    }

    /// <summary>Loads a safetensors state dict written by save (or by Python's safetensors).</summary>
    public Module load(string path, bool strict = true)
    {
        var state = Safetensors.Load(path, device);
        try { load_state_dict(state, strict); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        return this;
    }

    // ---- hooks ----

    /// <summary>Calls hook(module, input, output) after every forward of this module; dispose the result to remove it.</summary>
    public IDisposable register_forward_hook(Action<Module, object?, object?> hook) =>
        AddHook((m, input, output) => { hook(m, input, output); return null; });

    /// <summary>
    /// A hook that may replace the output, as in PyTorch: a non-null return becomes the module's output
    /// (what later hooks, captures and the caller see); null keeps it. Hooks run in registration order,
    /// each seeing the output the previous one left. For modules whose output is a tensor; the
    /// replacement is owned by the caller's dispose scope like any forward result.
    /// </summary>
    public IDisposable register_forward_hook(Func<Module, object?, Tensor, Tensor?> hook) =>
        AddHook((m, input, output) => output is Tensor t ? hook(m, input, t)
            : throw new InvalidOperationException($"a replacing forward hook on '{m.Path}' ({m.GetType().Name}) needs a tensor output, but it returned {output?.GetType().Name ?? "null"}"));

    IDisposable AddHook(Func<Module, object?, object?, object?> hook)
    {
        forwardHooks.Add(hook);
        return new Removal(() => forwardHooks.Remove(hook));
    }

    /// <summary>Runs forward hooks (which may replace the output) and captures; called by Module&lt;...&gt;.call after forward. Returns the output to hand back.</summary>
    protected object? AfterForward(object? input, object? output)
    {
        foreach (var hook in forwardHooks.ToArray())
        {
            var replaced = hook(this, input, output);
            if (replaced is null) continue;
            if (output is not null && !output.GetType().IsInstanceOfType(replaced))
                throw new InvalidOperationException($"a forward hook on '{Path}' ({GetType().Name}) replaced its {output.GetType().Name} output with a {replaced.GetType().Name}");
            output = replaced;
        }
        if (output is Tensor t && Captured()) Offer(Path, t);
        return output;
    }

    /// <summary>
    /// Names an intermediate value (attention weights, gate probabilities...) so captures can
    /// record it as "path.name" without the model code changing. Returns the value unchanged.
    /// </summary>
    protected Tensor Intermediate(string name, Tensor value)
    {
        if (Captured()) Offer(Path.Length == 0 ? name : Path + "." + name, value);
        return value;
    }

    /// <summary>Whether an open capture would record the intermediate <paramref name="name"/>: lets a layer skip building a value only captures use.</summary>
    protected bool Captures(string name)
    {
        if (!Captured()) return false;
        var key = Path.Length == 0 ? name : Path + "." + name;
        for (var m = this; m is not null; m = m.parent)
            if (m.captures.Any(c => c.Wants(key))) return true;
        return false;
    }

    // Whether a capture is open on this module or one above it: a walk of a few parents, so a model nobody
    // captures from never builds its paths, and captures on one model cost nothing to any other.
    bool Captured()
    {
        for (var m = this; m is not null; m = m.parent)
            if (m.captures.Count > 0) return true;
        return false;
    }

    void Offer(string key, Tensor value)
    {
        for (var m = this; m is not null; m = m.parent)
            foreach (var c in m.captures) c.Offer(key, value);
    }

    /// <summary>Records intermediates and submodule outputs whose dotted path matches a pattern ('*' wildcards), while the capture is open.</summary>
    public Capture capture(params string[] patterns) => new(this, patterns.Length == 0 ? new[] { "*" } : patterns);

    sealed class Removal(Action remove) : IDisposable
    {
        bool done;
        public void Dispose() { if (!done) { done = true; remove(); } }
    }

    // ---- display and disposal ----

    /// <summary>A PyTorch-style tree: each module with its type, parameter shapes and counts.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Describe(sb, "", 0);
        return sb.ToString().TrimEnd();
    }

    /// <summary>One-line description of this module's own settings, shown in the tree (e.g. "in=64, out=128").</summary>
    protected virtual string ExtraRepr() => "";

    void Describe(StringBuilder sb, string name, int depth)
    {
        var pad = new string(' ', depth * 2);
        var extra = ExtraRepr();
        sb.Append(pad).Append(name.Length > 0 ? name + ": " : "").Append(GetType().Name)
          .Append(extra.Length > 0 ? $"({extra})" : "").Append($"  [{num_parameters():N0} params]").Append('\n');
        foreach (var (pname, p) in ownParameters)
            sb.Append(pad).Append("  ").Append(pname).Append(": [").Append(string.Join(", ", p.shape)).Append("]\n");
        foreach (var (cname, child) in children) child.Describe(sb, cname, depth + 1);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var (_, child) in children) child.Dispose();
        foreach (var (_, p) in ownParameters) p.Dispose();
        foreach (var (_, b, _) in ownBuffers) b.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with one input.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut forward(TIn input);

    /// <summary>forward plus hooks and captures: what callers should use.</summary>
    public TOut call(TIn input)
    {
        return (TOut)AfterForward(input, forward(input))!;
    }
}

/// <summary>A module with two inputs (e.g. cross-attention: queries and context).</summary>
public abstract class Module<TIn1, TIn2, TOut> : Module
{
    public abstract TOut forward(TIn1 input1, TIn2 input2);

    public TOut call(TIn1 input1, TIn2 input2)
    {
        return (TOut)AfterForward((input1, input2), forward(input1, input2))!;
    }
}
