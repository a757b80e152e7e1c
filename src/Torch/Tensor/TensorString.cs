using System.Globalization;
using System.Text;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Print options for Tensor.ToString (torch.set_printoptions).</summary>
    public static class printoptions
    {
        /// <summary>Digits after the decimal point.</summary>
        public static int precision = 4;
        /// <summary>Above this many elements the preview is elided.</summary>
        public static long threshold = 1000;
        /// <summary>Items kept at each end of an elided dimension.</summary>
        public static int edgeitems = 3;
    }

    public static void set_printoptions(int? precision = null, long? threshold = null, int? edgeitems = null)
    {
        if (precision is { } p) printoptions.precision = p;
        if (threshold is { } t) printoptions.threshold = t;
        if (edgeitems is { } e) printoptions.edgeitems = e;
    }

    public sealed partial class Tensor
    {
        /// <summary>
        /// PyTorch-style text: tensor([[...]], dtype=..., device=...). Large tensors are elided
        /// (edge items only), and only the shown items are copied off the device.
        /// </summary>
        public override string ToString()
        {
            if (IsDisposed) return "tensor(<disposed>)";
            try { return TensorPrinter.Format(this); }
            catch (Exception e) when (e is TorchException or InvalidOperationException) { return $"tensor(<unprintable: {e.Message}>)"; }
        }

        /// <summary>Metadata only: shape, dtype, device.</summary>
        public string Describe() => $"[{string.Join("x", shape)}], type = {DTypeName(dtype)}, device = {device}";
    }
}

/// <summary>Builds the numpy-like preview behind Tensor.ToString.</summary>
internal static class TensorPrinter
{
    internal static string Format(torch.Tensor t)
    {
        using var scope = torch.NewDisposeScope();
        var shape = t.shape;
        long numel = t.numel();
        bool elide = numel > torch.printoptions.threshold;
        int edge = torch.printoptions.edgeitems;
        // Keep only the edge items of each long dimension before copying to the host.
        var small = t.detach();
        var kept = new List<long>[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            kept[d] = new List<long>();
            if (elide && shape[d] > 2 * edge)
            {
                for (long i = 0; i < edge; i++) kept[d].Add(i);
                for (long i = shape[d] - edge; i < shape[d]; i++) kept[d].Add(i);
                using var idx = torch.tensor(kept[d].ToArray(), device: t.device);
                small = small.index_select(d, idx);
            }
            else for (long i = 0; i < shape[d]; i++) kept[d].Add(i);
        }
        var dtype = t.dtype;
        bool isFloat = torch.IsFloating(dtype);
        bool isBool = dtype == torch.ScalarType.Bool;
        bool isComplex = torch.IsComplex(dtype);
        var cells = isComplex ? FormatComplex(small) : FormatValues(small.to(torch.CPU, torch.ScalarType.Float64).contiguous().data<double>(), isFloat, isBool);
        // Complex cells come padded already (their real parts, as PyTorch pads them).
        int width = cells.Length == 0 || isComplex ? 0 : cells.Max(c => c.Length);

        var sb = new StringBuilder("tensor(");
        if (shape.Length == 0) sb.Append(cells[0]);
        else if (numel == 0) sb.Append("[]");
        else
        {
            int pos = 0;
            Write(sb, shape, kept, 0, cells, width, ref pos, "tensor(".Length, elide, edge);
        }
        var suffix = new List<string>();
        if (numel == 0 && shape.Length > 1) suffix.Add($"size=({string.Join(", ", shape)})");
        if (dtype is not (torch.ScalarType.Float32 or torch.ScalarType.Int64 or torch.ScalarType.Bool or torch.ScalarType.ComplexFloat32)) suffix.Add($"dtype=torch.{torch.DTypeName(dtype)}");
        var dev = t.device;
        if (dev.type != torch.DeviceType.CPU) suffix.Add($"device='{dev}'");
        if (t.requires_grad) suffix.Add(t.grad_fn is { } fn ? $"grad_fn=<{fn}>" : "requires_grad=True");
        foreach (var s in suffix) sb.Append(", ").Append(s);
        return sb.Append(')').ToString();
    }

    static void Write(StringBuilder sb, long[] shape, List<long>[] kept, int d, string[] cells, int width, ref int pos, int indent, bool elide, int edge)
    {
        sb.Append('[');
        var items = kept[d];
        bool cut = elide && shape[d] > 2 * edge;
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                if (d == shape.Length - 1) sb.Append(", ");
                else sb.Append(',').Append('\n', shape.Length - 1 - d).Append(' ', indent + d + 1);
            }
            if (cut && i == edge)
            {
                if (d == shape.Length - 1) sb.Append(" ..., ");  // PyTorch joins " ..." as an item: "2,  ..., 7"
                else sb.Append("...,").Append('\n', shape.Length - 1 - d).Append(' ', indent + d + 1);
            }
            if (d == shape.Length - 1) sb.Append(cells[pos++].PadLeft(width));
            else Write(sb, shape, kept, d + 1, cells, width, ref pos, indent, elide, edge);
        }
        sb.Append(']');
    }

    // PyTorch writes a complex element as its real part (padded to the widest real part), the sign, the imaginary
    // magnitude (unpadded) and "j", each part formatted like a real tensor's elements: " 1.5000+20.0000j".
    static string[] FormatComplex(torch.Tensor small)
    {
        var values = torch.ComplexData(small.to(torch.CPU));
        var re = FormatValues(values.Select(v => v.Real).ToArray(), true, false);
        var im = FormatValues(values.Select(v => Math.Abs(v.Imaginary)).ToArray(), true, false);
        int width = re.Length == 0 ? 0 : re.Max(c => c.Length);
        return values.Select((v, i) => re[i].PadLeft(width) + (double.IsNegative(v.Imaginary) ? "-" : "+") + im[i] + "j").ToArray();
    }

    static string[] FormatValues(double[] values, bool isFloat, bool isBool)
    {
        var inv = CultureInfo.InvariantCulture;
        if (isBool) return values.Select(v => v != 0 ? "True" : "False").ToArray();
        if (!isFloat) return values.Select(v => ((long)v).ToString(inv)).ToArray();
        int prec = torch.printoptions.precision;
        var finite = values.Where(double.IsFinite).Select(Math.Abs).ToArray();
        bool allIntegral = finite.All(v => v == Math.Floor(v)) && finite.All(v => v < 1e16);
        double max = finite.Length > 0 ? finite.Max() : 0;
        double minNonZero = finite.Where(v => v > 0).DefaultIfEmpty(0).Min();
        bool sci = max >= 1e8 || (minNonZero > 0 && minNonZero < Math.Pow(10, -prec)) || (minNonZero > 0 && max / minNonZero > 1000 && !allIntegral);
        return values.Select(v =>
        {
            if (double.IsNaN(v)) return "nan";
            if (double.IsPositiveInfinity(v)) return "inf";
            if (double.IsNegativeInfinity(v)) return "-inf";
            if (allIntegral && !sci) return v.ToString("0", inv) + ".";
            return sci ? v.ToString("0." + new string('0', prec) + "e+00", inv) : v.ToString("F" + prec, inv);
        }).ToArray();
    }
}
