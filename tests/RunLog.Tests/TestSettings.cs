// The crash and concurrency tests time real child processes against flush intervals on a 2-core machine;
// running test classes side by side would eat into those margins, so classes run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
