// Training module: see docs/architecture.md.
