using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Tasks;

public class ImageTaskTests
{
    /// <summary>The pixels of an s×s image cropped to their bounding box, as rows of '#' and '.'.</summary>
    static string Crop(float[] image, int offset, int s)
    {
        var on = Enumerable.Range(0, s * s).Where(i => image[offset + i] > 0.5f).Select(i => (y: i / s, x: i % s)).ToArray();
        int y0 = on.Min(p => p.y), y1 = on.Max(p => p.y), x0 = on.Min(p => p.x), x1 = on.Max(p => p.x);
        return string.Join("/", Enumerable.Range(y0, y1 - y0 + 1).Select(y =>
            new string(Enumerable.Range(x0, x1 - x0 + 1).Select(x => on.Contains((y, x)) ? '#' : '.').ToArray())));
    }

    static string Rot90(string crop)
    {
        var rows = crop.Split('/');
        int h = rows.Length, w = rows[0].Length;
        // Counter-clockwise, as torch.rot90: new[i][j] = old[j][w-1-i].
        return string.Join("/", Enumerable.Range(0, w).Select(i => new string(Enumerable.Range(0, h).Select(j => rows[j][w - 1 - i]).ToArray())));
    }

    [Fact]
    public void Rotated_shapes_are_upright_in_training_and_turned_in_the_generalization_split()
    {
        using var scope = NewDisposeScope();
        var task = new RotatedShapesTask(classes: 6, size: 10);
        var train = task.Sample(300, 0);
        var turned = task.Sample(300, 0, Split.Generalization);
        Assert.Equal(new long[] { 300, 1, 10, 10 }, train.Input.shape);
        Assert.True(equal(train.Input.sum(new long[] { 1, 2, 3 }), full(new long[] { 300 }, 5.0)));
        var (tx, ty) = (train.Input.contiguous().data<float>(), train.Target.data<long>());
        var (gx, gy) = (turned.Input.contiguous().data<float>(), turned.Target.data<long>());
        var upright = new Dictionary<long, HashSet<string>>();
        for (int i = 0; i < 300; i++) (upright.TryGetValue(ty[i], out var set) ? set : upright[ty[i]] = new()).Add(Crop(tx, i * 100, 10));
        Assert.Equal(6, upright.Count);
        Assert.All(upright.Values, crops => Assert.Single(crops));
        for (int i = 0; i < 300; i++)
        {
            var crop = Crop(gx, i * 100, 10);
            var baseCrop = upright[gy[i]].Single();
            var r1 = Rot90(baseCrop);
            var r2 = Rot90(r1);
            var r3 = Rot90(r2);
            Assert.Contains(crop, new[] { r1, r2, r3 });
            Assert.NotEqual(baseCrop, crop);  // none of the first six pentominoes has rotational symmetry
        }
        Assert.Equal((2, 0), RotatedShapesTask.Rotate(0, 0, 1, 3));   // top-left goes to bottom-left on a CCW turn
    }

    [Fact]
    public void Video_classes_need_appearance_for_still_clips_and_motion_for_moving_ones()
    {
        using var scope = NewDisposeScope();
        var task = new MovingShapesVideoTask(frames: 5, size: 10);
        var batch = task.Sample(200, 4);
        Assert.Equal(new long[] { 200, 5, 1, 10, 10 }, batch.Input.shape);
        var x = batch.Input.contiguous().data<float>();
        var y = batch.Target.data<long>();
        Assert.Equal(4, y.Distinct().Count());
        int frame = 100, clip = 500;
        (double cy, double cx) Centre(int i, int f)
        {
            var on = Enumerable.Range(0, frame).Where(p => x[i * clip + f * frame + p] > 0.5f).ToArray();
            return (on.Average(p => p / 10), on.Average(p => p % 10));
        }
        for (int i = 0; i < 200; i++)
        {
            int pixels = Enumerable.Range(0, frame).Count(p => x[i * clip + p] > 0.5f);
            var (first, last) = (Centre(i, 0), Centre(i, 4));
            switch (y[i])
            {
                case MovingShapesVideoTask.StillSquare: Assert.Equal(9, pixels); Assert.Equal(first, last); break;
                case MovingShapesVideoTask.StillPlus: Assert.Equal(5, pixels); Assert.Equal(first, last); break;
                case MovingShapesVideoTask.MovingHorizontally:
                    Assert.Equal(first.cy, last.cy); Assert.Equal(4, Math.Abs(last.cx - first.cx), 9); break;
                default:
                    Assert.Equal(first.cx, last.cx); Assert.Equal(4, Math.Abs(last.cy - first.cy), 9); break;
            }
        }
    }
}
