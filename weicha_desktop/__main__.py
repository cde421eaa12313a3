import sys

from weicha_desktop.cli import main

if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # photo/report workers in a frozen (PyInstaller) build
        import multiprocessing  # ~10 ms: only where freeze_support does anything

        multiprocessing.freeze_support()
    sys.exit(main())
