using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Data;

/// <summary>Mixup and random masking as options of the data pipeline: their statistics, their targets, and training through them.</summary>
public class AugmentationTests
{
    [Theory]
    [InlineData(0.2)]
    [InlineData(1.0)]
    [InlineData(4.0)]
    public void Mixup_draws_lambda_from_beta_alpha_alpha(double alpha)
    {
        var mixup = new Mixup(alpha);
        var rng = new Rng(7);
        var draws = Enumerable.Range(0, 20_000).Select(_ => mixup.Lambda(rng)).ToArray();
        Assert.All(draws, l => Assert.InRange(l, 0, 1));
        double mean = draws.Average(), variance = draws.Select(l => (l - mean) * (l - mean)).Average();
        // Beta(α, α): mean 1/2, variance 1 / (4(2α + 1)); 20,000 draws put the mean within ~0.01.
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(variance, 0.95 / (4 * (2 * alpha + 1)), 1.05 / (4 * (2 * alpha + 1)));
    }

    [Fact]
    public void Mixup_blends_inputs_and_one_hot_targets_with_the_same_lambda_and_leaves_held_out_batches_alone()
    {
        var task = new SetMaxTask(digits: 6, size: 3);
        var mixed = task.Augmented(new Mixup(0.4));
        using var plain = task.Sample(64, 5);
        using var batch = mixed.Sample(64, 5);
        Assert.Equal(new long[] { 64, 6 }, batch.Target.shape);
        Assert.Equal(ScalarType.Float32, batch.Target.dtype);
        var rows = batch.Target.sum(1).data<float>().ToArray();
        Assert.All(rows, s => Assert.Equal(1f, s, 5));
        // Each row's weight on its own label is one λ for the whole batch (or 1 where the shuffle paired two rows of the same label).
        using var own = batch.Target.gather(1, plain.Target.unsqueeze(1)).squeeze(1);
        var onOwn = own.data<float>().ToArray();
        double lambda = onOwn.Where(w => w < 0.9999f).Select(w => (double)w).DefaultIfEmpty(1).Min();
        Assert.All(onOwn, w => Assert.True(Math.Abs(w - lambda) < 1e-5 || Math.Abs(w - 1) < 1e-5, $"{w} vs λ {lambda}"));
        // The inputs are the same blend: λ·x + (1−λ)·x[perm] leaves the mean of every column's mass where it was.
        Assert.Equal(plain.Input.sum().ToDouble(), batch.Input.sum().ToDouble(), 3);
        Assert.False(equal(plain.Input, batch.Input));
        using var test = mixed.Sample(16, 5, Split.Test);
        using var testPlain = task.Sample(16, 5, Split.Test);
        Assert.True(equal(test.Input, testPlain.Input) && equal(test.Target, testPlain.Target));
        Assert.Contains("token ids", Assert.Throws<ArgumentException>(() => new CopyTask(symbols: 4, length: 3).Augmented(new Mixup())).Message);
    }

    [Theory]
    [InlineData(0.15)]
    [InlineData(0.5)]
    public void Masking_hides_the_asked_fraction_of_tokens_with_the_mask_token(double fraction)
    {
        var task = new CopyTask(symbols: 8, length: 16);
        var masking = new RandomMasking(fraction, MaskToken: 7);
        using var plain = task.Sample(512, 3);
        using var batch = task.Augmented(masking).Sample(512, 3);
        using var changed = batch.Input.ne(plain.Input);
        using var masked = masking.Mask(plain.Input.shape, tokens: true, seed: 3);
        double share = masked.to(ScalarType.Float32).mean().ToDouble();
        // 8,192 positions: the share is within ~4 standard errors of the fraction.
        Assert.InRange(share, fraction - 4 * Math.Sqrt(fraction * (1 - fraction) / 8192), fraction + 4 * Math.Sqrt(fraction * (1 - fraction) / 8192));
        Assert.True(batch.Input.masked_select(masked).eq(7).all().ToBoolean());
        Assert.True(equal(batch.Input.masked_select(masked.logical_not()), plain.Input.masked_select(masked.logical_not())));
        Assert.True(equal(batch.Target, plain.Target));   // targets are untouched
        Assert.Contains("not an id", Assert.Throws<ArgumentException>(() => task.Augmented(new RandomMasking(0.1, MaskToken: task.VocabSize!.Value))).Message);
    }

    [Fact]
    public void Masking_zeroes_whole_patches_of_images_across_channels()
    {
        var masking = new RandomMasking(0.25, PatchSize: 4);
        using var mask = masking.Mask([64, 3, 12, 12], tokens: false, seed: 11);
        // Every 4x4 patch is all masked or all kept, the same in every channel.
        using var patches = mask.to(ScalarType.Float32).reshape(64, 3, 3, 4, 3, 4).mean([3L, 5L]);
        Assert.True(patches.eq(0).logical_or(patches.eq(1)).all().ToBoolean());
        Assert.True(equal(patches.select(1, 0), patches.select(1, 2)));
        double share = patches.mean().ToDouble();   // 64 x 9 patches
        Assert.InRange(share, 0.25 - 4 * Math.Sqrt(0.25 * 0.75 / 576), 0.25 + 4 * Math.Sqrt(0.25 * 0.75 / 576));
        var task = new RotatedShapesTask(classes: 4, size: 12);
        using var batch = task.Augmented(masking).Sample(8, 2);
        using var plain = task.Sample(8, 2);
        using var kept = masking.Mask(plain.Input.shape, tokens: false, seed: 2).logical_not();
        Assert.True(equal(batch.Input, plain.Input.mul(kept.to(ScalarType.Float32))));
    }

    [Fact]
    public void Training_with_mixup_or_masking_still_learns_and_the_recipe_names_them()
    {
        var sets = new SetMaxTask(digits: 6, size: 3);
        var mix = new TrainConfig { Steps = 150, BatchSize = 64, LearningRate = 3e-3, EvalEvery = 0, EvalBatchSize = 256, Augmentations = [new Mixup(0.2)] };
        manual_seed(0);
        using var mlp = new TaskMlp(sets);
        var mixed = new Trainer(mix).Fit(mlp, sets);
        Assert.Equal(StopReason.Completed, mixed.Reason);
        Assert.True(mixed.Metric("test_accuracy") > 0.6, mixed.ToString());   // chance is 1/6
        Assert.Equal("mixup(alpha=0.2)", TrainingRecipe.Of(mix)["augmentation"]);

        var copy = new CopyTask(symbols: 4, length: 3);
        var mask = mix with { Steps = 200, Augmentations = [new RandomMasking(0.1)] };
        manual_seed(0);
        using var tokens = new TaskMlp(copy);
        var masked = new Trainer(mask).Fit(tokens, copy);
        Assert.True(masked.Metric("test_accuracy") > 0.6, masked.ToString());   // chance is 1/4
        Assert.Equal("masking(fraction=0.1, patch=1)", TrainingRecipe.Of(mask)["augmentation"]);
        Assert.False(TrainingRecipe.Of(mask with { Augmentations = null }).ContainsKey("augmentation"));
    }
}
