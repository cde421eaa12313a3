"""The window frame: start-up, login, main window, status bar, menus and their dialogs."""
