using ArchNotebooks.Kernel;

return args.FirstOrDefault() switch
{
    "demo" => Demo.Run(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: archnb demo [--steps N] [--seed S]");
    return 2;
}
