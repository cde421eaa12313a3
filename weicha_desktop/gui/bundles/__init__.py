"""USB bundles in the window (docs/bundles.md): 文件 → 导出数据包… (export_dialog.py), receipts
and reference data found on an inserted drive or opened from the 文件 menu (actions.py, with the
drive watcher of watch.py and the removable-drive choice of volumes.py), and the offline
enrollment on the 同步 page (enroll.py)."""
