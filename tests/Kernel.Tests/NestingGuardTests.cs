using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>
/// Deep code is refused with a clear error before Roslyn's parser can overflow the stack (which ends the
/// process); code at the limit still compiles and runs on an ordinary (1.5 MB) test thread.
/// </summary>
[Collection("session")]
public sealed class NestingGuardTests(SessionFixture fixture)
{
    private static string Parens(int depth) => new string('(', depth) + "1" + new string(')', depth);

    /// <summary>Lambdas nested <paramref name="levels"/> deep; each level opens three brackets.</summary>
    private static string Lambdas(int levels)
    {
        var body = "{ hits++; }";
        for (int i = 0; i < levels; i++) body = "{ ((Action)(() => " + body + "))(); }";
        return "var hits = 0;\nAction run = () => " + body + ";\nrun();\nhits";
    }

    [Fact]
    public void Code_at_the_limit_runs()
    {
        var parens = fixture.Run("var p = " + Parens(NestingGuard.MaxDepth) + ";\np + 1");
        Assert.Null(parens.Error);
        Assert.Equal("2", parens.ResultText);
        int levels = (NestingGuard.MaxDepth - 2) / 3;
        Assert.True(NestingGuard.Depth(Lambdas(levels)) <= NestingGuard.MaxDepth);
        var lambdas = fixture.Run(Lambdas(levels));
        Assert.Null(lambdas.Error);
        Assert.Equal("1", lambdas.ResultText);
    }

    [Theory]
    [InlineData(20_000, 0)]
    [InlineData(0, 3_000)]
    public void Deeper_code_is_refused_with_a_clear_error(int parens, int lambdas)
    {
        var code = parens > 0 ? "var deep = " + Parens(parens) + ";" : Lambdas(lambdas);
        var cell = fixture.Run(code);
        Assert.NotNull(cell.Error);
        Assert.Equal("NestingTooDeep", cell.Error!.Name);
        Assert.Contains($"more than {NestingGuard.MaxDepth} levels deep", cell.Error.Value);
        Assert.Equal("invalid", CSharpInterpreter.Completeness(code).Status);
        Assert.Equal("42", fixture.Run("6 * 7").ResultText);
    }

    [Theory]
    [InlineData("var s = \"((((((\"; // ((((((\n/* [[[[[[ */ var c = '(';", 0)]
    [InlineData("var v = @\"a \"\" ((((\"; var r = \"\"\"\n ((((( \"\n \"\"\";", 0)]
    [InlineData("f(a[1], new { x = (2) })", 3)]
    public void Brackets_in_strings_and_comments_do_not_count(string code, int depth) =>
        Assert.Equal(depth, NestingGuard.Depth(code));
}
