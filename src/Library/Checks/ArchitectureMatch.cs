using ArchNotebooks.Library.Families;
using ArchNotebooks.Library.Modules;
using ArchNotebooks.Torch;
using static ArchNotebooks.Torch.torch;

namespace ArchNotebooks.Library.Checks;

/// <summary>How a model compared with a fresh build of a config.</summary>
public enum ArchitectureVerdict
{
    /// <summary>Same parameter and buffer names and shapes, and the same outputs once the weights are copied.</summary>
    Same,
    /// <summary>The config does not build the model's architecture (see the reason).</summary>
    Different,
    /// <summary>The model's own forward threw on the probe input, so nothing could be compared.</summary>
    ModelForwardFailed,
}

/// <summary>The outcome of <see cref="ArchitectureMatch.Compare"/>: a verdict and, unless Same, the first differences found.</summary>
public sealed record ArchitectureComparison(ArchitectureVerdict Verdict, string Reason)
{
    public bool Same => Verdict == ArchitectureVerdict.Same;
}

/// <summary>
/// Whether a config builds the same architecture as a model in hand. Studies that train fresh copies
/// from a config (ablations, the sanity suite) are only evidence about the model the user named when
/// this holds: a hand-edited module, a subclass with another forward, or a stale Config field would
/// otherwise be silently replaced by what the config happens to build.
/// </summary>
public static class ArchitectureMatch
{
    /// <summary>
    /// Builds the config, compares parameter and persistent-buffer names and shapes with the model's,
    /// copies the model's weights into the build and runs both (eval mode, no grad) on <paramref name="input"/>:
    /// the outputs must have the same shape and agree to <paramref name="tolerance"/> relative to their
    /// largest magnitude. The model's weights and mode are left as they were.
    /// </summary>
    public static ArchitectureComparison Compare(Module<Tensor, Tensor> model, IModelConfig config, Tensor input, double tolerance = 1e-5)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bool wasTraining = model.training;
        Tensor expected;
        model.eval();
        try { expected = model.call(input); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new(ArchitectureVerdict.ModelForwardFailed, $"its forward fails on an input of shape [{string.Join(", ", input.shape)}]: {e.Message}");
        }
        finally { model.train(wasTraining); }

        Module<Tensor, Tensor> fresh;
        try { fresh = config.Build(); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new(ArchitectureVerdict.Different, $"its config cannot be built: {e.Message}");
        }
        using (fresh)
        {
            var differences = Differences(Tensors(model), Tensors(fresh));
            if (differences.Count > 0)
                return new(ArchitectureVerdict.Different, $"{config.GetType().Name}.Build() makes a {fresh.GetType().Name} whose tensors differ from {model.GetType().Name}'s: " +
                    string.Join("; ", differences.Take(6)) + (differences.Count > 6 ? $"; and {differences.Count - 6} more" : ""));
            if (fresh.device != model.device) fresh.to(model.device);
            var state = model.state_dict();
            fresh.load_state_dict(state);
            fresh.eval();
            Tensor actual;
            try { actual = fresh.call(input); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new(ArchitectureVerdict.Different, $"a {fresh.GetType().Name} built from the config fails where the model runs: {e.Message}");
            }
            if (!actual.shape.SequenceEqual(expected.shape))
                return new(ArchitectureVerdict.Different, $"with the same weights, the config's {fresh.GetType().Name} returns [{string.Join(", ", actual.shape)}] where the model returns [{string.Join(", ", expected.shape)}]");
            double scale = Math.Max(expected.abs().max().ToDouble(), 1e-12);
            double gap = actual.to(ScalarType.Float64).sub(expected.to(ScalarType.Float64)).abs().max().ToDouble();
            if (!(gap <= tolerance * scale))
                return new(ArchitectureVerdict.Different, $"with the same weights, the config's {fresh.GetType().Name} computes something else: outputs differ by up to {gap:G3} (largest output {scale:G3}); the forward passes are not the same");
            return new(ArchitectureVerdict.Same, $"same tensors and outputs as a {fresh.GetType().Name} built from {config.GetType().Name}");
        }
    }

    static Dictionary<string, long[]> Tensors(Module m)
    {
        var all = new Dictionary<string, long[]>();
        foreach (var (name, p) in m.named_parameters()) all[name] = p.shape;
        using var scope = NewDisposeScope();
        foreach (var (name, t) in m.state_dict()) all.TryAdd(name, t.shape);
        return all;
    }

    static List<string> Differences(Dictionary<string, long[]> model, Dictionary<string, long[]> built)
    {
        static string S(long[] shape) => "[" + string.Join("x", shape) + "]";
        var list = new List<string>();
        foreach (var (name, shape) in model)
            if (!built.TryGetValue(name, out var other)) list.Add($"{name} {S(shape)} is only in the model");
            else if (!shape.SequenceEqual(other)) list.Add($"{name} is {S(shape)} in the model but {S(other)} in the build");
        foreach (var (name, shape) in built)
            if (!model.ContainsKey(name)) list.Add($"{name} {S(shape)} is only in the build");
        return list;
    }
}
