namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Element types; the numbers are c10::ScalarType's.</summary>
    public enum ScalarType
    {
        Byte = 0, Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, Float16 = 5, Float32 = 6, Float64 = 7,
        ComplexFloat32 = 9, ComplexFloat64 = 10, Bool = 11, BFloat16 = 15,
    }

    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType half = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType @float = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType @double = ScalarType.Float64;
    public const ScalarType @bool = ScalarType.Bool;
    public const ScalarType @long = ScalarType.Int64;

    internal static bool IsFloating(ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    internal static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.ComplexFloat64 => 16,
        _ => 8,
    };

    /// <summary>Lower-case PyTorch name of a dtype ("float32", "int64", ...).</summary>
    public static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Byte => "uint8", ScalarType.Int8 => "int8", ScalarType.Int16 => "int16",
        ScalarType.Int32 => "int32", ScalarType.Int64 => "int64", ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16", ScalarType.Float32 => "float32", ScalarType.Float64 => "float64",
        ScalarType.Bool => "bool", ScalarType.ComplexFloat32 => "complex64", ScalarType.ComplexFloat64 => "complex128",
        _ => t.ToString(),
    };
}
