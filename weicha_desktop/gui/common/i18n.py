"""The interface language. Chinese is the source language of every string (``tr("中文")``);
English comes from ``resources/translations/weicha_en.qm``, built from ``weicha_en.ts`` by
``make translations`` (the .qm is a build artefact, not in git).

The language is also kept as a property of the application object (``current_language``)
for the texts Qt does not translate: the zh/en labels of the form files, and the core's
messages (``message_text``: core/messages.py has them in both languages).

For Chinese, Qt's own texts (the buttons of message boxes and wizards, context menus) come
from the ``qtbase_zh_CN.qm`` that ships with Qt. Translators are children of the application
object, so there is no module state: installing a language replaces the previous one."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from weicha_desktop.core import messages
from weicha_desktop.resources import resources_dir

#: Language code → its name in that language (shown as is, never translated).
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
_TRANSLATOR_NAME = "weichaTranslator"
_LANGUAGE_PROPERTY = "weichaLanguage"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def qm_path(language: str, folder: Path | None = None) -> Path:
    return (folder or translations_dir()) / f"weicha_{language}.qm"


def current_language() -> str:
    """The language installed last (for what Qt cannot translate, e.g. form labels that
    come in zh/en from the form files); Chinese before any was installed."""
    app = QCoreApplication.instance()
    value = app.property(_LANGUAGE_PROPERTY) if app is not None else None
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def message_text(message: object) -> str:
    """A core message (core/messages.py: the checker's problems, …) in the window's language;
    a plain text as it is."""
    return messages.render(message, current_language())


def message_detail(message: object) -> str:
    """What a problem says without its field's name (shown under the field itself)."""
    return messages.render(messages.detail(message), current_language())


def install_language(app: QCoreApplication, language: str, folder: Path | None = None) -> None:
    """Make ``language`` the interface language for widgets created from now on.

    Raises FileNotFoundError (message in Chinese and English) when the English .qm has not
    been built; the interface then stays Chinese."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    for old in app.findChildren(QTranslator, _TRANSLATOR_NAME):
        app.removeTranslator(old)
        old.setParent(None)
    app.setProperty(_LANGUAGE_PROPERTY, DEFAULT_LANGUAGE)
    if language == "zh":
        _install(app, "qtbase_zh_CN.qm", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
        return
    path = qm_path(language, folder)
    if not _install(app, path.name, str(path.parent)):
        raise FileNotFoundError(
            f"界面翻译文件 {path} 不存在或无法读取：请先运行 make translations。\n"
            f"The translation file {path} is missing or unreadable: run `make translations`.")
    app.setProperty(_LANGUAGE_PROPERTY, language)


def _install(app: QCoreApplication, file_name: str, folder: str) -> bool:
    translator = QTranslator(app)
    translator.setObjectName(_TRANSLATOR_NAME)
    if not translator.load(file_name, folder):
        translator.setParent(None)
        return False
    app.installTranslator(translator)
    return True
