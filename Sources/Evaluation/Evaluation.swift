// Evaluation module: see docs/architecture.md.
