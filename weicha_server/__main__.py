"""Entry point of `weicha-server`. The server itself is a later issue; this says so plainly."""
import sys


def main(argv: list[str] | None = None) -> int:
    print("weicha-server: 中心服务器尚未实现（见路线图）。/ The central server is not built yet.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
