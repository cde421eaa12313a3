import multiprocessing
import sys

from weicha_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # photo/report workers in a frozen (PyInstaller) build
    sys.exit(main())
