using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>Completion and inspection on <c>#!</c> lines, in-process: magic names, then what the magic (here #!arch) offers.</summary>
[Collection("session")]
public sealed class MagicLineCompletionTests(SessionFixture fixture)
{
    [Theory]
    [InlineData("#!ar", "arch", 2)]
    [InlineData("#!ti", "time", 2)]
    [InlineData("#!arch tr", "train", 7)]
    [InlineData("#!arch model gp", "gpt", 13)]
    [InlineData("#!arch model transformer --ta", "--task", 25)]
    [InlineData("#!arch model transformer --task ind", "induction", 32)]
    [InlineData("#!arch train m --st", "--steps", 15)]
    [InlineData("var x = 1;\n#!arch ablate m --se", "--seeds", 27)]
    public void Completes_magic_names_subcommands_options_families_and_tasks(string code, string expected, int start)
    {
        var result = Completions.Complete(fixture.Session, code, code.Length);
        Assert.Contains(expected, result.Matches);
        Assert.Equal(start, result.CursorStart);
        Assert.Equal(code.Length, result.CursorEnd);
        // Nothing from C#: every match continues the word typed.
        var typed = code[start..];
        Assert.All(result.Matches, m => Assert.StartsWith(typed, m, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Completes_variable_names_for_a_model_argument_and_after_csharp_references()
    {
        fixture.Run("var stepsForCompletion = 7;");
        var code = "#!arch train m --steps @csharp:stepsFor";
        Assert.Equal(["@csharp:stepsForCompletion"], Completions.Complete(fixture.Session, code, code.Length).Matches);
        code = "#!arch train stepsF";
        Assert.Contains("stepsForCompletion", Completions.Complete(fixture.Session, code, code.Length).Matches);
    }

    [Fact]
    public void Inspect_on_an_arch_line_shows_the_subcommand_help()
    {
        var help = Inspection.Inspect(fixture.Session, "#!arch train m --steps 10", 10);
        Assert.NotNull(help);
        Assert.StartsWith("#!arch train:", help);
        Assert.Contains("--steps", help);
        Assert.Contains("#!arch <subcommand> --help", Inspection.Inspect(fixture.Session, "#!arch ", 7));
        Assert.Null(Inspection.Inspect(fixture.Session, "#!nosuchmagic x", 5));
    }
}
