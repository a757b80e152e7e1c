using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;
using F = ArchNotebooks.Torch.torch.nn.functional;

namespace Library.Tests.Tasks;

public class TaskTests
{
    public static IEnumerable<object[]> AllTasks() => new ISyntheticTask[]
    {
        new CopyTask(), new ReverseTask(), new SortTask(), new AssociativeRecallTask(), new InductionHeadsTask(),
        new ParityTask(), new ModularAdditionTask(11), new SetSumTask(), new SetMaxTask(), new RotatedShapesTask(),
        new MovingShapesVideoTask(), new ShortestPathTask(),
    }.Select(t => new object[] { t });

    static long[] Longs(Tensor t) => t.contiguous().data<long>();

    [Theory, MemberData(nameof(AllTasks))]
    public void Same_seed_gives_the_same_batch_and_other_seeds_and_splits_differ(ISyntheticTask task)
    {
        using var scope = NewDisposeScope();
        var a = task.Sample(16, 7);
        var b = task.Sample(16, 7);
        Assert.True(equal(a.Input, b.Input) && equal(a.Target, b.Target));
        Assert.False(equal(a.Input, task.Sample(16, 8).Input));
        Assert.False(equal(a.Input, task.Sample(16, 7, Split.Test).Input));
        Assert.Equal(new long[] { 16 }.Concat(task.InputShape()).ToArray(), a.Input.shape);
        Assert.Equal(task.InputDType, a.Input.dtype);
        // Uniform logits score exactly ln(C); logits that put all mass on the answer score ~0 and 100%.
        var uniform = zeros(task.LogitsShape(16));
        Assert.Equal(task.ExpectedInitialLoss, task.ComputeLoss(uniform, a.Target).ToDouble(), 1e-5);
        var labels = a.Target.clamp(0, null).to(ScalarType.Int64);
        var perfect = one_hot(labels, task.NumClasses).to(ScalarType.Float32).mul(50.0);
        Assert.True(task.ComputeLoss(perfect, a.Target).ToDouble() < 1e-6);
        Assert.Equal(1.0, task.Accuracy(perfect, a.Target));
        Assert.Throws<ArgumentException>(() => task.ComputeLoss(zeros(16, task.NumClasses + 1), a.Target));
    }

    [Theory, MemberData(nameof(AllTasks))]
    public void Train_and_test_examples_never_coincide(ISyntheticTask task)
    {
        using var scope = NewDisposeScope();
        var train = Rows(task.Sample(512, 1).Input);
        var test = Rows(task.Sample(512, 1, Split.Test).Input);
        Assert.Empty(train.Intersect(test));
    }

    static HashSet<string> Rows(Tensor input)
    {
        var flat = input.flatten(1).to(ScalarType.Float64).contiguous();
        long n = flat.shape[0], d = flat.shape[1];
        var data = flat.data<double>();
        return Enumerable.Range(0, (int)n).Select(i => string.Join(",", data.Skip(i * (int)d).Take((int)d))).ToHashSet();
    }

    [Fact]
    public void Copy_reverse_and_sort_answer_at_the_blanks_only()
    {
        using var scope = NewDisposeScope();
        foreach (var task in new SequenceTransductionTask[] { new CopyTask(5, 6), new ReverseTask(5, 6), new SortTask(5, 6) })
        {
            var batch = task.Sample(32, 3);
            var x = Longs(batch.Input);
            var y = Longs(batch.Target);
            for (int i = 0; i < 32; i++)
            {
                var row = x.AsSpan(i * 13, 13).ToArray();
                var data = row[..6];
                Assert.All(data, v => Assert.InRange(v, 0, 4));
                Assert.Equal(task.Sep, row[6]);
                Assert.All(row[7..], v => Assert.Equal(task.Blank, v));
                var answer = y.AsSpan(i * 13 + 7, 6).ToArray();
                var expected = task is CopyTask ? data : task is ReverseTask ? data.Reverse().ToArray() : data.Order().ToArray();
                Assert.Equal(expected, answer);
                Assert.All(y.AsSpan(i * 13, 7).ToArray(), v => Assert.Equal(SyntheticTask.Ignore, v));
            }
            Assert.Equal(new long[] { 4, 33 }, task.Sample(4, 0, Split.Generalization).Input.shape);
        }
    }

