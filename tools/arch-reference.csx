// Rewrites the "#!arch reference" section of the README from the magics' help texts.
// Run through the notebook host, which loads ArchNotebooks.Extensions: ./archnb docs  (or: archnb script tools/arch-reference.csx README.md)
using ArchNotebooks.Extensions.Magics;

var readme = Args.Length > 0 ? Args[0] : "README.md";
Console.WriteLine(ArchReference.Update(readme) ? $"updated the #!arch reference in {readme}" : $"the #!arch reference in {readme} is current");
