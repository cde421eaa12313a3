"""The shipped CJK font: Chinese must render even on a machine with no CJK font installed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QImage, QPainter
from PySide6.QtWidgets import QLabel

from weicha_desktop import resources
from weicha_desktop.gui.common import fonts
from weicha_desktop.gui.common.fonts import install_app_font, missing_glyphs

FAMILY = "WenQuanYi Micro Hei"

UI_STRINGS = [
    "微察桌面版", "现场勘验", "采集", "巡逻", "核查", "互动", "工作日志", "统计", "同步",
    "勘验号", "案件性质", "发案地点", "勘验时间", "状态", "勘验人", "新建勘验", "登录",
    "用户名", "密码", "首次使用向导", "单位代码", "单位名称", "草稿", "已定稿", "已审核",
    "退回补正", "提取痕迹物证登记表", "现场勘验检查笔录", "现场方位", "现场照片", "见证人",
    "指挥人", "天气", "温度", "湿度", "风向", "变动原因", "提取人", "审核人", "校验",
    "导出", "导入", "保存", "取消", "确定", "删除", "修改", "查询", "打印", "退出",
    "盗窃", "抢劫", "故意伤害", "命案", "入室", "门窗", "指纹", "足迹", "工具痕迹", "生物检材",
    "（）【】《》、，。：；？！“”‘’…—·％℃", "□√×", "0123456789 ABCxyz-/.:",
    "公安局刑事科学技术室", "市县区乡镇街道路号", "身份证号码", "联系电话", "经度纬度",
]


@pytest.fixture(scope="module")
def family(qapp) -> str:
    return install_app_font(qapp)


def render(text: str, point_size: int = 28) -> QImage:
    label = QLabel(text)
    font = label.font()
    font.setPointSize(point_size)
    label.setFont(font)
    label.setStyleSheet("QLabel { background: white; color: black; }")
    label.adjustSize()
    return label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def dark_pixels(img: QImage) -> int:
    return sum(
        1
        for y in range(img.height())
        for x in range(img.width())
        if QColor(img.pixel(x, y)).lightness() < 128
    )


def test_resources_from_checkout() -> None:
    root = Path(__file__).resolve().parent.parent
    assert resources.resources_dir() == root / "resources"
    assert resources.forms_dir() == root / "forms"
    assert resources.cjk_font_path().is_file()
    assert resources.cjk_font_path().stat().st_size > 4_000_000


def test_resources_from_pyinstaller_bundle(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"
    assert resources.cjk_font_path() == tmp_path / "resources" / "fonts" / "wqy-microhei.ttc"
    assert resources.forms_dir() == tmp_path / "forms"


def test_app_font_is_the_shipped_family(qapp, family) -> None:
    assert family == FAMILY
    assert qapp.font().family() == FAMILY
    assert QFontInfo(qapp.font()).family() == FAMILY
    assert QFontInfo(QLabel("现场").font()).family() == FAMILY
    assert qapp.font().pointSizeF() > 0 or qapp.font().pixelSize() > 0


def test_install_is_idempotent(qapp, family) -> None:
    size = qapp.font().pointSizeF()
    assert install_app_font(qapp) == family
    assert qapp.font().pointSizeF() == size


def test_ui_strings_have_every_glyph(family) -> None:
    """(one test for the 68 strings, each named with what it misses: a test each cost more in
    pytest's own work per test than the check)"""
    assert {text: missing for text in UI_STRINGS if (missing := missing_glyphs(text, family))} == {}


def test_missing_glyphs_reports_what_the_font_lacks(family) -> None:
    # 😀 U+1F600 and ☑ U+2611 are not in WenQuanYi Micro Hei; whitespace is never reported.
    assert missing_glyphs("现场 😀\t☑\n勘验", family) == {"😀", "☑"}


def test_missing_glyphs_unknown_family(qapp) -> None:
    with pytest.raises(ValueError):
        missing_glyphs("现场", "No Such Font Family 9f3c")


def test_chinese_label_renders_distinct_glyphs(family) -> None:
    a, b = render("勘"), render("验")
    tofu = render("\ufffd")
    assert a.size() == b.size()
    assert dark_pixels(a) > 30, "label rendered blank"
    assert dark_pixels(b) > 30, "label rendered blank"
    # Without a CJK font both characters come out as the same box.
    assert a != b
    assert a != tofu and b != tofu


def test_chinese_sentence_renders(family, tmp_path) -> None:
    img = render("现场勘验检查笔录")
    assert img.width() > img.height() * 4  # eight wide glyphs, not collapsed to nothing
    assert dark_pixels(img) > 200
    assert img.save(str(tmp_path / "label.png"))


def test_raw_painter_uses_app_font(family) -> None:
    img = QImage(200, 60, QImage.Format.Format_RGB32)
    img.fill(Qt.GlobalColor.white)
    painter = QPainter(img)
    font = QFont(family)
    font.setPixelSize(40)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.black)
    painter.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "同步")
    painter.end()
    assert dark_pixels(img) > 100


def test_missing_font_file_raises_clear_error(qapp, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: tmp_path / "absent.ttc")
    with pytest.raises(RuntimeError, match=r"(?s)无法加载中文字体.*Cannot load the Chinese font"):
        install_app_font(qapp)


def test_corrupt_font_file_raises(qapp, monkeypatch, tmp_path) -> None:
    bad = tmp_path / "bad.ttc"
    bad.write_bytes(b"not a font" * 100)
    monkeypatch.setattr(fonts, "cjk_font_path", lambda: bad)
    with pytest.raises(RuntimeError, match="Cannot load the Chinese font"):
        install_app_font(qapp)


