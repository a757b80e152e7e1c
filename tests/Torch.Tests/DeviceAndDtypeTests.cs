using ArchNotebooks.Torch.Tests.Support;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Torch.Tests;

/// <summary>dtypes, devices, .NET data round trips and CUDA availability.</summary>
public class DeviceAndDtypeTests
{
    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, -1)]
    [InlineData("cuda:1", DeviceType.CUDA, 1)]
    [InlineData(" CUDA:0 ", DeviceType.CUDA, 0)]
    [InlineData("meta", DeviceType.META, -1)]
    public void Device_strings_parse(string spec, DeviceType type, int index)
    {
        var d = device(spec);
        Assert.Equal(type, d.type);
        Assert.Equal(index, d.index);
        Assert.Equal(spec.Trim().ToLowerInvariant(), d.ToString());
    }

    [Theory]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:0:1")]
    [InlineData("gpu")]
    public void Bad_device_strings_are_rejected(string spec) =>
        Assert.Throws<ArgumentException>(() => device(spec));

    [Fact]
    public void Cuda_availability_agrees_with_pytorch_and_the_device_count()
    {
        var python = Python.Eval("import torch; print(torch.cuda.is_available(), torch.cuda.device_count())").Trim();
        Assert.Equal($"{(cuda.is_available() ? "True" : "False")} {cuda.device_count()}", python);
        Assert.Equal(cuda.device_count() > 0, cuda.is_available());
    }

    [Fact]
    public void Tensors_are_on_the_cpu_by_default_and_meta_tensors_have_no_data()
    {
        using var scope = NewDisposeScope();
        var t = ones(2, 3);
        Assert.Equal(CPU, t.device);
        Assert.False(t.is_cuda);
        var m = zeros(new long[] { 4, 5 }, device: new Device(DeviceType.META));
        Assert.Equal(DeviceType.META, m.device.type);
        Assert.Equal(new long[] { 4, 5 }, (m + 1).shape);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 4)]
    [InlineData(ScalarType.Float64, 8)]
    [InlineData(ScalarType.Float16, 2)]
    [InlineData(ScalarType.BFloat16, 2)]
    [InlineData(ScalarType.Int32, 4)]
    [InlineData(ScalarType.Int64, 8)]
    [InlineData(ScalarType.Int16, 2)]
    [InlineData(ScalarType.Int8, 1)]
    [InlineData(ScalarType.Byte, 1)]
    [InlineData(ScalarType.Bool, 1)]
    public void Every_dtype_creates_converts_and_reports_its_size(ScalarType dtype, int size)
    {
        using var scope = NewDisposeScope();
        var t = ones(new long[] { 2, 3 }, dtype);
        Assert.Equal(dtype, t.dtype);
        Assert.Equal(size, t.element_size());
        Assert.Equal(6.0, t.to(ScalarType.Float64).sum().ToDouble());
        Assert.Equal(dtype, randn(3).to(dtype).dtype);
    }

    [Fact]
    public void Default_dtypes_follow_pytorch()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.Float32, randn(2).dtype);
        Assert.Equal(ScalarType.Float32, tensor(1.5).dtype);
        Assert.Equal(ScalarType.Int64, tensor(3L).dtype);
        Assert.Equal(ScalarType.Int64, arange(5).dtype);
        Assert.Equal(ScalarType.Float32, arange(0, 1, 0.25).dtype);
        Assert.Equal(ScalarType.Int64, randint(5, new long[] { 2 }).dtype);
        Assert.Equal(ScalarType.Bool, (randn(2) > 0).dtype);
        Assert.Equal(ScalarType.Float64, (ones(2) + ones(new long[] { 2 }, ScalarType.Float64)).dtype);
        Assert.Equal(ScalarType.Float32, (arange(3) * 0.5).dtype);
    }

    [Fact]
    public void Net_arrays_round_trip_through_tensors()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { 1.5f, -2f }, tensor(new[] { 1.5f, -2f }).data<float>());
        Assert.Equal(new[] { 1.5, -2 }, tensor(new[] { 1.5, -2 }).data<double>());
        Assert.Equal(new[] { long.MaxValue, -1L }, tensor(new[] { long.MaxValue, -1L }).data<long>());
        Assert.Equal(new[] { 7, -8 }, tensor(new[] { 7, -8 }).data<int>());
        Assert.Equal(new short[] { 300, -2 }, tensor(new short[] { 300, -2 }).data<short>());
        Assert.Equal(new sbyte[] { -3, 4 }, tensor(new sbyte[] { -3, 4 }).data<sbyte>());
        Assert.Equal(new byte[] { 255, 0 }, tensor(new byte[] { 255, 0 }).data<byte>());
        Assert.Equal(new[] { true, false }, tensor(new[] { true, false }).data<bool>());
        Assert.Equal(new[] { (Half)0.5, (Half)(-1) }, tensor(new[] { 0.5f, -1f }).half().data<Half>());
        var m = tensor(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal(new long[] { 2, 3 }, m.shape);
        Assert.Equal(6f, m[1, 2].item<float>());
        var cube = from_array(new long[2, 1, 3] { { { 1, 2, 3 } }, { { 4, 5, 6 } } });
        Assert.Equal(new long[] { 2, 1, 3 }, cube.shape);
        Assert.Equal(ScalarType.Int64, cube.dtype);
        var converted = tensor(new[] { 1, 2 }, dtype: ScalarType.Float64, requires_grad: true);
        Assert.Equal(ScalarType.Float64, converted.dtype);
        Assert.True(converted.requires_grad);
        Assert.Equal(new[] { 1.0, 2.0 }, converted.data<double>());
        Assert.Equal(new[] { 2f, 4f }, tensor(new[] { 2f, 4f, 6f }.AsSpan(0, 2), new long[] { 2 }).data<float>());
    }

    [Fact]
    public void Data_of_a_strided_view_is_row_major()
    {
        using var scope = NewDisposeScope();
        var t = arange(6).reshape(2, 3).t();
        Assert.False(t.is_contiguous());
        Assert.Equal(new long[] { 1, 3 }, t.stride());
        Assert.Equal(new long[] { 0, 3, 1, 4, 2, 5 }, t.data<long>());
    }

    [Fact]
    public void Sum_of_the_literal_zero_is_over_dimension_zero()
    {
        // Regression: C# converts the constant 0 to any enum, so sum(0) once bound to sum(dtype: uint8).
        using var scope = NewDisposeScope();
        var t = tensor(new float[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new[] { 4f, 6f }, t.sum(0).data<float>());
        Assert.Equal(new[] { 3f, 7f }, t.sum(1).data<float>());
        Assert.Equal(ScalarType.Float64, t.sum(ScalarType.Float64).dtype);
    }

    [CudaFact]
    public void Cuda_tensors_round_trip_and_compute_like_the_cpu()
    {
        using var scope = NewDisposeScope();
        var a = randn(64, 32);
        var b = randn(32, 16);
        var ga = a.cuda();
        Assert.Equal(new Device(DeviceType.CUDA, 0), ga.device);
        Assert.True(ga.is_cuda);
        Assert.Equal(a.data<float>(), ga.cpu().data<float>());
        TensorAssert.Close(a.matmul(b), ga.matmul(b.to("cuda")).cpu(), "cuda matmul", rtol: 1e-3, atol: 1e-4);
        Assert.Contains("device='cuda:0'", ga[0, ..3].ToString());
        cuda.synchronize();
    }

    [CudaFact]
    public void Cuda_autograd_matches_the_cpu()
    {
        using var scope = NewDisposeScope();
        var x = randn(8, 4);
        var w = randn(3, 4);
        var xc = x.cuda().requires_grad_();
        var xh = x.clone().requires_grad_();
        nn.functional.linear(xc, w.cuda()).tanh().sum().backward();
        nn.functional.linear(xh, w).tanh().sum().backward();
        TensorAssert.Close(xh.grad!, xc.grad!.cpu(), "gradient on cuda", rtol: 1e-4, atol: 1e-5);
    }

    [CudaFact]
    public void Cuda_ops_on_mixed_devices_are_managed_errors()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => ones(2).cuda() + ones(2));
        TensorAssert.MessageMentions(e, "same device");
        Assert.Throws<TorchException>(() => ones(2, 2).matmul(ones(2, 2).cuda()));
    }
}
