"""The program's own settings (window geometry, navigation width, last navigation page, language,
the last report choices), typed, with defaults, over QSettings.

They are kept apart from user data: an INI file in the per-user configuration folder
(``~/.config/WeiCha/WeiChaDesktop.ini`` on Linux, ``%APPDATA%\\WeiCha\\WeiChaDesktop.ini``
on Windows), never in the data folder, which holds only case records and evidence. Tests
hand in a QSettings on a temporary file."""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from weicha_desktop.gui.common.i18n import DEFAULT_LANGUAGE, LANGUAGES

ORGANIZATION = "WeiCha"
APPLICATION = "WeiChaDesktop"
DEFAULT_PAGE = "cases"


class Settings:
    def __init__(self, store: QSettings):
        self._q = store

    @classmethod
    def for_user(cls) -> "Settings":
        """This user's settings file (created on first write)."""
        return cls(QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                             ORGANIZATION, APPLICATION))

    def file_name(self) -> str:
        return self._q.fileName()

    def sync(self) -> None:
        self._q.sync()

    # ---- interface -------------------------------------------------------------------------
    @property
    def language(self) -> str:
        value = self._q.value("ui/language", DEFAULT_LANGUAGE, type=str)
        return value if value in LANGUAGES else DEFAULT_LANGUAGE

    @language.setter
    def language(self, value: str) -> None:
        if value not in LANGUAGES:
            raise ValueError(f"unknown language {value!r}")
        self._q.setValue("ui/language", value)

    @property
    def last_page(self) -> str:
        """The navigation page shown when the window closed (``cases``, ``review``, …)."""
        return self._q.value("ui/last_page", DEFAULT_PAGE, type=str) or DEFAULT_PAGE

    @last_page.setter
    def last_page(self, value: str) -> None:
        self._q.setValue("ui/last_page", value)

    # ---- reports (reports/dialog.py) -------------------------------------------------------
    @property
    def report_parts(self) -> tuple[str, ...]:
        """The parts last printed (``note``, ``register``, …); empty when never chosen."""
        value = self._q.value("report/parts", "", type=str) or ""
        return tuple(p for p in value.split(",") if p)

    @report_parts.setter
    def report_parts(self, value: tuple[str, ...] | list[str]) -> None:
        self._q.setValue("report/parts", ",".join(value))

    @property
    def report_photos_per_page(self) -> int:
        value = self._q.value("report/photos_per_page", 2, type=int)
        return value if value in (1, 2, 4) else 2

    @report_photos_per_page.setter
    def report_photos_per_page(self, value: int) -> None:
        self._q.setValue("report/photos_per_page", int(value))

    @property
    def report_dir(self) -> str:
        """The folder a report was last exported to ("" = none yet)."""
        return self._q.value("report/export_dir", "", type=str) or ""

    @report_dir.setter
    def report_dir(self, value: str) -> None:
        self._q.setValue("report/export_dir", value)

    # ---- the main window -------------------------------------------------------------------
    @property
    def window_geometry(self) -> QByteArray:
        """``QWidget.saveGeometry()`` of the main window; empty when never saved."""
        return self._bytes("window/geometry")

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._q.setValue("window/geometry", value)

    @property
    def splitter_state(self) -> QByteArray:
        """``QSplitter.saveState()`` of navigation | page (the width of the navigation)."""
        return self._bytes("window/splitter")

    @splitter_state.setter
    def splitter_state(self, value: QByteArray) -> None:
        self._q.setValue("window/splitter", value)

    def _bytes(self, key: str) -> QByteArray:
        value = self._q.value(key, QByteArray())
        return value if isinstance(value, QByteArray) else QByteArray()
