using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>A lookup table of vectors, N(0, 1) at init as in PyTorch.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public readonly Tensor weight;
    public long NumEmbeddings { get; }
    public long Dim { get; }

    public Embedding(long num_embeddings, long embedding_dim)
    {
        NumEmbeddings = num_embeddings;
        Dim = embedding_dim;
        weight = register_parameter("weight", randn(num_embeddings, embedding_dim));
    }

    public override Tensor forward(Tensor indices) => F.embedding(indices, weight);
    protected override string ExtraRepr() => $"{NumEmbeddings}, {Dim}";
}
