"""The desktop window (PySide6 only here). One package per module of the program, beside the
frame (shell) and what they share (common); docs/gui.md lists the modules."""
