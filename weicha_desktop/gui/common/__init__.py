"""What every screen shares: fonts, language, settings, names of codes, tables, the one way
off the GUI thread (ops.py: BackgroundOp), the store's commits as one signal (store_events.py),
the dialogs that run an op (op_dialog.py), pictures decoded off the GUI thread (images.py)."""
