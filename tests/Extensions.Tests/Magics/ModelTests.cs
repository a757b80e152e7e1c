using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>model, points, summary, attention, profile, device and help, through the host's session.</summary>
[Collection("magics")]
public sealed class ModelTests(MagicSession s)
{
    const string Tiny = "--task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16";

    [Fact]
    public void Model_binds_a_typed_variable_that_the_csharp_below_can_use()
    {
        var r = s.Run($"#!arch model gpt --name lm {Tiny}\nlm.GetType().Name + \" \" + lm.num_parameters() + \" \" + lm.Config.Causal");
        Assert.Null(r.Error);
        Assert.Matches(@"^lm = GPT: gpt for copy\(symbols=4,length=3\), [\d,]+ parameters on cpu", r.Stdout);
        var parameters = s.Run("lm.num_parameters()").ResultText;
        Assert.Equal($"GPT {parameters} True", r.ResultText);
        // The module tree is displayed, with parameter shapes.
        var tree = r.Displays.Single();
        Assert.Contains("wte: Embedding", tree[MimeBundle.PlainText].ToString());
        Assert.Contains("<span class=\"archnb-type\">MultiHeadAttention</span>", tree[MimeBundle.Html].ToString());
    }

    [Fact]
    public void Several_magic_lines_then_csharp_run_in_order()
    {
        var r = s.Run($"#!arch model deepsets --name sets --task setsum --config hidden=8\n#!arch points sets\n\n#!arch summary sets\nvar total = sets.num_parameters();\ntotal");
        Assert.Null(r.Error);
        Assert.Equal(3, r.Displays.Count);   // module tree, points, summary
        Assert.Contains("Pooling", r.Displays[1][MimeBundle.PlainText].ToString());
        Assert.Contains("Summary of sets (DeepSets)", r.Displays[2][MimeBundle.PlainText].ToString());
        Assert.Equal(s.Run("sets.num_parameters()").ResultText, r.ResultText);
    }

    [Fact]
    public void Points_lists_every_ablation_point_with_current_value_and_alternatives()
    {
        var r = s.Run("#!arch points m");
        Assert.Null(r.Error);
        var text = r.Text;
        foreach (var point in new[] { "Attention", "Ffn", "Norm", "PreNorm", "Residual", "Position", "Causal", "Pattern", "Activation", "Glu", "Pooling" })
            Assert.Matches($"(?m)^{point} ", text);
        Assert.Matches(@"(?m)^Norm\s+LayerNorm\s+RMSNorm, None\s+swap or remove the normalisation", text);
        Assert.Contains("<code>Norm</code>", r.Html);
        // A family name shows that family's defaults.
        Assert.Contains("TopK", s.Run("#!arch points moe").Text);
    }

    [Fact]
    public void Summary_has_a_row_per_layer_with_shapes_parameters_flops_and_totals()
    {
        var r = s.Run("#!arch summary m --batch 2");
        Assert.Null(r.Error);
        var text = r.Text;
        // copy with 3 symbols: input [2, 7] tokens, 6 classes; dim 16, one block, 2 heads.
        Assert.Matches(@"(?m)^m\s+GPT\s+\[2, 7, 6\]\s+[\d,]+\s+[\d.]+ k", text);
        Assert.Matches(@"(?m)^\s+wte\s+Embedding\s+\[2, 7, 16\]\s+96\s+0\s", text);
        Assert.Matches(@"(?m)^\s+attn\s+MultiHeadAttention\s+\[2, 7, 16\]\s+1,088\s", text);
        // fc: Linear 16 -> 64 on 14 positions = 2 * 16 * 64 * 14 FLOPs; its output is 2*7*64 floats.
        Assert.Matches(@"(?m)^\s+fc\s+Linear\s+\[2, 7, 64\]\s+1,088\s+28\.67 k\s+3\.5 KiB", text);
        Assert.Matches(@"(?m)^total\s+input \[2, 7\]", text);
        var parameters = s.Run("m.num_parameters()").ResultText!;
        Assert.Contains($"{long.Parse(parameters):N0} parameters", text);
        Assert.Contains("<th>FLOPs</th>", r.Html);
    }

    [Fact]
    public void Summary_of_a_model_without_a_task_takes_an_input_shape()
    {
        s.Run("var handmade = new ArchNotebooks.Library.Layers.Linear(8, 4);");
        var r = s.Run("#!arch summary handmade --input-shape 3,8");
        Assert.Null(r.Error);
        Assert.Matches(@"(?m)^handmade\s+Linear\s+\[3, 4\]\s+36\s+192\s", r.Text);
        var missing = s.Run("#!arch summary handmade");
        Assert.Contains("give --task <task> or --input-shape", missing.ErrorText);
    }

