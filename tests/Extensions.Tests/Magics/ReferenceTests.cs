using ArchNotebooks.Extensions.Magics;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>The README's #!arch reference is the magics' own help text, word for word.</summary>
public sealed class ReferenceTests
{
    [Fact]
    public void Readme_reference_matches_the_help_texts()
    {
        var readme = File.ReadAllText(RepositoryRoot.In("README.md"));
        var current = ArchReference.Current(readme);
        Assert.True(current is not null, $"README.md lacks the {ArchReference.Begin} / {ArchReference.End} markers");
        Assert.True(current == ArchReference.Generated(), "README.md's #!arch reference is out of date with the help texts: run ./archnb docs");
    }

    [Fact]
    public void Reference_holds_every_subcommand_with_its_examples()
    {
        var text = ArchReference.Generated();
        foreach (var spec in ArchMagic.Specs)
        {
            Assert.Contains($"### `#!arch {spec.Name}`", text);
            Assert.Contains(spec.Examples[0].Line, text);
        }
    }
}
