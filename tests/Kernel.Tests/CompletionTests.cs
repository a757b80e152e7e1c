using ArchNotebooks.Kernel.Jupyter;
using ArchNotebooks.Kernel.Scripting;
using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

[Collection("session")]
public sealed class CompletionTests(SessionFixture fixture)
{
    [Theory]
    [InlineData("Math.Ab", "Abs")]
    [InlineData("\"s\".ToUpperI", "ToUpperInvariant")]
    [InlineData("new List<int>().Cou", "Count")]
    [InlineData("System.Collections.Gen", "Generic")]
    [InlineData("Cons", "Console")]
    public void Completes_symbols_in_scope_and_members_after_a_dot(string code, string expected)
    {
        var result = Completions.Complete(fixture.Session, code, code.Length);
        Assert.Contains(expected, result.Matches);
        Assert.Equal(code.Length, result.CursorEnd);
        Assert.True(result.CursorStart <= code.Length);
    }

    [Fact]
    public void Completes_session_variables_and_their_members()
    {
        fixture.Run("var completionTarget = new System.Text.StringBuilder();");
        Assert.Contains("completionTarget", Completions.Complete(fixture.Session, "completionTar", 13).Matches);
        Assert.Contains("Append", Completions.Complete(fixture.Session, "completionTarget.App", 20).Matches);
    }

    [Fact]
    public void Cursor_positions_are_code_points()
    {
        var code = "\"😀\"; Math.Ab";
        Assert.Equal(code.Length - 1, CodePoints.FromUtf16(code, code.Length));
        Assert.Equal(code.Length, CodePoints.ToUtf16(code, code.Length - 1));
    }

    [Fact]
    public void Inspect_shows_signatures_and_documentation()
    {
        var text = Inspection.Inspect(fixture.Session, "Math.Sqrt", 9);
        Assert.NotNull(text);
        Assert.Contains("Math.Sqrt(double)", text);
        Assert.Contains("square root", text);
    }

    [Theory]
    [InlineData("1 + 1", "complete")]
    [InlineData("if (true) {", "incomplete")]
    [InlineData("int x = 1 2;", "invalid")]
    [InlineData("#!time", "complete")]
    [InlineData("", "complete")]
    public void Is_complete_follows_roslyn(string code, string status) =>
        Assert.Equal(status, CSharpInterpreter.Completeness(code).Status);
}
