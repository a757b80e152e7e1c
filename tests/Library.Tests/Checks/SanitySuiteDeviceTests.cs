using ArchNotebooks.Library.Checks;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace Library.Tests.Checks;

/// <summary>SanityOptions.Device: every model the suite builds runs there, with the same initial weights as on the CPU.</summary>
public class SanitySuiteDeviceTests
{
    static readonly SetMaxTask Task = new(digits: 6, size: 3);

    /// <summary>Builds TaskMlps and records the device each check's model ended up on.</summary>
    sealed class Factory
    {
        public readonly List<Device> Seen = new();
        public readonly List<TaskMlp> Built = new();
        public Module<Tensor, Tensor> Build()
        {
            var model = new TaskMlp(Task);
            Built.Add(model);
            model.register_forward_hook((m, _, _) => { if (Seen.Count == 0 || Seen[^1] != m.device) Seen.Add(m.device); });
            return model;
        }
    }

    static SanityOptions Quick(Device device) => new()
    {
        Device = device, OverfitMaxSteps = 100, BaselineSteps = 40, UpdateRatioSteps = 3, OverfitLearningRate = 1e-2,
    };

    [Fact]
    public void The_default_device_is_the_cpu_and_every_model_runs_there()
    {
        var factory = new Factory();
        var report = SanitySuite.Run(factory.Build, Task, Quick(CPU));
        Assert.Equal(7, report.Checks.Count);
        Assert.Equal(8, factory.Built.Count);   // one per check, two for the input-independent baseline
        Assert.Equal(new[] { CPU }, factory.Seen.Distinct());
        Assert.Equal(CPU, new SanityOptions().Device);
    }

    [NoCudaFact]
    public void Asking_for_cuda_without_it_fails_loudly_instead_of_running_on_the_cpu()
    {
        var factory = new Factory();
        Assert.ThrowsAny<Exception>(() => SanitySuite.Run(factory.Build, Task, Quick(CUDA)));
        Assert.Empty(factory.Seen);   // nothing ran on the CPU in its place
    }

    [CudaFact]
    public void On_cuda_every_check_runs_on_the_gpu_and_agrees_with_the_cpu()
    {
        var gpuFactory = new Factory();
        var gpu = SanitySuite.Run(gpuFactory.Build, Task, Quick(CUDA));
        Assert.True(gpu.AllPassed, gpu.ToString());
        Assert.All(gpuFactory.Seen, d => Assert.Equal(DeviceType.CUDA, d.type));
        Assert.NotEmpty(gpuFactory.Seen);
        var cpu = SanitySuite.Run(new Factory().Build, Task, Quick(CPU));
        // Same seeds, same initial weights: the loss at init agrees to float32 rounding.
        Assert.Equal(cpu.Get<InitialLossCheck>().Actual, gpu.Get<InitialLossCheck>().Actual, 4);
        Assert.Equal(0.0, gpu.Get<DependencyCheck>().CrossInfluence);
    }
}
