"""Entry point of `weicha-server` (weicha_server/cli.py)."""
import sys

from weicha_server.cli import main

if __name__ == "__main__":
    sys.exit(main())
