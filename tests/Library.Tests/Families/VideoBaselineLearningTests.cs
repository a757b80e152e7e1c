using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using Xunit.Abstractions;

namespace Library.Tests.Families;

/// <summary>
/// The two comparison points of the video architecture learn the motion-vs-static task too: the
/// comparison is only meaningful if the baselines are trained, not broken. Chance is 25% (4 classes);
/// the still classes need appearance, the moving ones need motion, so both kinds of class must be right.
/// </summary>
public class VideoBaselineLearningTests(ITestOutputHelper output)
{
    static readonly MovingShapesVideoTask Task = new(frames: 6, size: 12);

    static void AssertSeparatesMotionFromAppearance(string name, LearningOutcome outcome)
    {
        Assert.True(outcome.Accuracy >= 0.9, $"{name}: {outcome}");
        // Per class: a model that only saw appearance would fail classes 2-3, one that only saw motion classes 0-1.
        double still = (outcome.PerClass[MovingShapesVideoTask.StillSquare] + outcome.PerClass[MovingShapesVideoTask.StillPlus]) / 2;
        double moving = (outcome.PerClass[MovingShapesVideoTask.MovingHorizontally] + outcome.PerClass[MovingShapesVideoTask.MovingVertically]) / 2;
        Assert.True(still >= 0.85 && moving >= 0.85, $"{name}: still classes {still:P1}, moving classes {moving:P1}; {outcome}");
    }

    [Fact]
    public void Divided_space_time_attention_separates_motion_from_static_appearance()
    {
        var outcome = LearningProbe.Train(new VideoConfig(Dim: 32, Architecture: VideoArchitecture.DividedSpaceTime), Task, steps: 200);
        output.WriteLine($"divided space-time: {outcome}");
        AssertSeparatesMotionFromAppearance("divided space-time", outcome);
    }

    [Fact]
    public void Conv3d_baseline_separates_motion_from_static_appearance()
    {
        // A step costs a fifth of a transformer's, and two small convolutions need more of them to tell the
        // two motion directions apart (at 200 steps vertical motion was still at 63%).
        var outcome = LearningProbe.Train(new VideoConfig(Dim: 32, Architecture: VideoArchitecture.Conv3d), Task, steps: 600);
        output.WriteLine($"3D conv: {outcome}");
        AssertSeparatesMotionFromAppearance("3D conv", outcome);
    }
}
