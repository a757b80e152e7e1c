using System.Text.Json.Nodes;
using System.Xml.Linq;
using ArchNotebooks.Extensions.Formatting;
using ArchNotebooks.Extensions.Formatting.Tensors;
using ArchNotebooks.Interactive;
using ArchNotebooks.Torch;
using ArchNotebooks.Extensions.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Formatting;

public class TensorFormatterTests
{
    static double Scalar(Tensor t) => t.to(ScalarType.Float64).ToDouble();

    [Fact]
    public void Statistics_equal_libtorchs_own_reductions()
    {
        manual_seed(7);
        using var t = randn(40, 30) * 3 + 1;
        var s = TensorSummary.Of(t);
        Assert.Equal(new long[] { 40, 30 }, s.Shape);
        Assert.Equal("float32", s.DType);
        Assert.Equal("cpu", s.Device);
        Assert.Equal(1200, s.Count);
        Assert.Equal(Scalar(t.min()), s.Min);
        Assert.Equal(Scalar(t.max()), s.Max);
        Assert.Equal(Scalar(t.mean()), s.Mean);
        Assert.Equal(Scalar(t.std()), s.Std);
        Assert.Equal(0, s.NaNs);
        Assert.Equal(0, s.Infs);
        // The histogram bins every element once, between the min and the max.
        Assert.Equal(1200, s.Histogram!.Counts.Sum());
        Assert.Equal(s.Min, s.Histogram.Low);
        Assert.Equal(s.Max, s.Histogram.High);
        // A small matrix is shown cell for cell.
        Assert.False(s.Heatmap!.IsBlockMeans);
        var values = t.data<float>();
        Assert.Equal(values[31], s.Heatmap.Values[1][1], 6);
    }

    [Fact]
    public void NaN_and_Inf_are_counted_and_the_moments_are_over_the_finite_values()
    {
        using var t = tensor(new float[] { 1, float.NaN, 3, float.PositiveInfinity, -2, float.NaN, 5, float.NegativeInfinity, 0.5f });
        var s = TensorSummary.Of(t);
        Assert.Equal(2, s.NaNs);
        Assert.Equal(2, s.Infs);
        using var finite = tensor(new float[] { 1, 3, -2, 5, 0.5f });
        Assert.Equal(-2, s.Min);
        Assert.Equal(5, s.Max);
        Assert.Equal(Scalar(finite.mean()), s.Mean, 12);
        Assert.Equal(Scalar(finite.std()), s.Std, 12);
        var bundle = new MimeBundle();
        TensorFormatter.Write(t, bundle);
        var plain = (string)bundle[MimeBundle.PlainText];
        Assert.Contains("nan 2  inf 2", plain);
        Assert.Contains("<td class=\"worse\">2</td>", (string)bundle[MimeBundle.Html]);
    }

    [Fact]
    public void Integer_and_bool_tensors_get_statistics_too()
    {
        using var ints = arange(10);
        var s = TensorSummary.Of(ints);
        Assert.Equal("int64", s.DType);
        Assert.Equal((0.0, 9.0, 4.5), (s.Min, s.Max, s.Mean));
        Assert.Equal(Scalar(ints.to(ScalarType.Float64).std()), s.Std, 12);
        using var flags = arange(6) > 3.0;
        var b = TensorSummary.Of(flags);
        Assert.Equal("bool", b.DType);
        Assert.Equal(2.0 / 6, b.Mean, 12);
        Assert.Null(b.Histogram);
    }

