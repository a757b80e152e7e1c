namespace ArchNotebooks.Library.Training;

/// <summary>
/// The config a training run logs: the model's config under "model" and the training recipe, with the
/// device it ran on, under "train". <c>#!arch train</c>, every seed of an ablation and every size of a
/// scaling study log this one shape, so the run log has the same <c>config.model.*</c> and
/// <c>config.train.*</c> columns (<c>"config.train.optimizer"</c>, <c>"config.train.lr"</c>) whichever ran them.
/// </summary>
public static class RunConfig
{
    /// <summary>{ model, train }: <paramref name="model"/> as given (a config record), the recipe as <see cref="Train"/>.</summary>
    public static Dictionary<string, object?> Of(object? model, TrainConfig training, string? device) => new()
    {
        ["model"] = model,
        ["train"] = Train(training, device),
    };

    /// <summary><see cref="TrainingRecipe.Of"/> plus the device, which the recipe leaves out so a checkpoint may resume on another.</summary>
    public static Dictionary<string, object?> Train(TrainConfig training, string? device) =>
        new(TrainingRecipe.Of(training)) { ["device"] = device };
}
