// archnb-demo [--steps N] [--seed S]: the spirals MLP (./archnb demo --spirals).
return ArchNotebooks.Demo.SpiralsDemo.Run(args);
