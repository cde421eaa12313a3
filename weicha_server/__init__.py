"""微察 central server: enrollment, the op log the laptops push to, photo originals
(docs/server.md; the protocol in docs/sync-protocol.md, "HTTP API")."""
