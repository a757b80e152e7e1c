using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Families;
using Registered = ArchNotebooks.Library.Families.Families;

namespace ArchNotebooks.Extensions.Magics.Catalog;

/// <summary>A model family as <c>#!arch</c> names it: its default config and the field a scaling study widens (null: none known).</summary>
public sealed record FamilyEntry(string Name, IReadOnlyList<string> Aliases, string Description, Func<IModelConfig> Default, string? WidthField)
{
    /// <summary>Whether the family was registered at run time (Families.Register) rather than shipped with the library.</summary>
    public bool IsRegistered { get; init; }
}

/// <summary>
/// The library's families by the names researchers type (transformer, gpt, moe, deepsets, ...), followed by the
/// families registered in this session with <c>Families.Register</c>.
/// </summary>
public static class FamilyCatalog
{
    /// <summary>The library's families, then the registered ones.</summary>
    public static IReadOnlyList<FamilyEntry> All => BuiltIn.Concat(Registered.Registered.Select(Entry)).ToList();

    static FamilyEntry Entry(FamilyRegistration r) => new(r.Name, [], r.Description, () => r.Default, r.WidthField) { IsRegistered = true };

    public static IReadOnlyList<FamilyEntry> BuiltIn { get; } =
    [
        new("transformer", [], "bidirectional transformer encoder (per-token or pooled head, set by the task)", () => new TransformerConfig(), "Dim"),
        new("gpt", [], "causal decoder-only transformer with tied embeddings (nanoGPT's shape)", () => new TransformerConfig(Causal: true, TieEmbeddings: true), "Dim"),
        new("moe", ["mixture-of-experts"], "transformer whose feed-forward layers are mixtures of experts", () => new MoEConfig(new TransformerConfig()), "ExpertHidden"),
        new("deepsets", [], "DeepSets: per-element network, permutation-invariant pooling, readout", () => new DeepSetsConfig(), "Hidden"),
        new("settransformer", ["set-transformer"], "Set Transformer: set-attention blocks with attention pooling", () => new SetTransformerConfig(), "Dim"),
        new("c4", ["equivariant"], "rotation-equivariant (C4) group-convolution network", () => new C4Config(), "Hidden"),
        new("video", [], "spatiotemporal video transformer (factorized, divided space-time or 3-D conv)", () => new VideoConfig(), "Dim"),
        new("memory", ["kv-memory"], "key-value memory network with multi-hop reads", () => new KeyValueMemoryConfig(), "Dim"),
        new("hourglass", [], "hourglass transformer: shorten, process, lengthen, with skips", () => new HourglassConfig(), "Dim"),
        new("lstm", ["recurrent"], "recurrent network with LSTM cells (per-step or final-state head, set by the task)", () => new RecurrentConfig(), "Hidden"),
        new("gru", [], "recurrent network with GRU cells", () => new RecurrentConfig(Cell: RecurrentCell.GRU), "Hidden"),
        new("rnn", [], "recurrent network with plain tanh (Elman) cells", () => new RecurrentConfig(Cell: RecurrentCell.RNN), "Hidden"),
        new("graph", ["gnn", "message-passing"], "message-passing graph network (sum/mean/max aggregation, edge features, per-node head)", () => new GraphNetworkConfig(), "Hidden"),
        new("ntm", ["turing-machine"], "neural Turing machine: a controller with a differentiable memory, content- and location-addressed read and write heads", () => new TuringMachineConfig(), "Hidden"),
        new("early-exit", ["earlyexit"], "transformer classifier whose examples leave at the first confident intermediate classifier (compute saved reported)", () => new EarlyExitConfig(new TransformerConfig(PerToken: false, Layers: 4)), "Transformer.Dim"),
        new("d4", ["dihedral"], "rotation- and reflection-equivariant (D4) group-convolution network", () => new C4Config(Group: SymmetryGroup.D4), "Hidden"),
    ];

    public static IEnumerable<string> Names => All.SelectMany(f => f.Aliases.Prepend(f.Name));

    /// <summary>The family called <paramref name="name"/> (any case, or an alias), or null.</summary>
    /// <exception cref="ArchUsageException">A registered family has the name of a library family.</exception>
    public static FamilyEntry? TryFind(string name, string where)
    {
        var key = name.ToLowerInvariant();
        var builtIn = BuiltIn.FirstOrDefault(f => f.Name == key || f.Aliases.Contains(key));
        var registered = Registered.Find(key);
        if (builtIn is not null && registered is not null)
            throw new ArchUsageException($"{where}: '{name}' is both a library family and one registered with Families.Register({registered.Default.GetType().Name}); " +
                $"register yours under another name: Families.Unregister(\"{registered.Name}\"); Families.Register(\"my-{key}\", ...).");
        return builtIn ?? (registered is null ? null : Entry(registered));
    }

    public static FamilyEntry Find(string name, string where)
    {
        return TryFind(name, where)
            ?? throw new ArchUsageException($"{where}: unknown family '{name}'.{Suggestions.DidYouMean(name, Names)}\nFamilies: {string.Join(", ", All.Select(f => f.Name))}." +
                "\nA config of your own becomes a family with Families.Register(\"name\", new MyConfig()).");
    }

    /// <summary>The family a config belongs to (for models not built by #!arch model).</summary>
    public static string NameOf(IModelConfig config) => config switch
    {
        TransformerConfig { Causal: true } => "gpt",
        TransformerConfig => "transformer",
        MoEConfig => "moe",
        DeepSetsConfig => "deepsets",
        SetTransformerConfig => "settransformer",
        C4Config { Group: SymmetryGroup.D4 } => "d4",
        C4Config => "c4",
        VideoConfig => "video",
        KeyValueMemoryConfig => "memory",
        HourglassConfig => "hourglass",
        RecurrentConfig { Cell: RecurrentCell.GRU } => "gru",
        RecurrentConfig { Cell: RecurrentCell.RNN } => "rnn",
        RecurrentConfig => "lstm",
        GraphNetworkConfig => "graph",
        TuringMachineConfig => "ntm",
        EarlyExitConfig => "early-exit",
        // A registered family owns its config type, so a model built from it elsewhere is still named by it.
        _ => Registered.Registered.FirstOrDefault(r => r.Default.GetType() == config.GetType())?.Name ?? config.GetType().Name,
    };
}
