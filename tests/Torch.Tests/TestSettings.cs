// libtorch's random generator, grad mode defaults and thread count are process-wide state that
// tests set (manual_seed, determinism checks, resident-memory bounds): run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
