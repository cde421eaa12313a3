"""微察桌面版 (WeiCha Desktop): offline-first scene investigation for police technicians."""

__version__ = "0.1.0"
