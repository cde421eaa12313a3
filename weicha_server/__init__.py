"""微察 central server. Receives sync batches and USB bundles (filed as its own issue)."""
