using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace ArchNotebooks.Library.Layers;

/// <summary>
/// Shared parameters of LSTM, GRU and RNN in PyTorch's layout and names (weight_ih_l0, weight_hh_l0,
/// bias_ih_l0, bias_hh_l0, "_reverse" for the backward direction), so state dicts load both ways.
/// All start U(-1/sqrt(hidden), 1/sqrt(hidden)) as in PyTorch.
/// </summary>
public abstract class RecurrentBase : Module<Tensor, Tensor>
{
    protected readonly Tensor[] flatWeights;
    public long InputSize { get; }
    public long HiddenSize { get; }
    public long NumLayers { get; }
    public bool BatchFirst { get; }
    public bool Bidirectional { get; }
    public double DropoutP { get; }
    protected readonly bool hasBias;

    protected RecurrentBase(int gates, long input_size, long hidden_size, long num_layers, bool bias, bool batch_first, double dropout, bool bidirectional)
    {
        InputSize = input_size; HiddenSize = hidden_size; NumLayers = num_layers;
        BatchFirst = batch_first; Bidirectional = bidirectional; DropoutP = dropout; hasBias = bias;
        int directions = bidirectional ? 2 : 1;
        double bound = 1 / Math.Sqrt(hidden_size);
        var all = new List<Tensor>();
        for (long layer = 0; layer < num_layers; layer++)
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                long layerInput = layer == 0 ? input_size : hidden_size * directions;
                all.Add(register_parameter("weight_ih" + suffix, init.uniform_(empty(gates * hidden_size, layerInput), -bound, bound)));
                all.Add(register_parameter("weight_hh" + suffix, init.uniform_(empty(gates * hidden_size, hidden_size), -bound, bound)));
                if (bias)
                {
                    all.Add(register_parameter("bias_ih" + suffix, init.uniform_(empty(gates * hidden_size), -bound, bound)));
                    all.Add(register_parameter("bias_hh" + suffix, init.uniform_(empty(gates * hidden_size), -bound, bound)));
                }
            }
        flatWeights = all.ToArray();
    }

    protected Tensor ZeroState(Tensor x)
    {
        long batch = x.size(BatchFirst ? 0 : 1);
        return zeros(new[] { NumLayers * (Bidirectional ? 2 : 1), batch, HiddenSize }, x.dtype, x.device);
    }

    protected override string ExtraRepr() =>
        $"{InputSize}, {HiddenSize}, layers={NumLayers}" + (BatchFirst ? ", batch_first" : "") + (Bidirectional ? ", bidirectional" : "");
}

/// <summary>Multi-layer LSTM; call returns the output sequence, Run also returns (h_n, c_n).</summary>
public sealed class LSTM : RecurrentBase
{
    public LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false, double dropout = 0, bool bidirectional = false)
        : base(4, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional) { }

    public (Tensor output, Tensor h, Tensor c) Run(Tensor x, (Tensor h, Tensor c)? state = null)
    {
        using var scope = NewDisposeScope();
        var h0 = state?.h ?? ZeroState(x);
        var c0 = state?.c ?? ZeroState(x);
        var (o, h, c) = F.lstm(x, h0, c0, flatWeights, NumLayers, hasBias, DropoutP, training, Bidirectional, BatchFirst);
        return (o.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor x)
    {
        var (o, h, c) = Run(x);
        h.Dispose(); c.Dispose();
        return o;
    }
}

/// <summary>Multi-layer GRU; call returns the output sequence, Run also returns h_n.</summary>
public sealed class GRU : RecurrentBase
{
    public GRU(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false, double dropout = 0, bool bidirectional = false)
        : base(3, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional) { }

    public (Tensor output, Tensor h) Run(Tensor x, Tensor? h0 = null)
    {
        using var scope = NewDisposeScope();
        var (o, h) = F.gru(x, h0 ?? ZeroState(x), flatWeights, NumLayers, hasBias, DropoutP, training, Bidirectional, BatchFirst);
        return (o.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor x)
    {
        var (o, h) = Run(x);
        h.Dispose();
        return o;
    }
}

/// <summary>Multi-layer Elman RNN (tanh or relu); call returns the output sequence, Run also returns h_n.</summary>
public sealed class RNN : RecurrentBase
{
    public string Nonlinearity { get; }

    public RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true, bool batch_first = false,
        double dropout = 0, bool bidirectional = false)
        : base(1, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
    {
        if (nonlinearity is not ("tanh" or "relu")) throw new ArgumentException($"RNN: nonlinearity must be 'tanh' or 'relu', got '{nonlinearity}'");
        Nonlinearity = nonlinearity;
    }

    public (Tensor output, Tensor h) Run(Tensor x, Tensor? h0 = null)
    {
        using var scope = NewDisposeScope();
        var (o, h) = F.rnn(x, h0 ?? ZeroState(x), flatWeights, NumLayers, Nonlinearity, hasBias, DropoutP, training, Bidirectional, BatchFirst);
        return (o.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor x)
    {
        var (o, h) = Run(x);
        h.Dispose();
        return o;
    }

    protected override string ExtraRepr() => base.ExtraRepr() + (Nonlinearity == "relu" ? ", relu" : "");
}
