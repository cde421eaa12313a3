"""同步: the sync worker (worker.py: when to sync, the sync on a worker thread) and the sync
page (page.py: what waits, what moved, what the server refused, 立即同步)."""
