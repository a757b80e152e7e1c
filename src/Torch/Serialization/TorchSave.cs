using ArchNotebooks.Torch.Serialization;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Saves a state dict as safetensors (not PyTorch's pickle format): readable by Python's safetensors.</summary>
    public static void save(IReadOnlyDictionary<string, Tensor> state_dict, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        Safetensors.Save(state_dict, path, metadata);

    /// <summary>Loads a safetensors file onto <paramref name="map_location"/> (the host when omitted).</summary>
    public static Dictionary<string, Tensor> load(string path, Device? map_location = null) => Safetensors.Load(path, map_location);
}
