// Detection module: see docs/architecture.md.
