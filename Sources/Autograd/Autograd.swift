// Autograd module: see docs/architecture.md.
