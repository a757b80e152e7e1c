namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>#!arch intervene and #!arch attention on families beyond the plain transformer, through the host's session.</summary>
[Collection("magics")]
public sealed class InterveneTests(MagicSession s)
{
    [Fact]
    public void Intervene_ablates_every_component_and_head_and_sorts_by_the_drop()
    {
        var r = s.Run("#!arch intervene m --method zero --batches 2 --batch 8 --result iv");
        Assert.Null(r.Error);
        var text = r.Text;
        Assert.Contains("Zero ablation of m: accuracy drop per component over 2 test batches", text);
        Assert.Matches(@"(?m)^transformer\.blocks\.0\.attn head 1\s+[\d.]+\s+-?[\d.]+\s+\[-?[\d.]+, -?[\d.]+\]$", text);
        Assert.Matches(@"(?m)^transformer\.blocks\.0\.mlp\s", text);
        var heatmap = r.Figures().Single()["data"]![0]!;
        Assert.Equal("heatmap", (string?)heatmap["type"]);
        Assert.Contains("transformer.blocks.0.attn", heatmap.ToJsonString());
        // The bound result: sorted by the drop, one effect per component, each drop the baseline minus the ablated accuracy.
        Assert.Equal("True True", s.Run("iv.Effects.Zip(iv.Effects.Skip(1), (a, b) => a.Change >= b.Change).All(x => x) + \" \" + iv.Effects.All(e => Math.Abs(iv.Baseline - e.Metric - e.Change) < 1e-9)").ResultText);
        Assert.Equal("3", s.Run("iv.Effects.Count(e => e.Target.Module == \"transformer.blocks.0.attn\")").ResultText);  // the module and its 2 heads
    }

    [Fact]
    public void Patching_reports_clean_and_corrupted_and_what_each_component_restores()
    {
        var r = s.Run("#!arch intervene m --method patch --batches 2 --batch 8 --no-heads --modules \"transformer.blocks.*\"");
        Assert.Null(r.Error);
        Assert.Contains("Activation patching of m: accuracy restored per component", r.Text);
        Assert.Matches(@"accuracy: clean [\d.]+, corrupted [\d.]+", r.Text);
        Assert.Matches(@"(?m)^transformer\.blocks\.0\s", r.Text);
        Assert.DoesNotContain(" head ", r.Text);
    }

    [Theory]
    [InlineData("#!arch intervene m --modules \"decoder.*\"", "no module of GPT matches decoder.*")]
    [InlineData("#!arch intervene m --metric f1", "'f1' is not a metric; use accuracy or loss")]
    [InlineData("#!arch intervene m --method erase", "expected one of zero, mean, resample, patch")]
    public void Bad_requests_are_named(string line, string message)
    {
        var r = s.Run(line);
        Assert.NotNull(r.Error);
        Assert.Contains(message, r.ErrorText);
    }

    [Fact]
    public void Attention_works_on_the_factorized_video_model()
    {
        var r = s.Run("#!arch model video --name clip --task video --config dim=8,heads=2\n#!arch attention clip");
        Assert.Null(r.Error);
        var text = r.Displays[^1][Interactive.MimeBundle.PlainText].ToString()!;
        Assert.Matches(@"spatial: spatial\.0\.attn: 16 queries x 16 keys \(mean over the 6 frames\)", text);
        Assert.Contains("fusion: fusion: 6 queries x 16 keys", text);
    }
}
