using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Layers;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Families;

/// <summary>What drives a Turing machine's heads: a recurrent LSTM state or a feed-forward layer that sees only this step and the last read.</summary>
public enum NtmController { LSTM, FeedForward }

/// <summary>
/// A neural Turing machine (Graves, Wayne and Danihelka, 2014) as data: a controller reads one token per
/// step, a write head erases and adds a vector at the memory rows it addresses, a read head reads a
/// weighted sum of rows, and the output at each step sees the controller state and that read. Heads
/// address by content (cosine similarity to a key, sharpened by β), then by location (gate g between the
/// content weights and last step's weights, a circular shift by at most ShiftRange rows, sharpening by γ).
/// (N, T) tokens → (N, T, Classes) logits; the output at step t sees only tokens up to t.
/// </summary>
public sealed record TuringMachineConfig(
    long Vocab = 16,
    long Classes = 16,
    long Embed = 16,
    long Hidden = 64,
    long Slots = 32,
    long Width = 16,
    int ShiftRange = 1,
    [property: Ablation("the controller: a recurrent LSTM or a feed-forward layer (the memory is then the only state)")] NtmController Controller = NtmController.LSTM,
    [property: Ablation("address by location too (interpolate with last step's weights, shift, sharpen), not by content alone")] bool LocationAddressing = true,
    [property: Ablation("let the machine write (without it the memory keeps its initial constant rows)")] bool WriteHead = true) : IModelConfig
{
    public Module<Tensor, Tensor> Build() => new TuringMachine(this);
    public IModelConfig For(ISyntheticTask task) => this with { Vocab = TaskShape.Of(task).Tokens("the neural Turing machine"), Classes = task.NumClasses };
}

/// <summary>One head's addressing parameters for a step, each (N, ·): key (N, W), strength β ≥ 0, gate g ∈ [0, 1], shift weights over 2·range+1 offsets, sharpening γ ≥ 1.</summary>
public sealed record HeadAddress(Tensor Key, Tensor Strength, Tensor Gate, Tensor Shift, Tensor Sharpen);

/// <summary>The NTM's memory operations, written as the paper states them so tests can check each one on its own.</summary>
public static class TuringMemory
{
    /// <summary>
    /// Weights over memory rows, (N, S): content softmax(β·cos(k, M_i)); with location addressing also
    /// w_g = g·w_c + (1 − g)·w_prev, a circular convolution with the shift weights (offset j moves weight from
    /// row i to row i + j), then w ∝ w̃^γ.
    /// </summary>
    public static Tensor Address(Tensor memory, HeadAddress head, Tensor previous, bool location)
    {
        var similarity = nn.functional.normalize(memory, dim: -1).bmm(nn.functional.normalize(head.Key, dim: -1).unsqueeze(-1)).squeeze(-1);
        var content = (head.Strength * similarity).softmax(-1);
        if (!location) return content;
        var gated = head.Gate * content + (1 - head.Gate) * previous;
        long range = (head.Shift.size(-1) - 1) / 2;
        Tensor? shifted = null;
        for (long offset = -range; offset <= range; offset++)
        {
            var term = head.Shift.narrow(-1, offset + range, 1) * gated.roll(offset, 1);
            shifted = shifted is null ? term : shifted + term;
        }
        // The small floor keeps γ's gradient finite where a weight is exactly zero (0^γ·ln 0).
        var sharpened = (shifted! + 1e-12).pow(head.Sharpen);
        return sharpened / sharpened.sum(-1, keepdim: true);
    }

    /// <summary>M_i ← M_i ⊙ (1 − w_i·e) + w_i·a for every row i: (N, S, W) memory, (N, S) weights, (N, W) erase and add.</summary>
    public static Tensor Write(Tensor memory, Tensor weights, Tensor erase, Tensor add)
    {
        var w = weights.unsqueeze(-1);
        return memory * (1 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1);
    }

    /// <summary>r = Σ_i w_i·M_i: (N, S) weights over (N, S, W) memory → (N, W).</summary>
    public static Tensor Read(Tensor memory, Tensor weights) => weights.unsqueeze(1).bmm(memory).squeeze(1);
}

/// <summary>Embedding → per step: controller(token, last read) → write head → read head → linear head on [state, read].</summary>
public sealed class TuringMachine : Module<Tensor, Tensor>, IDeclaresCausality
{
    public readonly TuringMachineConfig Config;
    public readonly Embedding embed;
    public readonly LSTM? recurrent;
    public readonly Linear? feedforward;
    public readonly Linear read_head, write_head, head;
    readonly long headSize;

