using ArchNotebooks.Extensions.Magics.Catalog;
using ArchNotebooks.Extensions.Magics.Session;
using ArchNotebooks.Extensions.Magics.Syntax;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Extensions.Magics.Subcommands;

/// <summary><c>#!arch model &lt;family&gt;</c>: builds a model from a library family and binds it to a notebook variable.</summary>
public sealed class ModelCommand : ArchCommand
{
    public override CommandSpec Spec { get; } = new("model", "build a model from a library family and bind it to a variable",
        [new ArgumentSpec("family", $"model family: {string.Join(", ", FamilyCatalog.All.Select(f => f.Name))}")],
        [
            new OptionSpec("name", "var", "variable to bind (default: model)", Default: "model"),
            ConfigOption,
            TaskOption("shapes vocabulary, classes and lengths to the task; later subcommands default to it"),
            TaskConfigOption,
            SeedOption("seed for the initial weights"),
            new OptionSpec("device", "device", "where the weights live: cpu, cuda or cuda:N", Default: "cpu"),
        ],
        [
            new("#!arch model transformer --name m --task copy --config dim=32,layers=1,heads=2", "a small encoder shaped for the copy task, bound to m"),
            new("#!arch model gpt --name lm --task induction --config norm=rms,position=rotary", "a causal GPT with RMSNorm and rotary positions"),
            new("#!arch model deepsets --name ds --task setsum --config pooling=mean", "DeepSets with mean pooling"),
        ])
    {
        Notes = "Families and their config fields (--config takes any of them, case-insensitive):\n" +
                string.Join("\n", FamilyCatalog.All.Select(f => $"  {f.Name,-16}{f.Description}\n  {"",-16}{ConfigFields.Describe(f.Default())}")) +
                "\n\nTasks and their settings (--task-config takes any of them):\n" +
                string.Join("\n", TaskCatalog.All.Select(t => $"  {t.Name,-16}{t.Description}; {string.Join(", ", TaskCatalog.Parameters(t).Select(p => $"{p.Name}={Values.Format(p.DefaultValue)}"))}")),
    };

    public override Func<ArchInvocation, Task> Prepare(ParsedLine line, ArchPlan plan)
    {
        var family = FamilyCatalog.Find(line.Argument("family")!, Where);
        var name = Identifier(line.Get<string>("name") ?? "model", "--name");
        var config = line.Get<List<KeyValuePair<string, string>>>("config") is { } pairs ? ConfigFields.Apply(family.Default(), pairs, $"{Where} --config") : family.Default();
        var task = ArchPlan.Task(line, null, required: false, Where);
        var device = Devices.Parse(line.Get<string>("device") ?? "cpu", $"{Where} --device");
        var provenance = new ModelProvenance(family.Name, config, task);
        var shaped = Shape(provenance, Where);
        // Building once here finds impossible configs (dim not divisible by heads, ...) before any line of the cell runs,
        // and one forward on the task's examples finds a family that cannot read the task or answer it in its shape.
        using (no_grad())
        using (var probe = Build(shaped, Where))
            if (task is not null) TrainCommand.CheckShape(probe, task, Where, $"{family.Name} built for {task.Name}", $"the {family.Name} family does not fit {task.Name} (#!arch model --help lists the families and the tasks each reads)");
        plan.Bind(name, typeof(Module<Tensor, Tensor>), provenance);
        long seed = line.Get("seed", 0L);
        return async run =>
        {
            manual_seed(seed);
            var model = Build(shaped, Where);
            if (device.type != DeviceType.CPU) model.to(device);
            ModelProvenance.Remember(model, provenance);
            await run.BindAsync(name, model);
            run.Out.WriteLine($"{name} = {model.GetType().Name}: {family.Name}{(task is null ? "" : " for " + task.Name)}, {model.num_parameters():N0} parameters on {device}");
            run.Display(model);
        };
    }

    /// <summary>The provenance's config shaped for its task; a family that cannot read the task is a usage error.</summary>
    public static IModelConfig Shape(ModelProvenance provenance, string where, TaskChoice? task = null)
    {
        try { return provenance.ConfigFor(task); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            var choice = (task ?? provenance.Task)!;
            var t = choice.Task;
            // An index past the shape's end says nothing to the user; what it means is that For read a dimension the task lacks.
            string why = e is IndexOutOfRangeException
                ? $"{provenance.Config.GetType().Name}.For(task) read a dimension these {t.InputShape().Length}-dimensional examples lack: {provenance.Family} was written for inputs of another shape"
                : e.Message;
            throw new ArchUsageException($"{where}: {provenance.Family} cannot be shaped for task {choice.Name} (inputs {t.InputDType} [{string.Join(", ", t.InputShape())}] per example, " +
                $"{(t.Loss == ArchNotebooks.Library.Tasks.LossKind.Regression ? $"{t.NumClasses} outputs" : $"{t.NumClasses} classes")}): {why}");
        }
    }

    public static Module<Tensor, Tensor> Build(IModelConfig config, string where)
    {
        try { return config.Build(); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TorchException)
        {
            throw new ArchUsageException($"{where}: this config cannot be built: {e.Message}\n{ConfigFields.Describe(config)}");
        }
    }
}

/// <summary>Device names on magic lines.</summary>
public static class Devices
{
    public static Device Parse(string text, string where)
    {
        Device device;
        try { device = torch.Device.Parse(text); }
        catch (ArgumentException e) { throw new ArchUsageException($"{where}: {e.Message}"); }
        if (device.type == DeviceType.CUDA && !cuda.is_available())
            throw new ArchUsageException($"{where}: cuda is not available here (libtorch sees no CUDA device); #!arch device shows what there is.");
        if (device.type == DeviceType.CUDA && device.index >= cuda.device_count())
            throw new ArchUsageException($"{where}: there is no {device}; this machine has {cuda.device_count()} CUDA device(s).");
        if (device.type == DeviceType.META) throw new ArchUsageException($"{where}: models cannot live on the meta device; use cpu or cuda.");
        return device;
    }
}
