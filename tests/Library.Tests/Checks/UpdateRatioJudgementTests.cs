using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Checks;

public class UpdateRatioJudgementTests
{
    [Fact]
    public void A_healthy_transformer_passes_with_its_biases_and_norm_gains_shown_but_not_judged()
    {
        // Norm gains start at one and biases at zero: their first updates dwarf their (zero) spread in
        // every healthy model, so judging them by the weights' rule of thumb would always fail.
        var task = new ReverseTask(symbols: 8, length: 6, generalizationLength: 10);
        var config = new TransformerConfig(Layers: 1, Dim: 32, Heads: 4).For(task);
        manual_seed(0);
        using var model = config.Build();
        var check = SanityChecks.UpdateToDataRatio(model, task);
        Assert.True(check.Passed, check.ToString());
        Assert.Contains(check.Parameters, p => p.Name.EndsWith("norm1.weight") && p.Flag == UpdateFlag.NotJudged);
        Assert.Contains(check.Parameters, p => p.Name.EndsWith("in_proj_weight") && p.Flag == UpdateFlag.Healthy);
        Assert.All(check.Parameters.Where(p => p.Shape.Length >= 2), p => Assert.NotEqual(UpdateFlag.NotJudged, p.Flag));
    }
}
