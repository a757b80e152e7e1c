using ArchNotebooks.Library.Checks;

namespace Library.Tests.Checks;

public class SanityTextTests
{
    [Fact]
    public void Every_check_prints_as_pass_or_fail_with_its_summary_not_a_member_dump()
    {
        SanityCheck[] checks =
        [
            new ShapeCheck { Passed = true, Summary = "logits [4, 3] as expected", Expected = [4, 3], Actual = [4, 3], AllFinite = true },
            new InitialLossCheck { Passed = false, Summary = "loss 9.1 vs ln(3) = 1.10", Expected = 1.0986, Actual = 9.1, RelativeTolerance = 0.25 },
        ];
        Assert.Equal("PASS shape: logits [4, 3] as expected", checks[0].ToString());
        Assert.StartsWith("FAIL initial-loss: loss 9.1", checks[1].ToString());
        Assert.DoesNotContain("{", checks[1].ToString());
    }
}
