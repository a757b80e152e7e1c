using System.Globalization;
using ArchNotebooks.Notebooks.Tests.Support;
using ArchNotebooks.Runs;

namespace ArchNotebooks.Notebooks.Tests;

/// <summary>Every notebook in notebooks/ runs headless through archnb run with CI parameters and produces what it promises.</summary>
[Collection("notebooks")]
public sealed class NotebookTests
{
    /// <summary>Mean of a final metric per variant of an ablation group, from the notebook's own run log.</summary>
    internal static Dictionary<string, (double Mean, long Runs)> FinalByVariant(ExecutedNotebook nb, string group, string metric)
    {
        using var log = RunLog.Open(nb.RunsDirectory);
        var table = log.Query($"SELECT variant, avg(\"final.{metric}\") AS mean, count(*) AS n FROM runs WHERE ablation_group = '{group}' AND status = 'finished' GROUP BY variant");
        return Enumerable.Range(0, table.RowCount).ToDictionary(r => (string)table[r, "variant"]!,
            r => (Convert.ToDouble(table[r, "mean"], CultureInfo.InvariantCulture), Convert.ToInt64(table[r, "n"], CultureInfo.InvariantCulture)));
    }

    static string Markdown(ExecutedNotebook nb) => string.Join("\n", nb.Texts("text/markdown"));