    public TuringMachine(TuringMachineConfig c)
    {
        if (c.Vocab <= 0 || c.Classes <= 0) throw new ArgumentException($"a neural Turing machine needs Vocab > 0 and Classes > 0, got {c.Vocab} and {c.Classes}");
        if (c.Slots < 1 || c.Width < 1) throw new ArgumentException($"a neural Turing machine needs a memory of at least 1 × 1, got Slots = {c.Slots}, Width = {c.Width}");
        if (c.ShiftRange < 0 || 2 * c.ShiftRange + 1 > c.Slots)
            throw new ArgumentException($"ShiftRange must be between 0 and (Slots - 1) / 2 = {(c.Slots - 1) / 2}, got {c.ShiftRange}");
        Config = c;
        embed = register_module("embed", new Embedding(c.Vocab, c.Embed));
        long input = c.Embed + c.Width;
        if (c.Controller == NtmController.LSTM) recurrent = register_module("controller", new LSTM(input, c.Hidden, batch_first: true));
        else feedforward = register_module("controller", new Linear(input, c.Hidden));
        headSize = c.Width + 3 + (2 * c.ShiftRange + 1) + 1;   // key, β, g, shift weights, γ
        read_head = register_module("read_head", new Linear(c.Hidden, headSize));
        write_head = register_module("write_head", new Linear(c.Hidden, headSize + 2 * c.Width));   // + erase and add vectors
        head = register_module("head", new Linear(c.Hidden + c.Width, c.Classes));
    }

    public bool IsCausal => true;

    HeadAddress Parameters(Tensor raw)
    {
        long w = Config.Width, shifts = 2 * Config.ShiftRange + 1;
        return new HeadAddress(
            raw.narrow(-1, 0, w),
            nn.functional.softplus(raw.narrow(-1, w, 1)),
            raw.narrow(-1, w + 1, 1).sigmoid(),
            raw.narrow(-1, w + 2, shifts).softmax(-1),
            1 + nn.functional.softplus(raw.narrow(-1, w + 2 + shifts, 1)));
    }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        long n = tokens.size(0), steps = tokens.size(1);
        var x = embed.call(tokens);                                              // (N, T, E)
        // The memory starts as small equal rows (all content look-ups tie, so the first writes are placed by
        // location); both heads start on row 0 and the first read is zero.
        var memory = full(new long[] { n, Config.Slots, Config.Width }, 1e-6, dtype: x.dtype, device: x.device);
        var readWeights = one_hot(zeros(new long[] { n }, ScalarType.Int64, x.device), Config.Slots).to(x.dtype);
        var writeWeights = readWeights.clone();
        var read = zeros(new long[] { n, Config.Width }, dtype: x.dtype, device: x.device);
        (Tensor h, Tensor c)? state = null;
        var outputs = new Tensor[steps];
        var reads = new Tensor[steps];
        for (long t = 0; t < steps; t++)
        {
            var input = cat(new[] { x.select(1, t), read }, -1);
            Tensor hidden;
            if (recurrent is not null)
            {
                var (o, h, cState) = recurrent.Run(input.unsqueeze(1), state);
                state = (h, cState);
                hidden = o.squeeze(1);
            }
            else hidden = feedforward!.call(input).relu();

            if (Config.WriteHead)
            {
                var raw = write_head.call(hidden);
                writeWeights = TuringMemory.Address(memory, Parameters(raw.narrow(-1, 0, headSize)), writeWeights, Config.LocationAddressing);
                memory = TuringMemory.Write(memory, writeWeights,
                    raw.narrow(-1, headSize, Config.Width).sigmoid(), raw.narrow(-1, headSize + Config.Width, Config.Width).tanh());
            }
            readWeights = TuringMemory.Address(memory, Parameters(read_head.call(hidden)), readWeights, Config.LocationAddressing);
            read = TuringMemory.Read(memory, readWeights);
            reads[t] = readWeights;
            outputs[t] = cat(new[] { hidden, read }, -1);
        }
        Intermediate("read_weights", stack(reads, 1));                          // (N, T, S): where each step read
        return head.call(stack(outputs, 1)).MoveToOuterDisposeScope();
    }
}
