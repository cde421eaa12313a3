"""USB bundles (docs/bundles.md): the container format (container.py) and the laptop's flows."""
