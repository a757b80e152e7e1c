using ArchNotebooks.Torch.Interop;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Gradient utilities (torch.nn.utils).</summary>
        public static partial class utils
        {
            static readonly Op vectorNorm = new("linalg_vector_norm"), clampMax = new("clamp_max"), clampOp_ = new("clamp_");

            /// <summary>
            /// Scales all gradients together so their combined norm (the norm of the per-gradient norms)
            /// is at most max_norm, and returns that norm as it was before clipping. norm_type may be
            /// double.PositiveInfinity. Stays on the device: no value is read back unless error_if_nonfinite.
            /// </summary>
            public static Tensor clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2.0,
                bool error_if_nonfinite = false)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
                if (grads.Length == 0) return tensor(0.0).MoveToOuterDisposeScope();
                var device = grads[0].device;
                var norms = Optim.Foreach.norm(grads, norm_type);
                if (norms.Any(n => n.device != device)) norms = norms.Select(n => n.to(device)).ToArray();
                var total = vectorNorm.Call(stack(norms), norm_type);
                if (error_if_nonfinite && !double.IsFinite(total.ToDouble()))
                    throw new InvalidOperationException($"the total norm of order {norm_type} of the gradients is non-finite, so it cannot be clipped; " +
                        "pass error_if_nonfinite: false to clip anyway");
                // max_norm / (total + 1e-6), computed as PyTorch does (reciprocal, then multiply) so the scale matches to the bit.
                var coef = clampMax.Call(total.add(1e-6).reciprocal().mul(max_norm), 1.0);
                var coefs = grads.Select(g => g.device == device ? coef : coef.to(g.device)).ToArray();
                Optim.Foreach.mul_(grads, coefs);
                return total.MoveToOuterDisposeScope();
            }

            /// <summary>Clamps every gradient element into [-clip_value, clip_value].</summary>
            public static void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                foreach (var p in parameters)
                    if (p.grad is { } g) clampOp_.CallVoid(g, -clip_value, clip_value);
            }
        }
    }
}
