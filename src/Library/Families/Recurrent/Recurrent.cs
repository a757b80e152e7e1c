using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>The recurrent cell: gated (LSTM, GRU) or the plain tanh Elman RNN whose gradients vanish over long spans.</summary>
public enum RecurrentCell { LSTM, GRU, RNN }

/// <summary>How a recurrent classifier turns the sequence into one vector.</summary>
public enum RecurrentReadout
{
    /// <summary>The final hidden state of the top layer (both directions' finals when bidirectional).</summary>
    Last,
    /// <summary>The mean of the top layer's outputs over time.</summary>
    Mean,
}

/// <summary>
/// A recurrent network as data: an LSTM, GRU or plain RNN over token embeddings (Vocab &gt; 0) or
/// feature vectors (InputDim), the recurrence-as-inductive-bias baseline against transformers on the
/// same sequence tasks. PerToken gives (N, T, Classes) logits from every step's output; otherwise a
/// readout gives (N, Classes). It has no positional encoding and no length limit: the recurrence is the
/// only place order enters, so the generalization splits' longer sequences need nothing resized.
/// </summary>
public sealed record RecurrentConfig(
    long Vocab = 16,
    long InputDim = 0,
    long Classes = 16,
    bool PerToken = true,
    int Layers = 1,
    long Hidden = 64,
    long Embed = 32,
    [property: Ablation("the recurrent cell: gated LSTM or GRU vs a plain tanh RNN")] RecurrentCell Cell = RecurrentCell.LSTM,
    [property: Ablation("also read the sequence backwards (every step then sees the whole sequence)")] bool Bidirectional = false,
    [property: Ablation("how a classifier summarises the sequence (per-token tasks ignore it)")] RecurrentReadout Readout = RecurrentReadout.Last) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new RecurrentNetwork(this);

    public IModelConfig For(ISyntheticTask task)
    {
        var shape = TaskShape.Of(task);
        return this with
        {
            Vocab = shape.Vocab ?? 0,
            InputDim = shape.Vocab is null ? shape.Features : 0,
            Classes = shape.Classes,
            PerToken = shape.PerToken,
        };
    }
}

/// <summary>Embedding (or raw features) → stacked recurrence → linear head per step or on the readout.</summary>
public sealed class RecurrentNetwork : Module<Tensor, Tensor>
{
    public readonly RecurrentConfig Config;
    public readonly Embedding? embed;
    public readonly RecurrentBase recurrence;
    public readonly Linear head;

    public RecurrentNetwork(RecurrentConfig c)
    {
        if (c.Vocab <= 0 && c.InputDim <= 0) throw new ArgumentException("a recurrent network reads tokens (Vocab > 0) or feature vectors (InputDim > 0); both are 0");
        if (c.Layers < 1) throw new ArgumentException($"a recurrent network needs at least one layer, got Layers = {c.Layers}");
        Config = c;
        long input = c.Vocab > 0 ? c.Embed : c.InputDim;
        if (c.Vocab > 0) embed = register_module("embed", new Embedding(c.Vocab, c.Embed));
        recurrence = register_module<RecurrentBase>("recurrence", c.Cell switch
        {
            RecurrentCell.LSTM => new LSTM(input, c.Hidden, c.Layers, batch_first: true, bidirectional: c.Bidirectional),
            RecurrentCell.GRU => new GRU(input, c.Hidden, c.Layers, batch_first: true, bidirectional: c.Bidirectional),
            _ => new RNN(input, c.Hidden, c.Layers, batch_first: true, bidirectional: c.Bidirectional),
        });
        head = register_module("head", new Linear(Directions * c.Hidden, c.Classes));
    }

    int Directions => Config.Bidirectional ? 2 : 1;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var input = embed is null ? x : embed.call(x);
        var (outputs, final) = recurrence switch
        {
            LSTM lstm => Drop(lstm.Run(input)),
            GRU gru => gru.Run(input),
            RNN rnn => rnn.Run(input),
            _ => throw new InvalidOperationException($"unknown recurrence {recurrence.GetType().Name}"),
        };
        Intermediate("outputs", outputs);
        if (Config.PerToken) return head.call(outputs).MoveToOuterDisposeScope();
        var summary = Config.Readout == RecurrentReadout.Mean ? outputs.mean(1) : TopLayerFinal(final);
        return head.call(summary).MoveToOuterDisposeScope();
    }

    static (Tensor, Tensor) Drop((Tensor o, Tensor h, Tensor c) run) => (run.o, run.h);

    /// <summary>h_n (layers·directions, N, H) → the top layer's final states, directions side by side: (N, directions·H).</summary>
    Tensor TopLayerFinal(Tensor h) =>
        h.narrow(0, (Config.Layers - 1) * Directions, Directions).transpose(0, 1).reshape(h.size(1), Directions * Config.Hidden);
}