    [Fact]
    public void A_large_tensor_crosses_to_the_host_only_as_scalars_bins_block_means_and_the_elided_preview()
    {
        manual_seed(1);
        using var big = randn(2000, 2000);
        var s = TensorSummary.Of(big);
        // 2 counts + 4 moments + 40 bins + 48x48 block means; 4 million elements stayed where they were.
        Assert.Equal(2 + 4 + 40 + 48 * 48, s.ElementsCopiedToHost);
        Assert.True(s.ElementsCopiedToHost <= TensorSummary.HostReadLimit);
        // Tensor.ToString copies only the edge items (3 per end of each dimension).
        Assert.Equal(36, s.PreviewElementsCopied);
        Assert.Contains("...", s.Preview);
        Assert.True(s.Preview.Length < 1000, s.Preview);
        Assert.True(s.Heatmap!.IsBlockMeans);
        Assert.Equal(48, s.Heatmap.Values.Count);
        // Block means of the top-left block agree with libtorch's mean over it (2000/48 is not whole: adaptive pooling's first block is rows 0..41).
        using var block = big.narrow(0, 0, 42).narrow(1, 0, 42);
        Assert.Equal(Scalar(block.mean()), s.Heatmap.Values[0][0], 5);
        Assert.Equal(4_000_000, s.Histogram!.Counts.Sum());
    }

    [Fact]
    public void A_huge_expanded_tensor_formats_without_materialising_it_on_the_host()
    {
        // 100M logical elements backed by one float: a full host copy would need 800 MB as float64.
        using var one = full(1.5);
        using var huge = one.expand(10_000, 10_000);
        var s = TensorSummary.Of(huge, bins: 8);
        Assert.Equal(100_000_000, s.Count);
        Assert.Equal((1.5, 1.5, 1.5, 0.0), (s.Min, s.Max, s.Mean, s.Std));
        Assert.True(s.ElementsCopiedToHost < 3000);
        Assert.Contains("1.5000", s.Preview);
        Assert.Contains("...", s.Preview);
    }

    static Tensor full(double value) => ones(1) * value;

    [Fact]
    public void The_bundle_has_text_html_a_heatmap_and_a_histogram()
    {
        manual_seed(3);
        using var t = randn(20, 30);
        var bundle = new MimeBundle();
        TensorFormatter.Write(t, bundle);
        var plain = (string)bundle[MimeBundle.PlainText];
        Assert.StartsWith("tensor [20, 30] float32 on cpu", plain);
        Assert.Contains("tensor([[", plain);
        var html = (string)bundle[MimeBundle.Html];
        Assert.DoesNotContain("<details", html);
        Assert.Equal(2, html.Split("class=\"archnb-figure\"").Length - 1);
        // The heatmap's static SVG is inside the HTML, so it shows without JavaScript.
        var heat = TensorFormatter.HeatmapFigure(TensorSummary.Of(t))!;
        var svg = XDocument.Parse(heat.ToSvg()!);
        Assert.Equal(600, svg.Descendants().Count(e => e.Name.LocalName == "rect" && e.Element(e.Name.Namespace + "title") is not null));
        var json = heat.ToJson();
        Assert.Equal("heatmap", (string?)json["data"]![0]!["type"]);
        Assert.Equal("reversed", (string?)json["layout"]!["yaxis"]!["autorange"]);
        var hist = TensorFormatter.HistogramFigure(TensorSummary.Of(t))!.ToJson();
        Assert.Equal(600, ((JsonArray)hist["data"]![0]!["y"]!).Sum(v => (double)v!));
    }

    [CudaFact]
    public void A_100M_element_cuda_tensor_is_summarised_on_the_gpu()
    {
        manual_seed(2);
        using var big = randn([10_000, 10_000], device: CUDA);
        var s = TensorSummary.Of(big);
        Assert.Equal("cuda:0", s.Device);
        Assert.Equal(100_000_000, s.Count);
        Assert.Equal(Scalar(big.mean()), s.Mean, 12);
        Assert.Equal(Scalar(big.std()), s.Std, 12);
        Assert.Equal(2 + 4 + 40 + 48 * 48, s.ElementsCopiedToHost);
        Assert.Equal(36, s.PreviewElementsCopied);
        Assert.Contains("device='cuda:0'", s.Preview);
    }

    [Fact]
    public void Requires_grad_and_grad_fn_are_shown()
    {
        using var leaf = ones(3).requires_grad_();
        using var y = leaf * 2;
        Assert.Contains("requires_grad", TensorFormatter.PlainText(TensorSummary.Of(leaf)));
        Assert.Matches(@"^tensor \[3\] float32 on cpu, grad_fn=MulBackward\d$", TensorFormatter.PlainText(TensorSummary.Of(y)).Split('\n')[0]);
    }
}
