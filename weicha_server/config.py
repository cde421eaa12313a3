"""The server's settings: a data folder (``--data-dir``), the database URL and the limits.

The data folder holds ``server.db`` (the SQLite database, unless ``--db`` names another),
``blobs/`` (photo originals, content-addressed) and ``server.json`` (settings ``init`` wrote:
the database URL given to it, so later commands need not repeat it; owner-only, it may hold
a password). ``--db`` on the command line overrides the file; ``serve --workers N`` hands the
settings to its worker processes through the environment (WEICHA_SERVER_DATA_DIR,
WEICHA_SERVER_DB), never through the command line (a password there shows in ``ps``)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from weicha_desktop.core.errors import WeichaError

PROTOCOL = 1            # the protocol version every request names (header Weicha-Protocol)
MIB = 1024 * 1024
SETTINGS_FILE = "server.json"
ENV_DATA_DIR, ENV_DB = "WEICHA_SERVER_DATA_DIR", "WEICHA_SERVER_DB"
# settings server.json may hold, with their types (anything else in the file is refused)
_KEYS = {"db_url": str, "max_body": int, "max_chunk": int, "max_blob": int, "max_batch": int,
         "code_hours": (int, float), "number_slots": int}


class ConfigError(WeichaError):
    """Settings the server cannot start with (the reason in Chinese)."""


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    db_url: str
    max_body: int = 8 * MIB      # any request body (413 above it)
    max_chunk: int = 4 * MIB     # one PATCH of an upload
    max_blob: int = 1024 * MIB   # one photo original
    max_batch: int = 500         # ops in one push
    code_hours: float = 24.0     # an enrollment code's life
    number_slots: int = 10       # blocks a unit's monthly serials are split into (numbers.py)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def shown_db(self) -> str:
        """The database URL with any password hidden (for messages and stats)."""
        from sqlalchemy.engine import make_url

        return make_url(self.db_url).render_as_string(hide_password=True)


def normalize_db_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3; sqlite URLs stay as they are."""
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("postgresql+psycopg://", "sqlite:///")):
        return url
    raise ConfigError(f"不支持的数据库地址：{url.split('://')[0]}://…。请使用 postgresql://用户:密码@主机/库名，"
                      "或省略 --db 使用数据文件夹中的 SQLite 数据库。")


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(Path(data_dir) / 'server.db').resolve()}"


def read_settings(data_dir: Path) -> dict[str, Any]:
    path = Path(data_dir) / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"无法读取设置文件 {path}（{e}）：请改正或删除它。") from e
    if not isinstance(values, dict):
        raise ConfigError(f"设置文件 {path} 不是 JSON 对象：请改正或删除它。")
    for key, value in values.items():
        kind = _KEYS.get(key)
        if kind is None or not isinstance(value, kind) or isinstance(value, bool):
            raise ConfigError(f"设置文件 {path} 中的 {key!r} 不认识或类型不对：请改正或删除它。")
        if kind is not str and value <= 0:
            raise ConfigError(f"设置文件 {path} 中的 {key} 须为正数。")
        if key == "number_slots" and value > 99:
            raise ConfigError(f"设置文件 {path} 中的 number_slots 须在 1–99 之间（本单位每月的序号分成几段）。")
    return values


def write_settings(data_dir: Path, values: dict[str, Any]) -> Path:
    """Write server.json, owner-only (it may hold the database password)."""
    path = Path(data_dir) / SETTINGS_FILE
    tmp = path.with_suffix(".json.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(values, f, ensure_ascii=False, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def load(data_dir: Path | str, db: str | None = None) -> ServerConfig:
    """The settings of the server in ``data_dir``: server.json, then ``db`` over it."""
    data_dir = Path(data_dir).expanduser().resolve()
    values = read_settings(data_dir) if data_dir.is_dir() else {}
    url = normalize_db_url(db) if db else normalize_db_url(values.pop("db_url", None)
                                                          or default_db_url(data_dir))
    values.pop("db_url", None)
    return replace(ServerConfig(data_dir, url), **values)


def from_env() -> ServerConfig:
    """The settings a worker process of ``serve --workers N`` gets from its parent."""
    data_dir = os.environ.get(ENV_DATA_DIR)
    if not data_dir:
        raise ConfigError(f"缺少环境变量 {ENV_DATA_DIR}（数据文件夹）。")
    return load(data_dir, os.environ.get(ENV_DB) or None)