    [Fact]
    public void Attention_shows_every_layer_and_head_with_token_labels()
    {
        var r = s.Run("#!arch attention m --input \"0 1 2 4 5 5 5\" --labels a,b,c,SEP,_,_,_");
        Assert.Null(r.Error);
        var maps = r.Displays.Single();
        Assert.Contains("1 layers x 2 heads over 7 tokens: a b c SEP _ _ _", maps[MimeBundle.PlainText].ToString());
        Assert.Contains("transformer.blocks.0.attn head 1", maps[MimeBundle.PlainText].ToString());
        var heatmaps = r.Figures().SelectMany(f => f["data"]!.AsArray()).Where(t => (string?)t!["type"] == "heatmap").ToList();
        Assert.True(heatmaps.Count >= 2, $"expected a heatmap per head, got {heatmaps.Count}");
        Assert.Contains(r.Figures(), f => f.ToJsonString().Contains("\"SEP\""));
        // Without --input: a test example of the model's task, labelled by token id.
        var sample = s.Run("#!arch attention m");
        Assert.Null(sample.Error);
        Assert.Matches(@"over 7 tokens: (\d ){6}\d", sample.Text);
    }

    [Fact]
    public void Profile_times_every_layer_on_the_model_device()
    {
        var r = s.Run("#!arch profile m --batch 4 --repeat 3");
        Assert.Null(r.Error);
        var text = r.Text;
        Assert.Matches(@"(?m)^m\s+GPT\s+[\d.]+\s+100\.0%", text);
        Assert.Matches(@"(?m)^\s+attn\s+MultiHeadAttention\s+[\d.]+\s+[\d.]+%", text);
        Assert.Contains("median of 3 calls on cpu", text);
        var bars = r.Figures().Single()["data"]![0]!;
        Assert.Equal("bar", (string?)bars["type"]);
        Assert.Contains("transformer.blocks.0.mlp.fc", bars.ToJsonString());
    }

    [Fact]
    public void Device_reports_libtorch_threads_and_memory()
    {
        var r = s.Run("#!arch device");
        Assert.Null(r.Error);
        var text = r.Text;
        var version = s.Run("ArchNotebooks.Torch.torch.__version__").ResultText!;
        Assert.Matches($@"(?m)^libtorch\s+{System.Text.RegularExpressions.Regex.Escape(version)}$", text);
        Assert.Matches(@"(?m)^devices\s+cpu", text);
        Assert.Matches(@"(?m)^intra-op threads\s+\d+$", text);
        Assert.Matches(@"(?m)^machine memory\s+[\d.]+ \w+ available of", text);
        Assert.Matches(@"(?m)^CPU allocator\s+blocks up to 4 KiB from a per-thread cache; glibc malloc with fixed thresholds: heap below 32(\.0)? MiB", text);
        Assert.Contains("PyTorch built with", text);
        Assert.Contains("libtorch build configuration", r.Html);
    }

    [Fact]
    public void Help_lists_subcommands_families_tasks_and_examples()
    {
        var r = s.Run("#!arch --help");
        Assert.Null(r.Error);
        foreach (var name in new[] { "model", "points", "summary", "check", "train", "ablate", "scale", "attention", "runs", "compare", "sql", "device", "profile" })
            Assert.Matches($"(?m)^  {name} ", r.Stdout);
        Assert.Contains("Families: transformer, gpt, moe, deepsets, settransformer, c4, video, memory, hourglass", r.Stdout);
        Assert.Contains("Tasks:    copy, reverse, sort, recall, induction, parity, modadd, setsum, setmax, rotated-shapes, video", r.Stdout);
        Assert.Contains("Examples:\n  #!arch model", r.Stdout);
        Assert.Equal(r.Stdout, s.Run("#!arch").Stdout);
        foreach (var name in new[] { "train", "ablate", "sql" })
        {
            var sub = s.Run($"#!arch {name} --help").Stdout;
            Assert.StartsWith($"#!arch {name}: ", sub);
            Assert.Contains($"Examples:\n  #!arch {name} ", sub);
            Assert.Equal(sub, s.Run($"#!arch help {name}").Stdout);
        }
        Assert.Contains("  --swap <point=value,...>", s.Run("#!arch ablate -h").Stdout);
        Assert.Contains("hourglass", s.Run("#!arch model --help").Stdout);   // families and their config fields
    }
}
