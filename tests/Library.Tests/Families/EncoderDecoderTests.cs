using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using Xunit.Abstractions;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>The encoder–decoder transformer: shapes, its cross-attention ablation, batch independence, and learning reverse.</summary>
public class EncoderDecoderTests(ITestOutputHelper output)
{
    static readonly ReverseTask Reverse = new(symbols: 8, length: 6);

    [Fact]
    public void Shapes_follow_the_task_and_the_ablation_points_are_listed()
    {
        manual_seed(0);
        var config = (EncoderDecoderConfig)new EncoderDecoderConfig(Dim: 16, Heads: 2).For(Reverse);
        Assert.Equal(10, config.Vocab);
        using var model = config.Build();
        using var batch = Reverse.Sample(3, seed: 1);
        using var logits = model.call(batch.Input);
        Assert.Equal(Reverse.LogitsShape(3), logits.shape);
        Assert.Equal(new long[] { 3, 13, 10 }, logits.shape);
        using var classifier = (config with { PerToken = false, Classes = 5 }).Build();
        using var pooled = classifier.call(batch.Input);
        Assert.Equal(new long[] { 3, 5 }, pooled.shape);
        Assert.Contains(AblationPoints.For(config), p => p.Field == "CrossAttention");
        Assert.True(SanityChecks.BatchDependencies(model, Reverse).Passed);
        Assert.Throws<ArgumentException>(() => new EncoderDecoderConfig().For(new SetMaxTask()));
    }

    [Fact]
    public void Without_cross_attention_the_decoder_cannot_see_the_input()
    {
        using var a = Reverse.Sample(4, seed: 1);
        using var b = Reverse.Sample(4, seed: 2);
        Assert.NotEqual(a.Input.data<long>(), b.Input.data<long>());
        foreach (var cross in new[] { true, false })
        {
            manual_seed(0);
            using var model = new EncoderDecoderConfig(Dim: 16, Heads: 2, CrossAttention: cross).For(Reverse).Build();
            using var _ = no_grad();
            using var diff = (model.call(a.Input) - model.call(b.Input)).abs().max();
            if (cross) Assert.True(diff.ToDouble() > 1e-4, $"with cross-attention the logits should depend on the input (max diff {diff.ToDouble():E2})");
            else Assert.Equal(0.0, diff.ToDouble());
        }
    }

    [Fact]
    public void Encoder_decoder_learns_reverse()
    {
        var outcome = LearningProbe.Train(new EncoderDecoderConfig(Dim: 32, Heads: 4), Reverse, steps: 250);
        output.WriteLine($"encoder-decoder on reverse: {outcome}");
        Assert.True(outcome.Accuracy >= 0.95, outcome.ToString());
    }
}
