using O = ArchNotebooks.Torch.Optim;

namespace ArchNotebooks.Torch;

public static partial class torch
{
    /// <summary>Optimizers and learning-rate schedules (torch.optim); the classes live in ArchNotebooks.Torch.Optim.</summary>
    public static partial class optim
    {
        public static O.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static O.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        public static O.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);

        public static O.Lion Lion(IEnumerable<Tensor> parameters, double lr = 1e-4, double beta1 = 0.9, double beta2 = 0.99,
            double weight_decay = 0, bool maximize = false) =>
            new(parameters, lr, beta1, beta2, weight_decay, maximize);

        public static O.Shampoo Shampoo(IEnumerable<Tensor> parameters, double lr = 1e-1, double momentum = 0, double weight_decay = 0,
            double eps = 1e-4, int update_freq = 1, int block_size = 128, bool maximize = false) =>
            new(parameters, lr, momentum, weight_decay, eps, update_freq, block_size, maximize);

        /// <summary>Learning-rate schedulers (torch.optim.lr_scheduler).</summary>
        public static class lr_scheduler
        {
            public static O.StepLR StepLR(O.Optimizer optimizer, long step_size, double gamma = 0.1, long last_epoch = -1) =>
                new(optimizer, step_size, gamma, last_epoch);

            public static O.CosineAnnealingLR CosineAnnealingLR(O.Optimizer optimizer, long T_max, double eta_min = 0, long last_epoch = -1) =>
                new(optimizer, T_max, eta_min, last_epoch);

            public static O.LinearLR LinearLR(O.Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
                long total_iters = 5, long last_epoch = -1) => new(optimizer, start_factor, end_factor, total_iters, last_epoch);

            public static O.ConstantLR ConstantLR(O.Optimizer optimizer, double factor = 1.0 / 3, long total_iters = 5, long last_epoch = -1) =>
                new(optimizer, factor, total_iters, last_epoch);

            public static O.LambdaLR LambdaLR(O.Optimizer optimizer, Func<long, double> lr_lambda, long last_epoch = -1) =>
                new(optimizer, lr_lambda, last_epoch);

            public static O.ExponentialLR ExponentialLR(O.Optimizer optimizer, double gamma, long last_epoch = -1) =>
                new(optimizer, gamma, last_epoch);

            public static O.WarmupDecayLR WarmupDecayLR(O.Optimizer optimizer, long warmup_steps, long total_steps, O.Decay decay,
                double min_lr = 0, double gamma = 0.1, long step_size = 1, long last_epoch = -1) =>
                new(optimizer, warmup_steps, total_steps, decay, min_lr, gamma, step_size, last_epoch);

            public static O.LinearWarmupLR LinearWarmupLR(O.Optimizer optimizer, long warmup_steps, long last_epoch = -1) =>
                new(optimizer, warmup_steps, last_epoch);

            public static O.WarmupCosineLR WarmupCosineLR(O.Optimizer optimizer, long warmup_steps, long total_steps,
                double min_lr = 0, long last_epoch = -1) => new(optimizer, warmup_steps, total_steps, min_lr, last_epoch);
        }
    }
}
