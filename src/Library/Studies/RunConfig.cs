using System.Reflection;
using ArchNotebooks.Library.Data;
using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Tasks;
using ArchNotebooks.Library.Training;

namespace ArchNotebooks.Library.Studies;

/// <summary>
/// The one shape of a logged run's config, whoever trains it (<c>#!arch train</c>, ablate, scale, a C# study):
/// <c>model</c> (the model config), <c>train</c> (the training recipe) and <c>data</c> (the task or dataset and
/// its settings), so the run log's columns read <c>config.model.Dim</c>, <c>config.train.lr</c>,
/// <c>config.train.optimizer</c>, <c>config.data.name</c> for every run and <c>#!arch sql</c> can compare any two.
/// </summary>
public static class RunConfig
{
    /// <summary>The config to log; a part that is unknown is left out rather than written as null.</summary>
    /// <param name="model">A model config; an <see cref="IModelConfig"/> is logged shaped for <paramref name="data"/>, as it was built.</param>
    /// <param name="device">Where it trained ("cpu", "cuda:0"), logged as <c>config.train.device</c>.</param>
    public static Dictionary<string, object?> Of(object? model, TrainConfig? train, ISyntheticTask? data, string? device = null)
    {
        var config = new Dictionary<string, object?>();
        if (model is not null) config["model"] = Shaped(model, data);
        if (train is not null) config["train"] = Train(train, device);
        if (data is not null) config["data"] = DataSettings.Of(data);
        return config;
    }

    /// <summary>
    /// The recipe as the optimizer reads it (<see cref="TrainingRecipe.Of"/>: optimizer, lr, schedule, steps, ...)
    /// plus the seed and the device, which the recipe leaves out so that a checkpoint may resume on another.
    /// </summary>
    public static Dictionary<string, object?> Train(TrainConfig training, string? device)
    {
        var train = new Dictionary<string, object?>(TrainingRecipe.Of(training)) { ["seed"] = training.Seed };
        if (device is not null) train["device"] = device;
        return train;
    }

    /// <summary>What is logged as the model config of a module without one: its type, so runs of it can still be found.</summary>
    public static Dictionary<string, object?> ModelType(object model) => new() { ["type"] = model.GetType().Name };

    static object Shaped(object model, ISyntheticTask? data)
    {
        if (model is not IModelConfig config || data is null) return model;
        // A study's variants are unshaped configs that For(task) shapes before Build; log what was built.
        try { return config.For(data); }
        catch (ArgumentException) { return model; }
    }
}

/// <summary>A task or dataset as the run log records it: its identity, shapes and the settings that make it.</summary>
public static class DataSettings
{
    public static Dictionary<string, object?> Of(ISyntheticTask task)
    {
        var settings = new Dictionary<string, object?>
        {
            ["name"] = task.Name,
            ["kind"] = task.GetType().Name,
            ["loss"] = task.Loss.ToString(),
            ["classes"] = task.Loss == LossKind.Regression ? null : task.NumClasses,
            ["vocab"] = task.VocabSize,
            ["input_dtype"] = task.InputDType.ToString(),
            ["input_shape"] = task.InputShape(),
            ["metric"] = task.MetricName,
            ["generalization"] = task.HasGeneralizationSplit,
        };
        if (task is TensorDataset d)
        {
            settings["outputs"] = d.Loss == LossKind.Regression ? d.NumClasses : null;
            settings["examples"] = d.Examples;
            settings["train_examples"] = d.Count(Split.Train);
            settings["validation_examples"] = d.Count(Split.Validation);
            settings["test_examples"] = d.Count(Split.Test);
            settings["split_seed"] = d.Splits.Options.Seed;
            settings["validation_fraction"] = d.Splits.Options.ValidationFraction;
            settings["test_fraction"] = d.Splits.Options.TestFraction;
            if (d.FeatureNames is { } features) settings["features"] = features;
            if (d.Source is { } source) settings["source"] = source;
            return settings;
        }
        // A synthetic task's settings are its public scalar properties (Symbols, Length, ...), read once here.
        foreach (var property in task.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsSetting(property.PropertyType)) continue;
            if (typeof(ISyntheticTask).GetProperty(property.Name) is not null || property.Name == nameof(ISyntheticTask.ExpectedInitialLoss)) continue;
            object? value;
            try { value = property.GetValue(task); }
            catch (TargetInvocationException) { continue; }
            settings.TryAdd(property.Name, value is Enum e ? e.ToString() : value);
        }
        return settings;
    }

    static bool IsSetting(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) ||
        (Nullable.GetUnderlyingType(type) is { } inner && IsSetting(inner));
}