    [Fact]
    public void Parity_and_modular_addition_labels_are_right()
    {
        using var scope = NewDisposeScope();
        var parity = new ParityTask(bits: 6).Sample(64, 0);
        Assert.True(equal(parity.Input.sum(1).remainder(2), parity.Target));
        var mod = new ModularAdditionTask(13, trainFraction: 0.7);
        var sums = mod.Sample(64, 0);
        Assert.True(equal(sums.Input.sum(1).remainder(13), sums.Target));
        // The splits partition all 169 pairs: train, validation and test together cover them, with no overlap.
        var seen = new[] { Split.Train, Split.Test, Split.Validation }.Select(s => Pairs(mod.Sample(4000, 5, s).Input)).ToArray();
        Assert.Empty(seen[0].Intersect(seen[1]));
        Assert.Empty(seen[0].Intersect(seen[2]));
        Assert.Empty(seen[1].Intersect(seen[2]));
        Assert.Equal(169, seen[0].Count + seen[1].Count + seen[2].Count);
        Assert.InRange(seen[0].Count / 169.0, 0.55, 0.85);
        Assert.InRange(seen[2].Count / (double)(seen[0].Count + seen[2].Count), 0.03, 0.2);   // validation: a tenth of the non-test pairs
    }

    static HashSet<(long, long)> Pairs(Tensor input)
    {
        var v = Longs(input);
        return Enumerable.Range(0, v.Length / 2).Select(i => (v[2 * i], v[2 * i + 1])).ToHashSet();
    }

    [Fact]
    public void Recall_and_induction_answers_come_from_the_context()
    {
        using var scope = NewDisposeScope();
        var recall = new AssociativeRecallTask(keys: 6, values: 5, pairs: 3, generalizationPairs: 6);
        var r = recall.Sample(64, 2);
        var (rx, ry) = (Longs(r.Input), Longs(r.Target));
        for (int i = 0; i < 64; i++)
        {
            var row = rx.AsSpan(i * 7, 7).ToArray();
            int at = Array.IndexOf(row, row[6]);
            Assert.True(at % 2 == 0 && at < 6, "the query is one of the keys");
            Assert.Equal(row[at + 1], ry[i * 7 + 6]);
            Assert.InRange(ry[i * 7 + 6], 6, 10);
        }
        var induction = new InductionHeadsTask(vocab: 8, length: 10);
        var b = induction.Sample(64, 2);
        var (bx, by) = (Longs(b.Input), Longs(b.Target));
        for (int i = 0; i < 64; i++)
        {
            var row = bx.AsSpan(i * 10, 10).ToArray();
            Assert.Equal(2, row.Count(v => v == row[9]));
            Assert.Equal(row[Array.IndexOf(row, row[9]) + 1], by[i * 10 + 9]);
            Assert.Equal(9, by.AsSpan(i * 10, 10).ToArray().Count(v => v == SyntheticTask.Ignore));
        }
    }

    [Fact]
    public void Set_labels_are_sums_and_maxima_and_permuted_sets_share_a_split()
    {
        using var scope = NewDisposeScope();
        var sumTask = new SetSumTask(digits: 5, size: 4);
        var s = sumTask.Sample(64, 0);
        var digits = s.Input.argmax(-1);
        Assert.True(equal(digits.sum(1), s.Target));
        var m = new SetMaxTask(digits: 10, size: 4).Sample(64, 0);
        Assert.True(equal(m.Input.argmax(-1).amax(1), m.Target));
        var one = s.Input.select(0, 0).contiguous();
        Assert.Equal(sumTask.IsTestExample(one.data<float>()), sumTask.IsTestExample(one.flip(0).contiguous().data<float>()));
        Assert.Equal(new long[] { 2, 8, 5 }, sumTask.Sample(2, 0, Split.Generalization).Input.shape);
    }
}
