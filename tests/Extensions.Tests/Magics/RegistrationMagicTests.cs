using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Library.Modules;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Tests.Magics;

/// <summary>A module with unregistered parts is refused by every magic before anything runs; no library family has any.</summary>
[Collection("magics")]
public sealed class RegistrationMagicTests(MagicSession s)
{
    [Fact]
    public void No_library_family_holds_an_unregistered_part()
    {
        foreach (var family in FamilyCatalog.BuiltIn)
        {
            manual_seed(0);
            using var model = family.Default().Build();
            Assert.True(Registration.Find(model).Count == 0, $"{family.Name}: {string.Join("; ", Registration.Find(model))}");
        }
    }

    [Fact]
    public void A_module_written_in_a_cell_with_an_unregistered_layer_is_refused_by_name()
    {
        var define = s.Run("""
            using ArchNotebooks.Library.Layers;
            public class Forgot : Module<Tensor, Tensor>
            {
                public readonly Linear first; public Linear second;
                public Forgot() { first = register_module("first", new Linear(6, 8)); second = new Linear(8, 6); }
                public override Tensor forward(Tensor x) => second.call(first.call(x));
            }
            var forgot = new Forgot();
            """);
        Assert.Null(define.Error);
        foreach (var line in new[] { "#!arch train forgot --task setmax --steps 2 --no-log", "#!arch summary forgot", "#!arch check forgot --task setmax" })
        {
            var r = s.Run(line + "\nConsole.WriteLine(\"body ran\");");
            Assert.Equal("ArchUsageException", r.Error?.Name);
            Assert.Contains("forgot has parts that were never registered", r.Error!.Value);
            Assert.Contains("Forgot.second holds a Linear that is not registered: assign it with second = register_module(\"second\", ...)", r.Error.Value);
            Assert.DoesNotContain("body ran", r.Stdout);
        }
    }
}
