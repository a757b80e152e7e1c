namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Device kinds; the numbers are c10::DeviceType's.</summary>
    public enum DeviceType { CPU = 0, CUDA = 1, META = 14 }

    /// <summary>A device such as "cpu", "cuda" or "cuda:1".</summary>
    public readonly record struct Device(DeviceType type, int index = -1)
    {
        public static Device Parse(string spec)
        {
            var s = spec.Trim().ToLowerInvariant();
            var parts = s.Split(':');
            var type = parts[0] switch
            {
                "cpu" => DeviceType.CPU,
                "cuda" => DeviceType.CUDA,
                "meta" => DeviceType.META,
                _ => throw new ArgumentException($"unknown device '{spec}': expected cpu, cuda or cuda:N"),
            };
            int index = -1;
            if (parts.Length == 2 && (!int.TryParse(parts[1], out index) || index < 0))
                throw new ArgumentException($"bad device index in '{spec}'");
            if (parts.Length > 2) throw new ArgumentException($"unknown device '{spec}'");
            return new Device(type, index);
        }

        public static implicit operator Device(string spec) => Parse(spec);

        public override string ToString() =>
            (type == DeviceType.CPU ? "cpu" : type == DeviceType.CUDA ? "cuda" : "meta") + (index >= 0 ? $":{index}" : "");
    }

    public static readonly Device CPU = new(DeviceType.CPU);
    public static Device CUDA => new(DeviceType.CUDA, 0);

    /// <summary>Parses a device string.</summary>
    public static Device device(string spec) => Device.Parse(spec);
}
