namespace ArchNotebooks.Torch;

/// <summary>An error raised inside libtorch (shape, dtype, device or index problems), with libtorch's message.</summary>
public class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
}
