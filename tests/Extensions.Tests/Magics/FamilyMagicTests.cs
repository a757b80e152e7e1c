namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>The families added for issue 17 are reachable from #!arch model and #!arch points by the names researchers type.</summary>
[Collection("magics")]
public sealed class FamilyMagicTests(MagicSession s)
{
    [Theory]
    [InlineData("lstm", "LSTM"), InlineData("recurrent", "LSTM"), InlineData("gru", "GRU"), InlineData("rnn", "RNN")]
    public void Recurrent_family_names_build_the_named_cell(string family, string cell)
    {
        var r = s.Run($"#!arch model {family} --name rec --task copy --task-config symbols=4,length=3 --config hidden=8\nrec.recurrence.GetType().Name + \" \" + rec.Config.Cell");
        Assert.Null(r.Error);
        Assert.Matches($@"^rec = RecurrentNetwork: {(family == "recurrent" ? "lstm" : family)} for copy\(symbols=4,length=3\), [\d,]+ parameters on cpu", r.Stdout);
        Assert.Equal($"{cell} {cell}", r.ResultText);
        var points = s.Run($"#!arch points {family}").Text;
        Assert.Matches(@"(?m)^Cell\s+" + cell, points);
        Assert.Matches(@"(?m)^Bidirectional\s+false\s+true", points);
    }

    [Fact]
    public void Graph_family_builds_for_the_shortest_path_task_and_lists_its_points()
    {
        var r = s.Run("#!arch model gnn --name g --task shortest-path --task-config nodes=6,generalizationNodes=9 --config hidden=8,aggregation=max\ng.Config.NodeFeatures + \" \" + g.Config.Classes + \" \" + g.Config.Aggregation");
        Assert.Null(r.Error);
        Assert.Matches(@"^g = GraphNetwork: graph for shortest-path\(nodes=6,generalizationNodes=9\), [\d,]+ parameters on cpu", r.Stdout);
        Assert.Equal("1 5 Max", r.ResultText);
        var points = s.Run("#!arch points g").Text;
        foreach (var point in new[] { "Aggregation", "EdgeFeatures", "Residual", "Norm", "NodeIds" })
            Assert.Matches($"(?m)^{point} ", points);
    }

    [Fact]
    public void D4_is_the_group_convolution_family_with_reflections()
    {
        var r = s.Run("#!arch model d4 --name sym --task rotated-shapes --task-config classes=4,size=10 --config hidden=4\nsym.Features(ArchNotebooks.Torch.torch.randn(1, 1, 10, 10)).size(2) + \" \" + sym.Config.Group");
        Assert.Null(r.Error);
        Assert.Matches(@"^sym = C4Network: d4 for rotated-shapes", r.Stdout);
        Assert.Equal("8 D4", r.ResultText);
        Assert.Matches(@"(?m)^Group\s+C4\s+D4\s", s.Run("#!arch points c4").Text);
    }

    [Fact]
    public void Turing_machine_builds_for_recall_checks_causal_and_lists_its_points()
    {
        var r = s.Run("#!arch model ntm --name tm --task recall --config hidden=16,slots=8,width=4\ntm.Config.Vocab + \" \" + tm.Config.Controller");
        Assert.Null(r.Error);
        Assert.Matches(@"^tm = TuringMachine: ntm for recall, [\d,]+ parameters on cpu", r.Stdout);
        Assert.Equal("16 LSTM", r.ResultText);
        var points = s.Run("#!arch points ntm").Text;
        foreach (var point in new[] { "Controller", "LocationAddressing", "WriteHead" })
            Assert.Matches($"(?m)^{point} ", points);
        // It declares itself causal, so the check must run the leak test on it (and it must pass).
        var check = s.Run("#!arch check tm --task recall --overfit-steps 5 --baseline-steps 3 --batch 8");
        Assert.Null(check.Error);
        Assert.Matches(@"PASS batch-dependencies: .*declared causal: no output reads a later position", check.Text);
    }

    [Fact]
    public void Early_exit_builds_a_pooled_classifier_and_refuses_per_token_tasks()
    {
        var r = s.Run("#!arch model early-exit --name ee --task setmax --config dim=16,heads=2\nee.Config.Threshold + \" \" + ee.Config.Transformer.Layers");
        Assert.Null(r.Error);
        Assert.Matches(@"^ee = EarlyExitClassifier: early-exit for setmax, [\d,]+ parameters on cpu", r.Stdout);
        Assert.Equal("0.9 4", r.ResultText);
        Assert.Matches(@"(?m)^EarlyExit\s+true\s+false", s.Run("#!arch points early-exit").Text);
        var perToken = s.Run("#!arch model early-exit --name bad --task copy");
        Assert.Contains("per example", perToken.Text + perToken.ErrorText);
    }
}