def test_reportlab_embeds_the_font() -> None:
    # PDFs use the same file: TrueType outlines, first face of the collection.
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont("WQY", str(resources.cjk_font_path()),
                  subfontIndex=resources.CJK_FONT_SUBFONT_INDEX)
    assert font.face.familyName == b"WenQuanYi Micro Hei"
    cmap = font.face.charToGlyph
    text = "".join(UI_STRINGS)
    assert {ch for ch in text if not ch.isspace() and ord(ch) not in cmap} == set()


# ---- every text the windows put on screen -----------------------------------------------------
def screen_texts(root) -> set[str]:
    """What ``root`` shows: gui_support.visible_texts plus menus, tool tips, placeholders of
    text boxes and the status bar's passing message."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QPlainTextEdit, QStatusBar, QWidget

    from gui_support import visible_texts

    texts = visible_texts(root)
    for action in root.findChildren(QAction):
        texts.add(action.text().replace("&", ""))
        texts.add(action.toolTip())
    for w in [root, *root.findChildren(QWidget)]:
        texts.add(w.toolTip())
        if isinstance(w, QPlainTextEdit):
            texts.add(w.placeholderText())
        if isinstance(w, QStatusBar):
            texts.add(w.currentMessage())
    return {t for t in texts if t and t.strip()}


@pytest.fixture
def shell_windows(qapp, qtbot, tmp_path, request):
    """The main window of a supervisor with cases in every state (a form tab and the review
    queue open), the settings, login and first-run dialogs — in the language asked for."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QPushButton, QWidget, QWizard

    from gui_support import complete_values, english_qm_dir, forms
    from support import PASSWORD, migrated_folder, new_store
    from weicha_desktop.core.cases import CaseService
    from weicha_desktop.core.store import Store
    from weicha_desktop.core.users import UserService
    from weicha_desktop.gui.common import i18n
    from weicha_desktop.gui.common.settings import Settings
    from weicha_desktop.gui.shell.app import make_app
    from weicha_desktop.gui.shell.first_run import FirstRunWizard
    from weicha_desktop.gui.shell.login import LoginDialog
    from weicha_desktop.gui.shell.main_window import MainWindow
    from weicha_desktop.gui.shell.settings_dialog import SettingsDialog

    app = make_app()
    language = request.param
    i18n.install_language(app, language, english_qm_dir())  # the English build of weicha_en.ts
    store = new_store(tmp_path / "data")
    admin = UserService(store).authenticate("admin", PASSWORD)
    UserService(store).add(admin, "zhou", "supervisor", PASSWORD, display_name="周建国", badge_no="200001")
    supervisor = UserService(store).authenticate("zhou", PASSWORD)
    cases = CaseService(store, forms(), supervisor)
    written = CaseService(store, forms(), admin)  # a supervisor reviews only others' cases
    done = [written.finalize(written.new_case(complete_values()).id) for _ in range(3)]
    cases.review(done[0].id, approve=True)
    cases.review(done[1].id, approve=False, comment="补充见证人身份证号码")
    draft = written.new_case({"incident_address": "钦南区永福路 12 号", "case_type": "burglary"})

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(store, forms(), supervisor, settings)
    window.workspace.open_case(draft.id)
    window.show()
    review = window.show_page("review")  # opens the case waiting for review
    for kind in ("reviewKindCollect", "reviewKindPatrol", "reviewKindRequest"):
        review.findChild(QPushButton, kind).pressed.emit()  # the other kinds' queues: made, not shown
    assert all(review.findChild(QWidget, f"{scope}ReviewPage") for scope in ("collect", "patrol", "request"))
    window.case_reviewed(cases.get(done[0].id))  # its passing message
    dialogs = [SettingsDialog(settings, store.data_dir, window),
               LoginDialog(UserService(store), "钦州市公安局钦南分局刑侦大队", "zhou", window)]
    fresh = Store.open(migrated_folder(tmp_path / "fresh"))  # a folder not set up yet
    wizard = FirstRunWizard(fresh)
    for w in [window, *dialogs, wizard]:
        qtbot.addWidget(w)
    pages = []
    for page_id in wizard.pageIds():  # every page's own texts, and the buttons it shows
        wizard.setStartId(page_id)
        wizard.restart()
        pages.append(screen_texts(wizard) | {wizard.buttonText(b) for b in (
            QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)})
    yield window, dialogs, set().union(*pages)
    window.close()
    i18n.install_language(app, "zh")
    fresh.close()
    store.close()


@pytest.mark.parametrize("shell_windows", ["zh", "en"], indirect=True)
def test_every_text_of_the_shell_is_drawn_by_the_shipped_font(family, shell_windows) -> None:
    from gui_support import invisible_chars

    from gui_support import forms
    from weicha_desktop.gui.common.i18n import current_language

    window, dialogs, wizard_texts = shell_windows
    texts = screen_texts(window) | wizard_texts
    for dialog in dialogs:
        texts |= screen_texts(dialog)
    joined = "".join(texts)
    form_title = forms().latest("scene_investigation").title.text(current_language())
    for expected in (form_title, "周建国", "钦州市公安局钦南分局刑侦大队"):
        assert expected in joined  # the form, the status bar and the dialogs were walked
    bad = {t: chars for t in texts if (chars := invisible_chars(t, family))}
    assert not bad, f"characters drawn as nothing or as boxes: {bad}"


def test_the_check_catches_an_empty_glyph(family, qtbot) -> None:
    """WenQuanYi Micro Hei maps ℃ to a glyph with no outline: the cmap says yes, the screen
    shows nothing. The walk above must see such a character."""
    from gui_support import invisible_chars

    assert missing_glyphs("℃", family) == set()  # the cmap check alone is fooled
    label = QLabel("室温 25℃")
    qtbot.addWidget(label)
    assert {ch for t in screen_texts(label) for ch in invisible_chars(t, family)} == {"℃"}
