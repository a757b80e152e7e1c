using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Tasks;

namespace Library.Tests.Checks;

/// <summary>The suite as <c>#!arch check</c> drives it: each check reported as it ends, cancellation between checks.</summary>
public class SanitySuiteProgressTests
{
    static readonly SetMaxTask Task = new(digits: 6, size: 3);
    static readonly SanityOptions Quick = new() { OverfitMaxSteps = 20, BaselineSteps = 10, UpdateRatioSteps = 3 };

    [Fact]
    public void Cancelling_stops_between_checks_and_the_report_says_so()
    {
        using var cts = new CancellationTokenSource();
        var seen = new List<string>();
        var report = SanitySuite.Run(() => new TaskMlp(Task), Task, Quick, cts.Token, check =>
        {
            seen.Add(check.Name);
            if (seen.Count == 2) cts.Cancel();
        });
        Assert.True(report.Interrupted);
        Assert.Equal(new[] { "shape", "initial-loss" }, seen);
        Assert.Equal(seen, report.Checks.Select(c => c.Name));
    }

    [Fact]
    public void Every_check_is_reported_once_and_a_wrong_shape_ends_the_suite_without_interrupting_it()
    {
        var seen = new List<SanityCheck>();
        var report = SanitySuite.Run(() => new TaskMlp(Task), Task, Quick, finished: seen.Add);
        Assert.False(report.Interrupted);
        Assert.Equal(7, seen.Count);
        Assert.Equal(report.Checks, seen);
        var wrong = SanitySuite.Run(() => new TaskMlp(new SetSumTask(digits: 6, size: 3)), Task, Quick, new CancellationToken(canceled: false), seen.Add);
        Assert.False(wrong.Interrupted);
        Assert.Single(wrong.Checks);
        Assert.Same(wrong.Checks[0], seen[^1]);
    }
}
