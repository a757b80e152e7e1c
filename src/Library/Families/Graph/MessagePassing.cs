using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>How a node combines the messages of its neighbours (the only place their order could leak in, and it cannot).</summary>
public enum GraphAggregation { Sum, Mean, Max }

/// <summary>
/// A message-passing graph network (Gilmer et al. 2017; Battaglia et al. 2018) over dense graphs: each
/// example is (nodes, nodes + NodeFeatures) floats, a node's adjacency row (0 = no edge, otherwise the
/// edge's feature value) followed by its features. Every round a node gathers messages
/// relu(W h_j + e_ij w_e) from its neighbours j, aggregates them, and updates its state with an MLP of
/// (its state, the aggregate). Nothing depends on node order, so relabelling the nodes permutes the
/// per-node logits (N, nodes, Classes); NodeIds = true adds learned per-index embeddings, the
/// non-equivariant baseline (like positions in a transformer).
/// </summary>
public sealed record GraphNetworkConfig(
    long NodeFeatures = 1,
    long Classes = 5,
    long MaxNodes = 32,
    long Hidden = 32,
    int Layers = 4,
    [property: Ablation("how neighbours' messages are combined")] GraphAggregation Aggregation = GraphAggregation.Sum,
    [property: Ablation("messages read the edge's value (false: an edge is only present or absent)")] bool EdgeFeatures = true,
    [property: Ablation("remove the residual connection around each round")] bool Residual = true,
    [property: Ablation("swap or remove the normalisation before each round")] NormKind Norm = NormKind.LayerNorm,
    [property: Ablation("add learned node-index embeddings (breaks permutation equivariance)")] bool NodeIds = false) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new GraphNetwork(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = TaskShape.Of(task);
        if (shape.Input.Length != 2 || shape.Input[1] <= shape.Input[0])
            throw new ArgumentException($"a graph network reads (nodes, nodes + features) inputs, but task '{task.Name}' gives [{string.Join(", ", shape.Input)}]");
        if (!shape.PerToken) throw new ArgumentException($"the graph network gives one label per node, but task '{task.Name}' wants one per example");
        return this with { NodeFeatures = shape.Input[1] - shape.Input[0], Classes = shape.Classes, MaxNodes = Math.Max(MaxNodes, shape.MaxLength) };
    }
}

/// <summary>One round of message passing: norm, messages along edges, aggregation, update MLP, residual.</summary>
public sealed class MessagePassingLayer : Module<Tensor, Tensor, Tensor>
{
    readonly GraphNetworkConfig config;
    public readonly Module<Tensor, Tensor> norm;
    public readonly Linear message;
    public readonly Tensor? edge_weight;
    public readonly MLP update;

    public MessagePassingLayer(GraphNetworkConfig c)
    {
        config = c;
        norm = register_module("norm", Norm.Create(c.Norm, c.Hidden));
        message = register_module("message", new Linear(c.Hidden, c.Hidden));
        if (c.EdgeFeatures) edge_weight = register_parameter("edge_weight", init.uniform_(empty(c.Hidden), -1, 1));
        update = register_module("update", new MLP(2 * c.Hidden, c.Hidden, out_dim: c.Hidden, activation: "relu"));
    }

    /// <summary>h (N, V, H) node states, adjacency (N, V, V) with adjacency[n, i, j] the edge j → i → new states (N, V, H).</summary>
    public override Tensor forward(Tensor h, Tensor adjacency)
    {
        using var scope = NewDisposeScope();
        var z = norm.call(h);
        var sent = message.call(z).unsqueeze(1);                      // (N, 1, V, H): what node j sends, the same to every i
        var edges = adjacency.unsqueeze(-1);                          // (N, V, V, 1)
        var messages = (edge_weight is null ? sent.expand(-1, adjacency.size(1), -1, -1) : sent + edges * edge_weight).relu();
        var present = edges.gt(0);
        var aggregated = config.Aggregation switch
        {
            GraphAggregation.Sum => (messages * present).sum(2),
            GraphAggregation.Mean => (messages * present).sum(2) / present.sum(2).clamp(min: 1),
            // A node without neighbours receives zeros, not the -inf of an empty max.
            _ => messages.masked_fill(present.logical_not(), double.NegativeInfinity).amax(2).masked_fill(present.sum(2).eq(0), 0),
        };
        var updated = update.call(cat(new[] { z, aggregated }, -1));
        return (config.Residual ? h + updated : updated).MoveToOuterDisposeScope();
    }
}

/// <summary>Node features → Layers rounds of message passing → a linear head on every node.</summary>
public sealed class GraphNetwork : Module<Tensor, Tensor>
{
    public readonly GraphNetworkConfig Config;
    public readonly Linear embed, head;
    public readonly Embedding? node_ids;
    public readonly IReadOnlyList<MessagePassingLayer> layers;

    public GraphNetwork(GraphNetworkConfig c)
    {
        if (c.Layers < 1) throw new ArgumentException($"a graph network needs at least one round of message passing, got Layers = {c.Layers}");
        Config = c;
        embed = register_module("embed", new Linear(c.NodeFeatures, c.Hidden));
        if (c.NodeIds) node_ids = register_module("node_ids", new Embedding(c.MaxNodes, c.Hidden));
        layers = Enumerable.Range(0, c.Layers).Select(i => register_module($"layer{i}", new MessagePassingLayer(c))).ToArray();
        head = register_module("head", new Linear(c.Hidden, c.Classes));
    }

    public override Tensor forward(Tensor x)
    {
        long nodes = x.size(1);
        if (x.dim() != 3 || x.size(2) != nodes + Config.NodeFeatures)
            throw new ArgumentException($"graph network: expected input (batch, nodes, nodes + {Config.NodeFeatures}), got [{string.Join(", ", x.shape)}]");
        if (node_ids is not null && nodes > Config.MaxNodes)
            throw new ArgumentException($"graph network: {nodes} nodes but node-index embeddings for at most MaxNodes = {Config.MaxNodes}");
        using var scope = NewDisposeScope();
        var adjacency = x.narrow(2, 0, nodes);
        var h = embed.call(x.narrow(2, nodes, Config.NodeFeatures));
        if (node_ids is not null) h = h + node_ids.call(arange(nodes, ScalarType.Int64, x.device));
        foreach (var layer in layers) h = layer.call(h, adjacency);
        return head.call(Intermediate("nodes", h)).MoveToOuterDisposeScope();
    }
}
