namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// A video task that needs both appearance and motion. Clips are (frames, 1, size, size), one 3×3
/// shape (a filled square or a plus) per clip. Classes: 0 still square, 1 still plus, 2 moving
/// horizontally, 3 moving vertically (either shape, either direction). Still classes differ only in
/// appearance, so a motion-only model cannot tell them apart; a single frame of a moving shape looks
/// like a still one, so an appearance-only model cannot find the moving classes.
/// </summary>
public sealed class MovingShapesVideoTask : SyntheticTask<float>
{
    public const int StillSquare = 0, StillPlus = 1, MovingHorizontally = 2, MovingVertically = 3;
    static readonly string[] ClassLabels = { "still square", "still plus", "moving horizontally", "moving vertically" };
    static readonly string[][] Shapes = { new[] { "###", "###", "###" }, new[] { ".#.", "###", ".#." } };

    public MovingShapesVideoTask(int frames = 6, int size = 12, double testFraction = 0.2)
        : base("moving-shapes-video", LossKind.Classification, 4, testFraction)
    {
        if (frames < 2) throw new ArgumentException($"motion needs at least 2 frames, got {frames}");
        if (size < 3 + frames - 1) throw new ArgumentException($"a {size}x{size} frame is too small for a 3x3 shape moving over {frames} frames");
        Frames = frames;
        FrameSize = size;
    }

    public int Frames { get; }
    public int FrameSize { get; }
    public IReadOnlyList<string> ClassNames => ClassLabels;
    public override bool HasGeneralizationSplit => false;
    public override string Description =>
        $"{Frames} frames of {FrameSize}x{FrameSize}: still square / still plus (appearance) vs moving horizontally / vertically (motion)";
    public override long[] InputShape(Split split = Split.Train) => new long[] { Frames, 1, FrameSize, FrameSize };
    protected override int TargetLength(Split split) => 1;

    protected override void Generate(Rng rng, Split split, Span<float> input, Span<long> target)
    {
        int label = rng.Next(4), s = FrameSize, travel = Frames - 1;
        int shape = label switch { StillSquare => 0, StillPlus => 1, _ => rng.Next(2) };
        int dy = 0, dx = 0;
        if (label == MovingHorizontally) dx = rng.NextBool() ? 1 : -1;
        if (label == MovingVertically) dy = rng.NextBool() ? 1 : -1;
        // Start so the whole path stays inside the frame.
        int y0 = dy == 0 ? rng.Next(s - 2) : (dy > 0 ? rng.Next(s - 2 - travel) : travel + rng.Next(s - 2 - travel));
        int x0 = dx == 0 ? rng.Next(s - 2) : (dx > 0 ? rng.Next(s - 2 - travel) : travel + rng.Next(s - 2 - travel));
        for (int f = 0; f < Frames; f++)
        {
            var frame = input.Slice(f * s * s, s * s);
            int y = y0 + dy * f, x = x0 + dx * f;
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    if (Shapes[shape][r][c] == '#') frame[(y + r) * s + x + c] = 1;
        }
        target[0] = label;
    }
}
