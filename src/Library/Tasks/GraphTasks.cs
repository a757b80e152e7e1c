namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// Shortest-path length on random graphs, the answer found by breadth-first search. Each example is an
/// Erdős–Rényi graph of <c>nodes</c> nodes with the given mean degree and one source node; every node's
/// label is its hop distance from the source, 0..maxDistance, or maxDistance + 1 for "farther or
/// unreachable". The input is one row per node, (nodes, nodes + 1) floats: the node's adjacency row
/// (1 where an undirected edge joins it to that node) and one feature, 1 on the source. A message-passing
/// network with maxDistance + 1 rounds can compute the answer exactly on any graph size, so the
/// Generalization split draws larger graphs with the same mean degree.
/// </summary>
public sealed class ShortestPathTask : SyntheticTask<float>
{
    public ShortestPathTask(int nodes = 8, int generalizationNodes = 16, int maxDistance = 3, double meanDegree = 2.0, double testFraction = 0.2)
        : base("shortest-path", LossKind.PerToken, maxDistance + 2, testFraction)
    {
        if (nodes < 2 || generalizationNodes < nodes)
            throw new ArgumentException($"shortest path needs 2 <= nodes <= generalizationNodes, got {nodes} and {generalizationNodes}");
        if (maxDistance < 1) throw new ArgumentException($"shortest path needs maxDistance >= 1, got {maxDistance}");
        if (meanDegree <= 0 || meanDegree > nodes - 1)
            throw new ArgumentException($"the mean degree must be in (0, nodes - 1 = {nodes - 1}], got {meanDegree}");
        Nodes = nodes;
        GeneralizationNodes = generalizationNodes;
        MaxDistance = maxDistance;
        MeanDegree = meanDegree;
    }

    public int Nodes { get; }
    public int GeneralizationNodes { get; }
    public int MaxDistance { get; }
    public double MeanDegree { get; }

    /// <summary>Features per node after its adjacency row (here one: the source flag).</summary>
    public const int NodeFeatures = 1;

    public override bool HasGeneralizationSplit => GeneralizationNodes > Nodes;
    public override string Description =>
        $"hop distance from a source on random graphs of {Nodes} nodes (mean degree {MeanDegree}), classes 0..{MaxDistance} and farther/unreachable; generalization: {GeneralizationNodes} nodes";

    int NodesOf(Split split) => split == Split.Generalization ? GeneralizationNodes : Nodes;
    public override long[] InputShape(Split split = Split.Train) => new long[] { NodesOf(split), NodesOf(split) + NodeFeatures };
    protected override int TargetLength(Split split) => NodesOf(split);

    protected override void Generate(Rng rng, Split split, Span<float> input, Span<long> target)
    {
        int n = NodesOf(split), row = n + NodeFeatures;
        double p = MeanDegree / (n - 1);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < p) input[i * row + j] = input[j * row + i] = 1;
        int source = rng.Next(n);
        input[source * row + n] = 1;

        Span<int> distance = stackalloc int[n];
        distance.Fill(-1);
        Span<int> queue = stackalloc int[n];
        int head = 0, tail = 0;
        distance[source] = 0;
        queue[tail++] = source;
        while (head < tail)
        {
            int u = queue[head++];
            for (int v = 0; v < n; v++)
                if (input[u * row + v] > 0 && distance[v] < 0)
                {
                    distance[v] = distance[u] + 1;
                    queue[tail++] = v;
                }
        }
        for (int i = 0; i < n; i++) target[i] = distance[i] < 0 || distance[i] > MaxDistance ? MaxDistance + 1 : distance[i];
    }
}
