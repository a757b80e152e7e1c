using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Families;

public class MemoryAndHierarchyTests
{
    [Fact]
    public void Memory_network_reads_only_slots_before_each_position()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var net = new KeyValueMemoryNetwork(new KeyValueMemoryConfig(Hops: 1));
        var x = randint(16, new long[] { 2, 7 });
        using var cap = net.capture("weights0");
        var y = net.call(x);
        Assert.Equal(new long[] { 2, 7, 16 }, y.shape);
        var w = cap["weights0"];                                        // (N, T, slots)
        Assert.Equal(new long[] { 2, 7, 3 }, w.shape);
        // Slot i covers positions 2i, 2i+1: position t reads it only when 2i + 1 < t.
        for (int t = 0; t < 7; t++)
            for (int i = 0; i < 3; i++)
                Assert.True((w[0, t, i].ToDouble() > 0) == (2 * i + 1 < t), $"position {t}, slot {i}");
        // Changing a later token leaves earlier outputs alone.
        var changed = x.clone();
        changed[0, 6].fill_((x[0, 6].ToInt64() + 1) % 16);
        Assert.True(allclose(net.call(changed).narrow(1, 0, 6), y.narrow(1, 0, 6)));
        using var noMemory = new KeyValueMemoryConfig(Memory: false).Build();
        Assert.Equal(new long[] { 2, 7, 16 }, noMemory.call(x).shape);
    }

    [Fact]
    public void Hourglass_shortens_and_lengthens_and_keeps_the_shape()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var h = arange(5, float32).reshape(1, 5, 1);
        Assert.Equal(new float[] { 0.5f, 2.5f, 4f }, Hourglass.Shorten(h, 2).data<float>());
        Assert.Equal(new float[] { 0, 0, 1, 1, 2 }, Hourglass.Lengthen(arange(3, float32).reshape(1, 3, 1), 2, 5).data<float>());
        var tokens = randint(16, new long[] { 2, 11 });
        foreach (var config in new[] { new HourglassConfig(), new HourglassConfig(Downsample: false), new HourglassConfig(Skip: false, Stages: 3) })
        {
            using var model = config.Build();
            using var cap = model.capture("scale*");
            Assert.Equal(new long[] { 2, 11, 16 }, model.call(tokens).shape);
            if (config.Downsample) Assert.Equal(new long[] { 2, 6, 64 }, cap["scale1"].shape);
        }
        using var classifier = new HourglassConfig(PerToken: false, Classes: 3).Build();
        Assert.Equal(new long[] { 2, 3 }, classifier.call(tokens).shape);
    }

    [Fact]
    public void Memory_network_learns_associative_recall_and_needs_its_memory()
    {
        double Run(KeyValueMemoryConfig config)
        {
            manual_seed(0);
            var task = new AssociativeRecallTask();
            using var model = config.For(task).Build();
            var result = new Trainer(new TrainConfig { Steps = 400, BatchSize = 32, LearningRate = 5e-3, EvalEvery = 400, EvalBatchSize = 128, Seed = 1 }).Fit(model, task);
            return result.Metric(Evaluation.AccuracyName(Split.Test));
        }
        var withMemory = Run(new KeyValueMemoryConfig());
        var without = Run(new KeyValueMemoryConfig(Memory: false));
        Assert.True(withMemory >= 0.9, $"recall accuracy with memory {withMemory:P1}");
        Assert.True(without < 0.4, $"recall accuracy without memory {without:P1}");
    }
}