    [Fact]
    public void Quickstart_trains_past_chance_checks_the_model_and_logs_the_run()
    {
        var nb = ExecutedNotebook.Get("quickstart.ipynb");
        nb.AssertSucceeded();
        var texts = string.Join("\n", nb.Texts());
        Assert.Contains("tensor [8, 16] float32", texts);
        Assert.Contains("sanity checks on reverse", texts);
        Assert.Contains("Attention: 2 layers x 4 heads", texts);
        using var log = RunLog.Open(nb.RunsDirectory);
        var runs = log.Query("SELECT status, \"final.test_accuracy\" AS acc FROM runs");
        Assert.True(runs.RowCount >= 1, "quickstart logged no run");
        Assert.All(runs.Column("status"), s => Assert.Equal("finished", s));
        double accuracy = runs.Column("acc").Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).Max();
        Assert.True(accuracy > 0.5, $"quickstart's model reached only {accuracy:P1} test accuracy (chance 12.5%)");
        // The parameters cell reached the magic: #!arch train --steps @csharp:steps ran the CI's 150 steps.
        var losses = log.Query("SELECT count(*) AS n FROM metrics WHERE name = 'train_loss'");
        Assert.Equal(150L, Convert.ToInt64(losses.Column("n").Single(), CultureInfo.InvariantCulture));
        Assert.True(nb.Elapsed < TimeSpan.FromSeconds(120), $"quickstart took {nb.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public void Your_own_architecture_trains_a_cell_module_on_a_csv_ablates_it_and_logs_one_config_scheme()
    {
        var nb = ExecutedNotebook.Get("your-own-architecture.ipynb");
        nb.AssertSucceeded();
        var texts = string.Join("\n", nb.Texts());
        // #!arch data counted the file the notebook wrote: 400 rows, 280 / 40 / 80.
        Assert.Contains("rings (TensorDataset, Classification): inputs [2] Float32", texts);
        Assert.Matches(@"Train\s+280\s", texts);
        Assert.Matches(@"Test\s+80\s", texts);
        Assert.Contains("sanity checks on rings", texts);
        using var log = RunLog.Open(nb.RunsDirectory);
        var train = log.Query("SELECT family, task, \"config.model.Dim\" AS dim, \"config.train.steps\" AS steps, \"config.data.train_examples\" AS rows, " +
                              "\"final.test_accuracy\" AS acc FROM runs WHERE source = '#!arch train'");
        Assert.Equal(1, train.RowCount);
        Assert.Equal(new object?[] { "gatenet", "rings", 32L, 150L, 280L }, train.Rows[0].Take(5));
        // About 44% of the square is inside the circle, so always answering "outside" scores about 56%.
        double accuracy = Convert.ToDouble(train[0, "acc"], CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.8, $"the gated MLP reached only {accuracy:P1} test accuracy on rings");
        var ablation = FinalByVariant(nb, "gate-ablation", "test_accuracy");
        Assert.Equal(["baseline", "no-gate"], ablation.Keys.Order());
        Assert.All(ablation.Values, v => Assert.Equal(3, v.Runs));
        Assert.Single(nb.TextsStartingWith("gate-ablation on rings: test_accuracy (higher is better)"));
        var gates = log.Query("SELECT DISTINCT variant, \"config.model.Gate\" AS gate, \"config.data.name\" AS data FROM runs WHERE ablation_group = 'gate-ablation' ORDER BY variant");
        Assert.Equal(new object?[] { "baseline", true, "rings", "no-gate", false, "rings" }, gates.Rows.SelectMany(r => r));

        // The #!arch train run logged each of the gated MLP's 8 parameter tensors every 50 steps (of the CI's 150),
        // and the notebook drew their update ratios as parameters × steps.
        var trainId = (string)log.Query("SELECT run_id FROM runs WHERE source = '#!arch train'")[0, "run_id"]!;
        var ratios = log.Query($"SELECT step, count(DISTINCT name) AS tensors FROM metrics WHERE run_id = '{trainId}' AND name LIKE 'params/%/update_ratio' GROUP BY step ORDER BY step");
        Assert.Equal([50L, 100, 150], ratios.Column("step").Select(s => Convert.ToInt64(s, CultureInfo.InvariantCulture)));
        Assert.All(ratios.Column("tensors"), n => Assert.Equal(8L, Convert.ToInt64(n, CultureInfo.InvariantCulture)));
        var flow = Assert.Single(nb.TextsStartingWith($"update_ratio by parameter over training: g ({trainId})"));
        Assert.Contains("gate.weight", flow);

        // AdamW against Lion, each at the rate its own sweep chose on validation.
        var tuning = Assert.Single(nb.TextsStartingWith("optimizer-ablation-tune on rings: learning rate by mean validation_loss"));
        var table = Assert.Single(nb.TextsStartingWith("optimizer-ablation on rings: test_loss (lower is better)"));
        Assert.Contains("optimizer=lion", table);
        Assert.Contains("optimizer=lion", tuning);
        var sweep = log.Query("SELECT \"config.train.optimizer\" AS optimizer, \"config.train.lr\" AS lr, avg(\"final.validation_loss\") AS loss FROM runs " +
                              "WHERE ablation_group = 'optimizer-ablation-tune' GROUP BY ALL ORDER BY optimizer, lr");
        var rows = Enumerable.Range(0, sweep.RowCount).Select(r => (Optimizer: (string)sweep[r, "optimizer"]!, Lr: Convert.ToDouble(sweep[r, "lr"], CultureInfo.InvariantCulture),
            Loss: Convert.ToDouble(sweep[r, "loss"], CultureInfo.InvariantCulture))).ToList();
        // --tune-lr 3e-4..3e-1 --tune-points 5: five log-spaced rates for each optimizer, rounded to 3 significant digits.
        double[] grid = [.. Enumerable.Range(0, 5).Select(i => double.Parse((3e-4 * Math.Pow(1000, i / 4.0)).ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))];
        foreach (var optimizer in new[] { "adamw", "lion" })
        {
            var rates = rows.Where(r => r.Optimizer == optimizer).ToList();
            Assert.Equal(grid.Length, rates.Count);
            Assert.All(grid.Zip(rates), p => Assert.Equal(p.First, p.Second.Lr, 1e-9 * p.First));
            // Every seed of the ablation trained at the rate with the lowest validation loss of the sweep.
            double best = rates.MinBy(r => r.Loss).Lr;
            var trained = log.Query($"SELECT DISTINCT \"config.train.lr\" AS lr FROM runs WHERE ablation_group = 'optimizer-ablation' AND \"config.train.optimizer\" = '{optimizer}'");
            Assert.Equal(1, trained.RowCount);
            Assert.Equal(best, Convert.ToDouble(trained[0, "lr"], CultureInfo.InvariantCulture), 1e-12);
            string shown = best.ToString("G3", CultureInfo.InvariantCulture);
            var note = table.Split('\n').Single(l => l.StartsWith("learning rates tuned on the validation split: ", StringComparison.Ordinal));
            Assert.Contains($"{(optimizer == "adamw" ? "baseline" : "optimizer=lion")} {shown}", note);
            // The conclusion quotes the same numbers, computed in the notebook.
            Assert.Contains(optimizer == "adamw" ? $"AdamW's best rate is **{shown}**" : $"Lion's **{shown}**", Markdown(nb));
        }
        var optimizers = FinalByVariant(nb, "optimizer-ablation", "test_loss");
        Assert.Equal(["baseline", "optimizer=lion"], optimizers.Keys.Order());
        Assert.All(optimizers.Values, v => Assert.Equal(3, v.Runs));
        foreach (var (variant, name) in new[] { ("baseline", "AdamW"), ("optimizer=lion", "Lion") })
            Assert.Contains($"{name} {optimizers[variant].Mean.ToString("G3", CultureInfo.InvariantCulture)} ±", Markdown(nb));
    }

    [Fact]
    public void Your_own_attention_draws_a_cell_modules_maps_finds_its_rule_ablates_its_decay_and_scales_its_width()
    {
        var nb = ExecutedNotebook.Get("your-own-attention.ipynb");
        nb.AssertSucceeded();
        var texts = string.Join("\n", nb.Texts());
        var markdown = Markdown(nb);
        // #!arch data read the 2,000 sequences the notebook wrote: 12 token columns, 5 answers, 1,400 / 200 / 400.
        Assert.Contains("recent (TensorDataset, Classification): inputs [12] Float32, targets [] Int64, 5 classes", texts);
        Assert.Matches(@"Train\s+1,400\s", texts);
        Assert.Matches(@"Test\s+400\s", texts);
        // The check charts the tokens through the embedding (they arrive as numbers, which no gradient reaches).
        Assert.Contains("sanity checks on recent: 7/7 passed", texts);
        Assert.Contains("PASS batch-dependencies", texts);

        using var log = RunLog.Open(nb.RunsDirectory);
        var train = log.Query("SELECT family, task, \"config.model.Dim\" AS dim, \"config.model.Heads\" AS heads, \"config.train.steps\" AS steps, status, " +
                              "\"final.test_accuracy\" AS acc FROM runs WHERE source = '#!arch train'");
        Assert.Equal(1, train.RowCount);
        Assert.Equal(new object?[] { "gda", "recent", 32L, 2L, 120L, "finished" }, train.Rows[0].Take(6));
        // Five answers, the most frequent a quarter of the test split; the latest symbol is found almost always.
        double accuracy = Convert.ToDouble(train[0, "acc"], CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.9, $"gated decay attention reached only {accuracy:P1} test accuracy on recent (chance about 25%)");
        Assert.Contains($"answers **{accuracy.ToString("P1", CultureInfo.InvariantCulture)}** of the 400 test sequences", markdown);

        // #!arch attention drew the module's one site, two heads, over the chosen 12 tokens, in text and as figures.
        var maps = Assert.Single(nb.TextsStartingWith("Attention: 1 layers x 2 heads over 12 tokens: 3 1 0 0 0 4 2 0 0 0 5 0"));
        Assert.Contains("attn: 12 queries x 12 keys", maps);
        Assert.Contains("attn head 1:", maps);
        Assert.DoesNotContain("attn head 2:", maps);
        Assert.Contains(nb.Texts("text/html"), h => h.Contains("Attention: 1 layers × 2 heads over 12 tokens", StringComparison.Ordinal));
        // The notebook's own measure over the test split: the best head puts most of its attention on the latest symbol,
        // far above the 1/(i+1) a uniform causal head would put there.
        var heads = System.Text.RegularExpressions.Regex.Matches(markdown, @"Head (\d): decay rate softplus\(λ\) = \*\*([\d.]+)\*\* per position; on average \*\*([\d.]+) %\*\* .*?would put ([\d.]+) % there");
        Assert.Equal(2, heads.Count);
        double Number(System.Text.RegularExpressions.Match m, int g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
        Assert.All(heads, h => Assert.True(Number(h, 2) > 0, h.Value));
        var best = heads.MaxBy(h => Number(h, 3))!;
        Assert.True(Number(best, 3) > 50 && Number(best, 3) > 2 * Number(best, 4), best.Value);
        Assert.Contains("has learned the task's rule", markdown);

        // Without the decay the module cannot tell which symbol came last: every seed of it loses.
        var ablation = FinalByVariant(nb, "decay-ablation", "test_accuracy");
        Assert.Equal(["baseline", "no-decay"], ablation.Keys.Order());
        Assert.All(ablation.Values, v => Assert.Equal(2, v.Runs));
        Assert.True(ablation["baseline"].Mean > ablation["no-decay"].Mean + 0.2, $"decay {ablation["baseline"].Mean:P1} vs none {ablation["no-decay"].Mean:P1}");
        var decays = log.Query("SELECT DISTINCT variant, \"config.model.Decay\" AS decay FROM runs WHERE ablation_group = 'decay-ablation' ORDER BY variant");
        Assert.Equal(new object?[] { "baseline", true, "no-decay", false }, decays.Rows.SelectMany(r => r));
        Assert.Contains($"with the decay {ablation["baseline"].Mean.ToString("P1", CultureInfo.InvariantCulture)} ±", markdown);
        Assert.Contains($"without it {ablation["no-decay"].Mean.ToString("P1", CultureInfo.InvariantCulture)} ±", markdown);

        // #!arch scale gda: one finished run per width, each with its Dim in the model config, and the narrowest loses most.
        var scale = log.Query("SELECT \"config.model.Dim\" AS dim, family, status, count(*) AS n, avg(\"final.test_loss\") AS loss FROM runs " +
                              "WHERE ablation_group = 'gda-scaling' GROUP BY ALL ORDER BY dim");
        Assert.Equal([8L, 16L, 32L], scale.Column("dim").Select(d => Convert.ToInt64(d, CultureInfo.InvariantCulture)));
        Assert.All(scale.Column("family"), f => Assert.Equal("gda", f));
        Assert.All(scale.Column("status"), st => Assert.Equal("finished", st));
        Assert.All(scale.Column("n"), n => Assert.Equal(1L, Convert.ToInt64(n, CultureInfo.InvariantCulture)));
        var losses = scale.Column("loss").Select(l => Convert.ToDouble(l, CultureInfo.InvariantCulture)).ToList();
        Assert.True(losses[0] > 4 * losses[2], $"test loss by width 8, 16, 32: {string.Join(", ", losses)}");
        Assert.Single(nb.TextsStartingWith("gda-scaling on recent: test_loss vs parameters"));
        Assert.Contains("- Test loss by width: dim=8 (", markdown);
    }

    [Fact]
    public void Transformer_ablation_has_the_table_with_every_variant_beats_chance_and_concludes_from_its_numbers()
    {
        var nb = ExecutedNotebook.Get("transformer-ablation.ipynb");
        nb.AssertSucceeded();
        string[] variants = ["baseline", "no attention", "no FFN", "no norm", "RMSNorm", "no positions", "sinusoidal positions", "rotary positions", "ALiBi positions"];
        foreach (var metric in new[] { "test_accuracy", "test_loss", "generalization_accuracy" })
        {
            var table = Assert.Single(nb.TextsStartingWith($"transformer-ablation on reverse: {metric} "));
            Assert.Contains("mean ± sample std over 3 seeds", table);
            foreach (var v in variants) Assert.Contains(v, table);
        }
        Assert.Single(nb.TextsStartingWith("transformer-width on reverse"));   // the scaling run

        var accuracy = FinalByVariant(nb, "transformer-ablation", "test_accuracy");
        Assert.Equal(variants.Order(), accuracy.Keys.Order());
        Assert.All(accuracy.Values, a => Assert.Equal(3, a.Runs));
        Assert.True(accuracy["baseline"].Mean > 0.5, $"baseline {accuracy["baseline"].Mean:P1} (chance 12.5%)");
        Assert.True(accuracy["no attention"].Mean < 0.25, $"without attention the model should be near chance, got {accuracy["no attention"].Mean:P1}");

        // The conclusions quote the notebook's own numbers.
        var conclusions = Markdown(nb);
        Assert.Contains($"The baseline reaches **{accuracy["baseline"].Mean.ToString("P1", CultureInfo.InvariantCulture)}**", conclusions);
        Assert.Contains("*no attention*", conclusions);
        Assert.Contains("significantly worse", conclusions);
    }

    [Fact]
    public void Transformer_ablation_explains_with_an_intervention_table_which_heads_are_essential()
    {
        var nb = ExecutedNotebook.Get("transformer-ablation.ipynb");
        nb.AssertSucceeded();
        var table = Assert.Single(nb.TextsStartingWith("Mean ablation of the trained baseline (seed 0): test accuracy drop per component over 8 test batches"));
        // Two blocks of four heads, each block's attention and feed-forward sublayers, and the blocks themselves.
        for (int block = 0; block < 2; block++)
        {
            for (int head = 0; head < 4; head++) Assert.Contains($"transformer.blocks.{block}.attn head {head} ", table);
            Assert.Contains($"transformer.blocks.{block}.mlp ", table);
        }
        var markdown = Markdown(nb);
        Assert.Matches("The trained baseline scores \\*\\*[\\d.]+ ?%\\*\\* on the test batches", markdown);
        Assert.True(markdown.Contains("- Essential heads (accuracy drop") || markdown.Contains("- No single head is essential"), "the conclusions name the essential heads or say there are none");
        Assert.Contains("- Removing a whole attention sublayer costs *transformer.blocks.0.attn*", markdown);
    }

    [Fact]
    public void Video_architecture_compares_four_designs_on_motion_and_static_classes()
    {
        var nb = ExecutedNotebook.Get("video-architecture.ipynb");
        nb.AssertSucceeded();
        string[] variants = ["factorized + cross-attention", "divided space-time", "3D conv", "2-D CNN per frame", "fusion: concat", "spatial stream only", "temporal stream only",
            "dense temporal attention", "fusion: hierarchical", "narrow temporal stream"];
        foreach (var metric in new[] { "test_accuracy", "motion_accuracy", "static_accuracy" })
        {
            var table = Assert.Single(nb.TextsStartingWith($"video-architecture on moving-shapes-video: {metric} "));
            foreach (var v in variants) Assert.Contains(v, table);
        }
        var markdown = Markdown(nb);
        Assert.Contains("multiply-adds per clip", markdown);
        Assert.Contains("fusion attention on the shape's patches", markdown);
        Assert.Contains("Attention:", string.Join("\n", nb.Texts()));
        Assert.Contains("Fusion attention puts", markdown);
        // Activations and spectra of the trained model: the spatial stream's spectrum runs over the 16 patches
        // of a frame, the temporal stream's over the 6 frames of a patch.
        var activations = Assert.Single(nb.TextsStartingWith("Activations of factorized on [64, 6, 1, 12, 12]"));
        Assert.Matches(@"(?m)^spatial\.0\.attn\s+MultiHeadAttention\s+\[384, 16, 32\]", activations);
        Assert.Matches(@"(?m)^temporal\.0\.attn\s+MultiHeadAttention\s+\[1024, 6, 32\]", activations);
        var spectra = Assert.Single(nb.TextsStartingWith("Spectra of factorized on [32, 6, 1, 12, 12]"));
        Assert.Matches(@"(?m)^spatial\.0\.attn\s+MultiHeadAttention\s+1\s+16\s", spectra);
        Assert.Matches(@"(?m)^temporal\.0\.attn\s+MultiHeadAttention\s+1\s+6\s", spectra);

        var accuracy = FinalByVariant(nb, "video-architecture", "test_accuracy");
        Assert.Equal(variants.Order(), accuracy.Keys.Order());
        var ours = accuracy["factorized + cross-attention"].Mean;
        Assert.True(ours > 0.25, $"our design scored {ours:P1}, no better than chance (25%)");
        Assert.True(accuracy.Values.Max(a => a.Mean) > 0.5, "no video model beat 50% (chance 25%)");
    }

    [Fact]
    public void Memory_and_computation_compares_the_turing_machine_with_its_ablations_and_sweeps_early_exit()
    {
        var nb = ExecutedNotebook.Get("memory-and-computation.ipynb");
        nb.AssertSucceeded();
        string[] variants = ["baseline", "no location addressing", "no write head", "feed-forward controller", "LSTM", "causal transformer"];
        foreach (var metric in new[] { "test_accuracy", "generalization_accuracy" })
        {
            var table = Assert.Single(nb.TextsStartingWith($"memory-copy on copy: {metric} "));
            foreach (var v in variants) Assert.Contains(v, table);
        }
        var accuracy = FinalByVariant(nb, "memory-copy", "generalization_accuracy");
        Assert.Equal(variants.Order(), accuracy.Keys.Order());
        Assert.Contains("no early exit", Assert.Single(nb.TextsStartingWith("early-exit-setmax on set-max: test_accuracy ")));
        var markdown = Markdown(nb);
        // The threshold sweep: the unreachable threshold saves nothing, and saving never goes down as the threshold falls.
        var saved = System.Text.RegularExpressions.Regex.Matches(markdown, @"\| (never \(every block\)|[\d.]+) \| [\d.]+ ?% \| ([\d.]+) ?% \|")
            .Select(m => (Threshold: m.Groups[1].Value, Saved: double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(8, saved.Count);
        Assert.Equal(0, saved[^1].Saved);
        for (int i = 1; i < saved.Count; i++) Assert.True(saved[i].Saved <= saved[i - 1].Saved, $"saving rose from threshold {saved[i - 1].Threshold} to {saved[i].Threshold}");
        Assert.Contains("the NTM scores **", markdown);
        Assert.Contains("skips", markdown);
    }

    [Fact]
    public void Mixture_of_experts_compares_dense_and_moe_at_equal_compute_and_reports_load_balance()
    {
        var nb = ExecutedNotebook.Get("mixture-of-experts.ipynb");
        nb.AssertSucceeded();
        string[] variants = ["baseline", "dense, equal compute", "top-2", "no balance loss", "frozen router"];
        var table = Assert.Single(nb.TextsStartingWith("mixture-of-experts on modular-addition: test_accuracy "));
        foreach (var v in variants) Assert.Contains(v, table);
        var markdown = Markdown(nb);
        Assert.Contains("tokens per expert", markdown);
        Assert.Contains("evenness", markdown);
        Assert.Contains("At equal active compute", markdown);

        var accuracy = FinalByVariant(nb, "mixture-of-experts", "test_accuracy");
        Assert.Equal(variants.Order(), accuracy.Keys.Order());
        Assert.True(accuracy["baseline"].Mean > 4.0 / 23, $"the MoE reached {accuracy["baseline"].Mean:P1} (chance 4.3%)");
    }

    [Fact]
    public void Symmetry_tests_pass_inside_the_notebook_and_the_c4_network_generalises_to_rotations()
    {
        var nb = ExecutedNotebook.Get("symmetry.ipynb");
        nb.AssertSucceeded();
        var markdown = Markdown(nb);
        Assert.Equal(7, nb.Texts("text/markdown").Count(t => t.StartsWith("**PASS**", StringComparison.Ordinal)));
        Assert.DoesNotContain("**FAIL**", markdown);
        Assert.Contains("Symmetry tests: 7/7 passed", markdown);

        var generalization = FinalByVariant(nb, "symmetry-c4", "generalization_accuracy");
        Assert.True(generalization["baseline"].Mean > generalization["plain CNN"].Mean + 0.2,
            $"C4 {generalization["baseline"].Mean:P1} vs plain {generalization["plain CNN"].Mean:P1} on rotated images");
        Assert.True(generalization["baseline"].Mean > 1.0 / 6 + 0.2, $"C4 on rotated images: {generalization["baseline"].Mean:P1} (chance 16.7%)");
    }

    [Fact]
    public void The_dib_version_of_the_workflow_runs_headless()
    {
        var nb = ExecutedNotebook.Get("experiment.dib");
        nb.AssertSucceeded();
        var table = Assert.Single(nb.TextsStartingWith("experiment on reverse: test_accuracy "));
        foreach (var v in new[] { "baseline", "no attention", "ALiBi" }) Assert.Contains(v, table);
    }
}
