using ArchNotebooks.Library.Ablation;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using Xunit.Abstractions;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

/// <summary>D4 (rotations and reflections) in the group-convolution family: the group law, equivariance, C4 failing the reflection test, learning.</summary>
public class DihedralTests(ITestOutputHelper output)
{
    [Fact]
    public void D4_elements_compose_like_the_images_they_act_on()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(1, 2, 5, 5);
        var seen = new HashSet<string>();
        for (int a = 0; a < 8; a++)
        {
            var image = D4.Transform(x, a);
            seen.Add(string.Join(",", image.flatten().data<float>().ToArray().Select(v => v.ToString("F4"))));
            Assert.True(allclose(D4.Transform(image, D4.Inverse(a)), x), $"element {a} then its inverse");
            for (int b = 0; b < 8; b++)
                Assert.True(allclose(D4.Transform(D4.Transform(x, b), a), D4.Transform(x, D4.Compose(a, b))), $"{a}·{b}");
        }
        Assert.Equal(8, seen.Count);   // eight different images: the group acts faithfully
        Assert.True(allclose(D4.Transform(x, 4), x.flip(-1)), "element 4 is the mirror flip");
    }

    [Fact]
    public void D4_features_follow_every_rotation_and_reflection_and_logits_are_invariant()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        using var net = new C4Network(new C4Config(Hidden: 4, Layers: 3, Group: SymmetryGroup.D4));
        var x = randn(2, 1, 10, 10);
        var features = net.Features(x);
        Assert.Equal(new long[] { 2, 4, 8, 10, 10 }, features.shape);
        var logits = net.call(x);
        for (int g = 1; g < 8; g++)
        {
            var acted = D4.Transform(x, g);
            Assert.True(allclose(net.Features(acted), D4.ActOnFeatures(features, g), atol: 1e-5), $"features after element {g}");
            Assert.True(allclose(net.call(acted), logits, atol: 1e-5), $"logits changed after element {g}");
        }
        // The D4 action on features restricted to rotations is the C4 one (turn the maps, roll the rotation axis).
        using var c4 = new C4Network(new C4Config(Hidden: 4, Layers: 3));
        var c4Features = c4.Features(x);
        for (int k = 1; k < 4; k++) Assert.True(allclose(D4.ActOnFeatures(c4Features, k), C4.Rotate(c4Features, k).roll(k, 2)));
    }

    [Fact]
    public void C4_fails_the_reflection_test_that_D4_passes()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var x = randn(3, 1, 10, 10);
        var mirrored = x.flip(-1);
        using var c4 = new C4Config(Hidden: 4, Layers: 2).Build();
        using var d4 = new C4Config(Hidden: 4, Layers: 2, Group: SymmetryGroup.D4).Build();
        var c4Gap = (c4.call(mirrored) - c4.call(x)).abs().max().ToDouble();
        var d4Gap = (d4.call(mirrored) - d4.call(x)).abs().max().ToDouble();
        output.WriteLine($"largest logit change under a mirror flip: C4 {c4Gap:E2}, D4 {d4Gap:E2}");
        Assert.True(d4Gap < 1e-5, $"D4 changed by {d4Gap}");
        Assert.True(c4Gap > 1e-3, $"C4 should not be reflection-invariant, changed by only {c4Gap}");
        // Both still pass the rotation test.
        Assert.True(allclose(c4.call(C4.Rotate(x, 1)), c4.call(x), atol: 1e-5));
    }

    [Fact]
    public void Group_is_an_ablation_point_and_D4_doubles_the_group_axis()
    {
        var baseline = new C4Config();
        var group = AblationPoints.For(baseline).Single(p => p.Field == "Group");
        Assert.Equal(new object?[] { SymmetryGroup.D4 }, group.Alternatives);
        var d4 = AblationPoints.Ablate(baseline, "Group", "D4");
        Assert.Equal(baseline with { Group = SymmetryGroup.D4 }, d4);
        using var c4Model = baseline.Build();
        using var d4Model = d4.Build();
        // The lifting filters are shared across the group; a group conv's filters span its group axis.
        Assert.Equal(2 * c4Model.named_parameters().Single(p => p.name == "convs.1.weight").parameter.numel(),
            d4Model.named_parameters().Single(p => p.name == "convs.1.weight").parameter.numel());
    }

    [Fact]
    public void D4_network_recognises_rotated_shapes_it_only_saw_upright()
    {
        var task = new RotatedShapesTask(classes: 4, size: 10);
        var outcome = LearningProbe.Train(new C4Config(Hidden: 6, Group: SymmetryGroup.D4), task, steps: 150, split: Split.Generalization);
        output.WriteLine($"D4 network on rotated shapes: {outcome}");
        Assert.True(outcome.Accuracy >= 0.9, outcome.ToString());
    }
}
