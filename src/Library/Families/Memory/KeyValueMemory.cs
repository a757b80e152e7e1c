using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>
/// A key-value memory network (Miller et al. 2016) over a token sequence. Every SlotStride-th
/// position i becomes a memory slot with key K(x_i) and value V(x_(i+1)) — "what followed this
/// token". Each position queries the slots that lie wholly before it, Hops times, updating its
/// query q ← R(q + Σ softmax(q·k) v). (N, T) tokens → (N, T, Classes) logits.
/// </summary>
public sealed record KeyValueMemoryConfig(
    long Vocab = 16,
    long Classes = 16,
    long Dim = 64,
    [property: Ablation("number of memory reads", 1, 2, 3)] int Hops = 2,
    long SlotStride = 2,
    [property: Ablation("remove the memory (the output sees only the current token)")] bool Memory = true) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new KeyValueMemoryNetwork(this);
    public IModelConfig For(ISyntheticTask task) => this with { Vocab = TaskShape.Of(task).Tokens("the memory network"), Classes = task.NumClasses };
}

public sealed class KeyValueMemoryNetwork : Module<Tensor, Tensor>
{
    public readonly KeyValueMemoryConfig Config;
    public readonly Embedding query_embed, key_embed, value_embed;
    public readonly Sequential hops;
    public readonly Linear head;

    public KeyValueMemoryNetwork(KeyValueMemoryConfig c)
    {
        Config = c;
        query_embed = register_module("query_embed", new Embedding(c.Vocab, c.Dim));
        key_embed = register_module("key_embed", new Embedding(c.Vocab, c.Dim));
        value_embed = register_module("value_embed", new Embedding(c.Vocab, c.Dim));
        hops = register_module("hops", new Sequential());
        for (int h = 0; h < c.Hops; h++) hops.Append(new Linear(c.Dim, c.Dim));
        head = register_module("head", new Linear(c.Dim, c.Classes));
    }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long t = tokens.size(1);
        var q = query_embed.call(tokens);                                     // (N, T, D)
        long slots = (t - 1 + Config.SlotStride - 1) / Config.SlotStride;
        if (Config.Memory && slots > 0)
        {
            // (Built with arange: adding a C# number to an int64 tensor would promote it to float.)
            var keyPositions = arange(0, slots * Config.SlotStride, Config.SlotStride, ScalarType.Int64);
            var valuePositions = arange(1, slots * Config.SlotStride + 1, Config.SlotStride, ScalarType.Int64);
            var keys = key_embed.call(tokens.index_select(1, keyPositions));           // (N, M, D)
            var values = value_embed.call(tokens.index_select(1, valuePositions));     // (N, M, D)
            // Slot i (positions p, p+1) is readable from position t when p + 1 < t.
            var readable = valuePositions.unsqueeze(0) < arange(t, ScalarType.Int64).unsqueeze(1);  // (T, M)
            for (int h = 0; h < Config.Hops; h++)
            {
                var scores = q.matmul(keys.transpose(1, 2)).masked_fill(readable.logical_not(), -1e9);
                var weights = Intermediate($"weights{h}", scores.softmax(-1) * readable);  // rows with no readable slot read nothing
                q = hops[h].call(q + weights.matmul(values));
            }
        }
        return head.call(q).MoveToOuterDisposeScope();
    }
}
