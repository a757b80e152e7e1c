using System.Runtime.CompilerServices;

// Operator calls stackalloc argument scratch space on every call; it is always written before
// it is read, so skip the zeroing.
[module: SkipLocalsInit]
[assembly: InternalsVisibleTo("Torch.Tests")]
