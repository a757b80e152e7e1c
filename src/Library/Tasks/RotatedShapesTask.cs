namespace ArchNotebooks.Library.Tasks;

/// <summary>
/// Rotated-shape classification, the equivariance test bed: each image (1, size, size) holds one
/// pentomino at a random position and the class is which pentomino. Train and Test are upright; the
/// Generalization split rotates whole images by 90°, 180° or 270°. A C4-equivariant model with an
/// invariant read-out classifies rotated shapes as well as upright ones; a plain CNN trained upright does not.
/// </summary>
public sealed class RotatedShapesTask : SyntheticTask<float>
{
    // The twelve free pentominoes in 5x5 boxes; no two are rotations of each other, so the class
    // survives rotation. The first nine have no rotational symmetry of their own (Z and I look the
    // same after a half turn, X after a quarter turn), so every turn of them is a new image.
    static readonly (string name, string[] rows)[] Pentominoes =
    {
        ("F", new[] { ".##", "##.", ".#." }),
        ("L", new[] { "#.", "#.", "#.", "##" }),
        ("P", new[] { "##", "##", "#." }),
        ("N", new[] { ".#", ".#", "##", "#." }),
        ("Y", new[] { ".#", "##", ".#", ".#" }),
        ("T", new[] { "###", ".#.", ".#." }),
        ("U", new[] { "#.#", "###" }),
        ("V", new[] { "#..", "#..", "###" }),
        ("W", new[] { "#..", "##.", ".##" }),
        ("Z", new[] { "##.", ".#.", ".##" }),
        ("X", new[] { ".#.", "###", ".#." }),
        ("I", new[] { "#", "#", "#", "#", "#" }),
    };

    public RotatedShapesTask(int classes = 6, int size = 12, bool rotateTraining = false, double testFraction = 0.2)
        : base("rotated-shapes", LossKind.Classification, classes, testFraction)
    {
        if (classes < 2 || classes > Pentominoes.Length) throw new ArgumentException($"rotated shapes has 2 to {Pentominoes.Length} classes, got {classes}");
        if (size < 5) throw new ArgumentException($"images must be at least 5x5 to hold a pentomino, got {size}");
        ImageSize = size;
        RotateTraining = rotateTraining;
    }

    public int ImageSize { get; }
    /// <summary>When true, Train and Test also use random rotations (rotation augmentation).</summary>
    public bool RotateTraining { get; }
    public IReadOnlyList<string> ClassNames => Pentominoes.Take((int)NumClasses).Select(p => p.name).ToArray();
    public override bool HasGeneralizationSplit => !RotateTraining;
    public override string Description =>
        $"which of {NumClasses} pentominoes ({string.Join("", ClassNames)}) is in a {ImageSize}x{ImageSize} image; " +
        (RotateTraining ? "all splits rotated by multiples of 90°" : "trained upright; generalization: rotated by 90°, 180°, 270°");
    public override long[] InputShape(Split split = Split.Train) => new long[] { 1, ImageSize, ImageSize };
    protected override int TargetLength(Split split) => 1;

    protected override void Generate(Rng rng, Split split, Span<float> input, Span<long> target)
    {
        int label = rng.Next((int)NumClasses);
        var rows = Pentominoes[label].rows;
        int h = rows.Length, w = rows[0].Length, s = ImageSize;
        int top = rng.Next(s - h + 1), left = rng.Next(s - w + 1);
        int quarterTurns = split == Split.Generalization ? rng.Next(1, 4) : RotateTraining ? rng.Next(4) : 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
                if (rows[r][c] == '#')
                {
                    var (y, x) = Rotate(top + r, left + c, quarterTurns, s);
                    input[y * s + x] = 1;
                }
        target[0] = label;
    }

    /// <summary>Pixel (y, x) after k counter-clockwise quarter turns of an s×s image (torch.rot90 over dims (-2, -1)).</summary>
    public static (int y, int x) Rotate(int y, int x, int k, int s)
    {
        for (int i = 0; i < k; i++) (y, x) = (s - 1 - x, y);
        return (y, x);
    }
}
