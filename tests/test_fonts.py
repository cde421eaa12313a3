"""The shipped CJK font: Chinese must render even on a machine with no CJK font installed."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontInfo, QImage, QPainter
from PySide6.QtWidgets import QLabel

from weicha_desktop import resources
from weicha_desktop.gui import fonts
from weicha_desktop.gui.fonts import install_app_font, missing_glyphs

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


@pytest.mark.parametrize("text", UI_STRINGS)
def test_ui_strings_have_every_glyph(family, text) -> None:
    assert missing_glyphs(text, family) == set()


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
