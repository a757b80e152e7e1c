using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ArchNotebooks.Interactive;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>train, check, ablate, scale and the run-log subcommands, end to end, on tiny models and a few steps.</summary>
[Collection("magics")]
public sealed class TrainingTests(MagicSession s)
{
    const string Tiny = "--task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16";

    string Runs(string name) => Path.Combine(s.Runs, name);

    [Fact]
    public void Train_shows_one_live_display_then_a_summary_and_logs_the_run()
    {
        s.Run($"#!arch model transformer --name tm {Tiny}");
        var dir = Runs("train");
        var r = s.Run($"#!arch train tm --steps 30 --lr 3e-3 --eval-every 10 --runs {dir} --result tr\ntr.StepsCompleted");
        Assert.Null(r.Error);
        Assert.Equal("30", r.ResultText);
        // One live display (progress bar + curve) replaced in place, then the summary as a second display.
        Assert.Equal(2, r.Displays.Count);
        Assert.NotEmpty(r.Updates);
        Assert.All(r.UpdateIds, id => Assert.Equal(r.DisplayIds[0], id));
        var last = r.Updates[^1][MimeBundle.PlainText].ToString()!;
        Assert.Contains("[##############################] 100%  Completed after 30/30 steps", last);
        Assert.Matches(@"test_accuracy \d", last);
        Assert.Contains("width:100%", r.Updates[^1][MimeBundle.Html].ToString());
        // Evaluations are forced through the throttle: one update each at steps 10, 20, 30.
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("step 10/30"));
        var summary = r.Displays[1][MimeBundle.PlainText].ToString()!;
        Assert.StartsWith("tm on copy(symbols=4,length=3): Completed after 30/30 steps", summary);
        Assert.Matches(@"(?m)^  test_accuracy\s+[\d.]+$", summary);
        var runId = Regex.Match(summary, @"logged as run (\S+) in").Groups[1].Value;
        // The final curves live in the live display's last update; the summary does not repeat them.
        Assert.DoesNotContain("application/json", r.Displays[1][MimeBundle.Html].ToString());
        var finalView = (string)r.Updates[^1][MimeBundle.Html];
        var curve = JsonNode.Parse(Regex.Match(finalView, "<script type=\"application/json\" id=\"[^\"]+\">(.*?)</script>").Groups[1].Value)!;
        Assert.Equal(30, curve["data"]![0]!["x"]!.AsArray().Count);   // every step's loss
        var row = s.Run($"#!arch sql SELECT name, status, \"final.test_accuracy\" > 0 AS scored, (SELECT count(*) FROM metrics WHERE run_id = '{runId}' AND name = 'train_loss') AS losses FROM runs WHERE run_id = '{runId}' --runs {dir}");
        Assert.Null(row.Error);
        Assert.Matches(@"tm\s+\|\s+finished\s+\|\s+true\s+\|\s+30", row.Text);
    }

    [Fact]
    public async Task Interrupt_stops_training_reports_partial_results_and_the_model_stays_usable()
    {
        s.Run($"#!arch model transformer --name ti {Tiny}");
        var dir = Runs("interrupt");
        var output = new RecordedCell();
        var cell = Task.Run(() => s.Session.ExecuteAsync($"#!arch train ti --steps 1000000 --eval-every 0 --runs {dir}\nConsole.WriteLine(\"not reached\");", output));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (output.Updates.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotEmpty(output.Updates);
        s.Session.Interrupt();
        var error = await cell.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("KernelInterrupted", error!.Name);
        Assert.DoesNotContain("not reached", output.Stdout);
        var summary = output.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Matches(@"Interrupted after [\d,]+/1,000,000 steps \(interrupted: partial results", summary);
        Assert.Matches(@"(?m)^  test_accuracy\s+[\d.]+$", summary);   // the weights it has are evaluated
        // The model is intact and usable: a forward pass, another magic, more training.
        var forward = s.Run("var x = zeros(new long[] { 1, 7 }, ScalarType.Int64);\n\"[\" + string.Join(\", \", ti.call(x).shape) + \"]\"");
        Assert.Null(forward.Error);
        Assert.Equal("[1, 7, 6]", forward.ResultText);
        Assert.Null(s.Run("#!arch summary ti").Error);
        Assert.Null(s.Run("#!arch train ti --steps 3 --eval-every 0 --no-log").Error);
        var logged = s.Run($"#!arch runs --runs {dir}");
        Assert.Matches(@"ti\s+\|\s+transformer\s+\|.*\|\s+interrupted\s+\|", logged.Text);
    }

    [Fact]
    public void Train_takes_a_recipe_saves_checkpoints_as_artifacts_and_resumes_a_run_by_id()
    {
        s.Run($"#!arch model transformer --name tc {Tiny}");
        var dir = Runs("checkpoints");
        var first = s.Run($"#!arch train tc --steps 20 --lr 1e-3 --optimizer lion --schedule exponential --checkpoint-every 10 --eval-every 10 --runs {dir} --result tc1\ntc1.StepsCompleted");
        Assert.Null(first.Error);
        Assert.Equal("20", first.ResultText);
        var runId = Regex.Match(first.Displays[^1][MimeBundle.PlainText].ToString()!, @"logged as run (\S+) in").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", runId, "step-00000010.json")));
        var artifacts = s.Run($"#!arch sql SELECT count(*) AS n, max(step) AS last FROM artifacts WHERE run_id = '{runId}' AND kind = 'checkpoint' --runs {dir}");
        Assert.Null(artifacts.Error);
        Assert.Matches(@"\b2\s+\|\s+20\b", artifacts.Text);   // step-00000010 and final
        // Resuming by run id continues from the final checkpoint (step 20) to 30, histories included.
        var resumed = s.Run($"#!arch train tc --steps 30 --lr 1e-3 --optimizer lion --schedule exponential --eval-every 10 --resume {runId} --runs {dir} --result tc2\ntc2.LossHistory.Count");
        Assert.Null(resumed.Error);
        Assert.Equal("30", resumed.ResultText);
        // Another recipe than the checkpoint's is refused with the field that differs.
        var wrong = s.Run($"#!arch train tc --steps 30 --lr 1e-3 --resume {runId} --runs {dir}");
        Assert.Equal("ArchUsageException", wrong.Error!.Name);
        Assert.Contains("optimizer", wrong.Error.Value);
        Assert.Contains("expected one of adamw, adam, sgd, lion, shampoo", s.Run("#!arch train tc --optimizer adagrad").Error!.Value);
        // --best keeps the best evaluation's checkpoint in the directory given.
        var best = Path.Combine(dir, "best-of-tc");
        Assert.Null(s.Run($"#!arch train tc --steps 10 --eval-every 5 --best --checkpoints {best} --no-log").Error);
        Assert.True(File.Exists(Path.Combine(best, "best.json")) && File.Exists(Path.Combine(best, "final.safetensors")));
    }

    [Fact]
    public void Check_shows_pass_fail_rows_and_the_gradient_flow_chart()
    {
        var r = s.Run("#!arch check m --overfit-steps 5 --baseline-steps 3 --batch 8");
        Assert.Null(r.Error);
        var report = r.Displays[^1];
        var text = report[MimeBundle.PlainText].ToString()!;
        Assert.Matches(@"sanity checks on copy\(symbols=4,length=3\): \d/7 passed", text);
        foreach (var check in new[] { "shape", "initial-loss", "gradient-flow", "batch-dependencies", "update-to-data-ratio", "overfit-one-batch", "input-independent-baseline" })
            Assert.Matches($"<code>{check}</code></td><td class=\"(pass|fail)\">(PASS|FAIL)</td>", report[MimeBundle.Html].ToString());
        Assert.Contains("<td class=\"pass\">PASS</td>", report[MimeBundle.Html].ToString());   // shape passes on its own task
        var flow = r.Figures().First(f => f.ToJsonString().Contains("Gradient flow"));
        Assert.Contains("transformer.blocks.0.attn.in_proj_weight", flow["data"]![0]!["x"]!.ToJsonString());
        // The live progress went check by check.
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("shape PASS; running initial-loss"));
    }

    [Fact]
    public void Ablate_trains_the_grid_shows_the_table_and_logs_every_run()
    {
        var dir = Runs("ablate");
        var r = s.Run($"#!arch ablate m --remove ffn --swap norm=rms,position=rotary --seeds 2 --steps 4 --name grid --runs {dir} --result ab\nab.Table().Rows.Count");
        Assert.Null(r.Error);
        Assert.Equal("4", r.ResultText);
        var table = r.Displays[^1];
        var text = table[MimeBundle.PlainText].ToString()!;
        Assert.Contains("grid on copy: test_accuracy (higher is better)", text);
        foreach (var variant in new[] { "baseline", "no-ffn", "Norm=RMSNorm", "Position=Rotary" })
            Assert.Matches($@"(?m)^[▲ ] {Regex.Escape(variant)}\s+2\s+[\d.]+ ± [\d.]+", text);
        Assert.Contains("<th>95% CI</th>", table[MimeBundle.Html].ToString());
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("8/8 runs done"));
        var logged = s.Run($"#!arch sql SELECT variant, count(*) AS seeds FROM runs WHERE ablation_group = 'grid' AND status = 'finished' GROUP BY variant ORDER BY variant --runs {dir}");
        Assert.Matches(@"Norm=RMSNorm\s+\|\s+2\s+Position=Rotary\s+\|\s+2\s+baseline\s+\|\s+2\s+no-ffn\s+\|\s+2", Regex.Replace(logged.Text, @"\s+", " ").Replace(" | ", "  |  "));
    }

    [Fact]
    public void Ablate_swaps_recipe_fields_with_the_same_statistics_as_architecture()
    {
        var dir = Runs("ablate-recipe");
        var r = s.Run($"#!arch ablate m --swap optimizer=sgd,lr=3e-3,norm=rms --seeds 2 --steps 6 --name recipe --runs {dir} --result rab\nrab.Table().Rows.Count");
        Assert.Null(r.Error);
        Assert.Equal("4", r.ResultText);
        var text = r.Displays[^1][MimeBundle.PlainText].ToString()!;
        foreach (var variant in new[] { "baseline", "optimizer=sgd", "lr=3e-3", "Norm=RMSNorm" })
            Assert.Matches($@"(?m)^[▲ ] {Regex.Escape(variant)}\s+2\s+[\d.]+ ± [\d.]+", text);
        // The recipe variants train the baseline model (its config is logged unchanged) under their own recipe.
        var logged = s.Run($"#!arch sql SELECT variant, count(*) AS seeds FROM runs WHERE ablation_group = 'recipe' AND status = 'finished' GROUP BY variant ORDER BY variant --runs {dir}");
        Assert.Matches(@"optimizer=sgd\s+\|\s+2", logged.Text);
        Assert.Contains("expected one of adamw", s.Run("#!arch ablate m --swap optimizer=adagrad --steps 2").Error!.Value);
    }

    [Fact]
    public void Tune_finds_each_variants_rate_on_validation_and_ablate_tune_lr_compares_at_those_rates()
    {
        var dir = Runs("tune");
        var r = s.Run($"#!arch tune m --lr 1e-3..1e-1 --points 3 --seeds 1 --steps 4 --swap optimizer=sgd --runs {dir} --result lrs\nlrs.Best.Count");
        Assert.Null(r.Error);
        Assert.Equal("2", r.ResultText);
        var text = r.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Contains("m-tune on copy: learning rate by mean validation_loss over 1 seeds", text);
        Assert.Matches(@"(?m)^baseline\s+(0\.001|0\.01|0\.1)\s", text);
        Assert.Matches(@"(?m)^optimizer=sgd\s+(0\.001|0\.01|0\.1)\s", text);
        Assert.Contains("<th>lr 0.01</th>", r.Displays[^1][MimeBundle.Html].ToString());
        Assert.Contains(r.Updates, u => u[MimeBundle.PlainText].ToString()!.Contains("6/6 runs done"));
        // Tuning never reads test: its six runs hold validation metrics and no test metric.
        var logged = s.Run($"#!arch sql SELECT count(*) AS n, sum(CASE WHEN final_metrics LIKE '%test_%' THEN 1 ELSE 0 END) AS tested, " +
                           $"min(\"final.validation_loss\") > 0 AS scored FROM runs WHERE ablation_group = 'm-tune' --runs {dir}");
        Assert.Matches(@"\b6\s+\|\s+0\s+\|\s+true\b", logged.Text);

        var ab = s.Run($"#!arch ablate m --swap optimizer=sgd --tune-lr 1e-3..1e-1 --tune-points 3 --tune-seeds 1 --seeds 2 --steps 4 --name fair --runs {dir} --result fair\n" +
                       "fair.LearningRates[\"optimizer=sgd\"] == fair.Tuning!.Best[\"optimizer=sgd\"] && fair.LearningRates[\"baseline\"] == fair.Tuning.Best[\"baseline\"]");
        Assert.Null(ab.Error);
        Assert.Equal("true", ab.ResultText);
        // The tuning's progress and table, then the ablation's, whose table says which rate each variant trained at.
        Assert.Equal(4, ab.Displays.Count);
        Assert.Contains("fair-tune on copy: learning rate by mean validation_loss", ab.Displays[1][MimeBundle.PlainText].ToString());
        Assert.Matches(@"learning rates tuned on the validation split: baseline [\d.e-]+, optimizer=sgd [\d.e-]+", ab.Displays[^1][MimeBundle.PlainText].ToString());
        // Each ablation seed logged the rate it trained at, which is its variant's tuned rate.
        var rates = s.Run($"#!arch sql SELECT variant, count(DISTINCT \"config.train.lr\") AS rates, min(\"config.train.optimizer\") AS opt FROM runs WHERE ablation_group = 'fair' GROUP BY variant ORDER BY variant --runs {dir}");
        Assert.Matches(@"baseline\s+\|\s+1\s+\|\s+adamw\s+optimizer=sgd\s+\|\s+1\s+\|\s+sgd", Regex.Replace(rates.Text, @"\s+", " ").Replace(" | ", "  |  "));
        Assert.Contains("give --lr or --tune-lr, not both", s.Run("#!arch ablate m --swap optimizer=sgd --lr 1e-3 --tune-lr 1e-3..1e-1 --no-log").Error!.Value);
        Assert.Contains("--lr is required", s.Run("#!arch tune m --no-log").Error!.Value);
        Assert.Contains("such as 1e-4..1e-2", s.Run("#!arch tune m --lr 1e-3 --no-log").Error!.Value);
    }

    [Fact]
    public void Scale_fits_a_power_law_over_the_sizes()
    {
        var dir = Runs("scale");
        var r = s.Run($"#!arch scale transformer --task copy --task-config symbols=4,length=3 --sizes 8,16,24 --config layers=1,heads=2 --seeds 1 --steps 4 --runs {dir}");
        Assert.Null(r.Error);
        var text = r.Displays[^1][MimeBundle.PlainText].ToString()!;
        Assert.Contains("transformer-scaling on copy: test_loss vs parameters", text);
        Assert.Matches(@"(?m)^\s+dim=8\s+N =\s+[\d,]+\s+[\d.]+", text);
        Assert.Matches(@"(?m)^\s+dim=24\s+N =", text);
        Assert.Matches(@"fit: L = [\d.e+-]+ · N\^[-\d.e+]+", text);
        var scatter = r.Figures().Single()["data"]![0]!;
        Assert.Equal(3, scatter["x"]!.AsArray().Count);
        Assert.Contains("log", r.Figures().Single()["layout"]!["xaxis"]!["type"]!.ToString());
        Assert.Contains("3/3 runs done", r.Updates[^1][MimeBundle.PlainText].ToString());
    }

    [Fact]
    public void Runs_compare_and_sql_read_the_run_log()
    {
        var dir = Runs("log");
        Assert.Null(s.Run($"#!arch model transformer --name ca {Tiny}\n#!arch model transformer --name cb {Tiny.Replace("maxlen=16", "maxlen=16,norm=rms")}").Error);
        Assert.Null(s.Run($"#!arch train ca --steps 5 --eval-every 0 --runs {dir}\n#!arch train cb --steps 5 --eval-every 0 --runs {dir}").Error);
        var runs = s.Run($"#!arch runs --last 5 --runs {dir}");
        Assert.Null(runs.Error);
        Assert.Contains("(2 rows)", runs.Text);
        Assert.Matches(@"cb\s+\|\s+transformer\s+\|\s+copy\(symbols=4,length=3\)", runs.Text);
        var ids = Regex.Matches(runs.Text, @"\d{8}-\d{6}-[0-9a-f]{8}").Select(m => m.Value).ToList();
        Assert.Equal(2, ids.Count);
        var filtered = s.Run($"#!arch runs --where \"name = 'ca'\" --runs {dir}");
        Assert.Contains("(1 row)", filtered.Text);

        var compare = s.Run($"#!arch compare {ids[0]} {ids[1][^8..]} --runs {dir}");
        Assert.Null(compare.Error);
        var table = compare.Text;
        // Newest first: cb (RMSNorm) then ca (LayerNorm); enums are logged by name.
        Assert.Matches(@"(?m)^config model\.Norm\s+RMSNorm\s+LayerNorm$", table);
        Assert.DoesNotContain("config model.Dim", table);   // equal fields are left out
        Assert.Matches(@"(?m)^final test_accuracy\s+[\d.]+\s+[\d.]+", table);
        var curves = compare.Figures().Single()["data"]!.AsArray();
        Assert.Equal(2, curves.Count);
        Assert.Equal(5, curves[0]!["y"]!.AsArray().Count);

        var sql = s.Run($"#!arch sql SELECT name, \"config.model.Norm\" AS norm FROM runs ORDER BY name --runs {dir}");
        Assert.Null(sql.Error);
        Assert.Matches(@"ca\s+\|\s+LayerNorm\s+cb\s+\|\s+RMSNorm", Regex.Replace(sql.Text, @"\s+", " ").Replace(" | ", "  |  "));   // enums are logged by name
        Assert.Contains("<td style=\"text-align:left\">cb</td>", sql.Html);
        Assert.Contains("No run log in", s.Run($"#!arch runs --runs {Runs("nowhere")}").Stdout);
    }
}
