"""Where data lives: the platform's user data folder unless ``--data-dir`` says otherwise."""
from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "WeiChaDesktop"
APP_AUTHOR = "WeiCha"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
