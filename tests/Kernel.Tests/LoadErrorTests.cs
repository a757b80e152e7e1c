using ArchNotebooks.Kernel.Tests.Support;

namespace ArchNotebooks.Kernel.Tests;

/// <summary>A compile error in a file a cell loads with #load names that file, so its line is not taken for the cell's.</summary>
[Collection("session")]
public sealed class LoadErrorTests(SessionFixture fixture)
{
    [Fact]
    public void A_compile_error_in_a_loaded_file_names_the_file_and_its_line()
    {
        var dir = Directory.CreateTempSubdirectory("archnb-load-error-").FullName;
        File.WriteAllText(Path.Combine(dir, "broken_helper.csx"), "var fine = 1;\nvar broken = undefinedName + 1;\n");
        var cell = fixture.Run($"#load \"{Path.Combine(dir, "broken_helper.csx")}\"\nvar after = 2;");
        Assert.NotNull(cell.Error);
        Assert.Equal("CompilationError", cell.Error!.Name);
        Assert.StartsWith("broken_helper.csx (line 2) CS0103", cell.Error.Value);
        Assert.Contains(cell.Error.Traceback, line => line.StartsWith("broken_helper.csx (line 2, col 14): error CS0103", StringComparison.Ordinal));
        var own = fixture.Run("var ok = 1;\nundefinedThing + 1");
        Assert.StartsWith("(line 2) CS0103", own.Error!.Value);
        Directory.Delete(dir, recursive: true);
    }
}
