namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>@csharp:name in a #!arch line takes a notebook variable's value, as .NET Interactive's value sharing does.</summary>
[Collection("magics")]
public sealed class VariableReferenceTests(MagicSession s)
{
    const string Tiny = "--task copy --task-config symbols=4,length=3 --config dim=16,layers=1,heads=2,maxlen=16";

    [Fact]
    public void A_parameters_cell_drives_magic_options_through_csharp_references()
    {
        Assert.Null(s.Run("var trainSteps = 7; var modelName = \"refm\"; var rate = 0.003;").Error);
        var r = s.Run($"#!arch model transformer --name @csharp:modelName {Tiny}\n#!arch train refm --steps @csharp:trainSteps --lr @csharp:rate --eval-every 0 --no-log --result rr\nrr.StepsCompleted");
        Assert.Null(r.Error);
        Assert.Equal("7", r.ResultText);
    }

    [Fact]
    public void An_unknown_reference_names_the_variable_and_the_closest_one()
    {
        Assert.Null(s.Run("var warmupLength = 3;").Error);
        var r = s.Run("#!arch train m --steps @csharp:warmupLenght");
        Assert.NotNull(r.Error);
        Assert.Equal("ArchUsageException", r.Error!.Name);
        Assert.Contains("@csharp:warmupLenght: there is no notebook variable 'warmupLenght' (did you mean 'warmupLength'?)", r.Error.Value);
    }

    [Fact]
    public void Values_keep_invariant_number_formatting_whatever_the_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var expanded = ArchNotebooks.Extensions.Magics.Syntax.VariableReferences.Expand("--lr @csharp:lr --name @csharp:n",
                [new ArchNotebooks.Interactive.NotebookVariable("lr", typeof(double), 0.5), new ArchNotebooks.Interactive.NotebookVariable("n", typeof(string), "two words")]);
            Assert.Equal("--lr 0.5 --name \"two words\"", expanded);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = previous; }
    }
}
