using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using Xunit.Abstractions;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>The message-passing family and the shortest-path task: shapes, the task's answers, permutation equivariance, learning.</summary>
public class GraphNetworkTests(ITestOutputHelper output)
{
    /// <summary>The same graphs with node i relabelled as perm[i]: rows and adjacency columns permuted, features kept.</summary>
    static Tensor Relabel(Tensor x, Tensor perm)
    {
        long nodes = x.size(1);
        var rows = x.index_select(1, perm);
        return cat(new[] { rows.narrow(2, 0, nodes).index_select(2, perm), rows.narrow(2, nodes, x.size(2) - nodes) }, 2);
    }

    static Tensor RandomGraphs(long batch, long nodes, long features)
    {
        var upper = (rand(batch, nodes, nodes) < 0.3).to(ScalarType.Float32).triu(1) * (rand(batch, nodes, nodes) + 0.5);
        return cat(new[] { upper + upper.transpose(1, 2), randn(batch, nodes, features) }, 2);
    }

    [Fact]
    public void Every_variant_maps_each_node_to_logits_on_graphs_of_any_size()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        foreach (var aggregation in Enum.GetValues<GraphAggregation>())
            foreach (var (edges, residual, norm) in new[] { (true, true, NormKind.LayerNorm), (false, false, NormKind.None), (true, false, NormKind.RMSNorm) })
            {
                var c = new GraphNetworkConfig(NodeFeatures: 3, Classes: 4, Hidden: 8, Layers: 2, Aggregation: aggregation, EdgeFeatures: edges, Residual: residual, Norm: norm);
                using var model = c.Build();
                foreach (long nodes in new long[] { 1, 5, 11 })
                {
                    var y = model.call(RandomGraphs(2, nodes, 3));
                    Assert.Equal(new long[] { 2, nodes, 4 }, y.shape);
                    Assert.True(y.isfinite().all().ToBoolean(), $"{c} on {nodes} nodes");
                }
            }
        using var ids = new GraphNetworkConfig(NodeFeatures: 3, MaxNodes: 6, Hidden: 8, NodeIds: true).Build();
        Assert.Equal(new long[] { 2, 6, 5 }, ids.call(RandomGraphs(2, 6, 3)).shape);
        Assert.Contains("MaxNodes = 6", Assert.Throws<ArgumentException>(() => ids.call(RandomGraphs(2, 7, 3))).Message);
        using var plain = new GraphNetworkConfig(NodeFeatures: 3).Build();
        Assert.Contains("nodes + 3", Assert.Throws<ArgumentException>(() => plain.call(randn(2, 5, 7))).Message);
        Assert.Throws<ArgumentException>(() => new GraphNetworkConfig().For(new CopyTask()));
    }

    [Fact]
    public void Shortest_path_labels_are_the_hop_distances_found_by_powers_of_the_adjacency()
    {
        using var scope = NewDisposeScope();
        var task = new ShortestPathTask(nodes: 9, generalizationNodes: 14, maxDistance: 3);
        foreach (var split in new[] { Split.Train, Split.Generalization })
        {
            using var batch = task.Sample(64, 7, split);
            long n = batch.Input.size(1);
            Assert.Equal(task.InputShape(split), batch.Input.shape[1..]);
            var adjacency = batch.Input.narrow(2, 0, n);
            Assert.True(allclose(adjacency, adjacency.transpose(1, 2)), "edges are undirected");
            Assert.Equal(0.0, adjacency.diagonal(0, 1, 2).abs().sum().ToDouble());
            var source = batch.Input.select(2, n);
            Assert.True(source.sum(1).eq(1).all().ToBoolean(), "exactly one source per graph");
            // reached_k = nodes within k hops of the source: the source row of (A + I)^k is positive.
            var step = adjacency + eye(n).unsqueeze(0);
            var reached = source.unsqueeze(1);
            var expected = full(new[] { 64L, n }, (long)task.MaxDistance + 1, ScalarType.Int64);
            for (int k = task.MaxDistance; k >= 0; k--)
            {
                var within = reached.clone();
                for (int i = 0; i < k; i++) within = within.matmul(step).clamp(max: 1);
                expected = expected.masked_fill(within.squeeze(1).gt(0), k);
            }
            Assert.True(batch.Target.eq(expected).all().ToBoolean(), $"{split}: labels differ from the matrix-power distances");
            var counts = batch.Target.reshape(-1).contiguous().data<long>().ToArray().GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"{split}: label counts {string.Join(" ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}:{c.Value}"))}");
            Assert.True(counts.Count >= 4, "the labels use most distances");
        }
    }

    [Fact]
    public void Relabelling_nodes_permutes_the_outputs_and_node_ids_break_that()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = RandomGraphs(4, 7, 2);
        foreach (var aggregation in Enum.GetValues<GraphAggregation>())
            foreach (var edges in new[] { true, false })
            {
                var c = new GraphNetworkConfig(NodeFeatures: 2, Hidden: 16, Layers: 3, Aggregation: aggregation, EdgeFeatures: edges);
                using var model = c.Build();
                var y = model.call(x);
                for (int trial = 0; trial < 3; trial++)
                {
                    var perm = randperm(7);
                    Assert.True(allclose(model.call(Relabel(x, perm)), y.index_select(1, perm), atol: 1e-5), $"{c} is not permutation-equivariant");
                }
            }
        // The baseline with node-index embeddings is not: the test can tell.
        using var indexed = new GraphNetworkConfig(NodeFeatures: 2, Hidden: 16, Layers: 3, NodeIds: true).Build();
        var p = randperm(7);
        Assert.False(allclose(indexed.call(Relabel(x, p)), indexed.call(x).index_select(1, p), atol: 1e-5));
    }

    [Fact]
    public void Ablation_points_cover_aggregation_edges_residual_norm_and_node_ids()
    {
        var baseline = new GraphNetworkConfig();
        var points = AblationPoints.For(baseline);
        Assert.Equal(new[] { "Aggregation", "EdgeFeatures", "Residual", "Norm", "NodeIds" }, points.Select(p => p.Field));
        Assert.Equal(new object?[] { GraphAggregation.Mean, GraphAggregation.Max }, points.Single(p => p.Field == "Aggregation").Alternatives);
        using var noEdges = AblationPoints.Ablate(baseline, "EdgeFeatures", false).Build();
        Assert.DoesNotContain(noEdges.named_parameters(), p => p.name.Contains("edge_weight"));
        using var noNorm = AblationPoints.Ablate(baseline, "Norm", "None").Build();
        Assert.DoesNotContain(noNorm.named_parameters(), p => p.name.Contains("norm"));
    }

    [Fact]
    public void Message_passing_learns_shortest_paths_and_keeps_them_on_graphs_twice_as_large()
    {
        // 5 classes (distance 0-3, farther or unreachable); the most frequent label is right about 26% of the time on
        // 8 nodes and 40% on 16 (label counts in the task's test above).
        var task = new ShortestPathTask(nodes: 8, generalizationNodes: 16, maxDistance: 3);
        var config = new GraphNetworkConfig(Hidden: 32, Layers: 4);
        var test = LearningProbe.Train(config, task, steps: 200);
        output.WriteLine($"graph network on shortest path: {test}");
        Assert.True(test.Accuracy >= 0.95, test.ToString());
        var larger = LearningProbe.Train(config, task, steps: 200, split: Split.Generalization);
        output.WriteLine($"on 16-node graphs: {larger}");
        Assert.True(larger.Accuracy >= 0.9, larger.ToString());
    }
}
