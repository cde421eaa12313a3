"""The QR codes of reports and labels: made by zxing-cpp's C++ writer and drawn as ONE filled
path in module units (segno's pure-Python encoder was ~14 ms a code; a reportlab rect call
per run another ~4 ms). Still a standard QR code of the exact text at the level asked for;
the pages' codes are read back by tests/test_reports.py and tests/test_labels.py."""
from __future__ import annotations

import io
import json
import re
import zlib

import pytest
import zxingcpp
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from weicha_desktop.core.reports.qr import QUIET, draw_qr, qr_matrix

PAYLOAD = json.dumps({"case": "01JD3X4Y5Z", "number": "K4501000000002026110001", "version": 3,
                      "sha256": "ab" * 32, "final": True}, separators=(",", ":"))


def _image(matrix: list[bytes], scale: int = 4) -> Image.Image:
    n = len(matrix)
    img = Image.new("L", (n + 2 * QUIET, n + 2 * QUIET), 255)
    img.putdata([0 if (QUIET <= r < n + QUIET and QUIET <= c < n + QUIET and matrix[r - QUIET][c - QUIET])
                 else 255 for r in range(n + 2 * QUIET) for c in range(n + 2 * QUIET)])
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)


@pytest.mark.parametrize("data, level", [(PAYLOAD, "m"), ("K4501000000002026110001-W03", "m"),
                                         ("物证-07", "q"), ("x", "h")])
def test_the_matrix_is_a_qr_code_of_the_exact_text_at_the_level_asked(data, level):
    asked = qr_matrix(data, level, boost=False)
    matrix = qr_matrix(data, level)
    for symbol, exact in ((asked, True), (matrix, False)):
        n = len(symbol)
        assert n >= 21 and (n - 17) % 4 == 0 and all(len(row) == n for row in symbol)
        assert set(b"".join(symbol)) == {0, 1}
        (read,) = zxingcpp.read_barcodes(_image(symbol), formats=zxingcpp.BarcodeFormat.QRCode)
        assert read.valid and read.text == data
        if exact:
            assert read.ec_level == level.upper()
        else:  # boosted as segno did: the strongest level of the same size, never weaker
            assert len(symbol) == len(asked) and "LMQH".index(read.ec_level) >= "LMQH".index(level.upper())
            stronger = "LMQH"[min("LMQH".index(read.ec_level) + 1, 3)]
            assert stronger == read.ec_level or len(qr_matrix(data, stronger.lower(), boost=False)) > len(asked)


def test_an_evidence_number_is_boosted_to_the_level_its_symbol_holds():
    """A label's number asked at M, in a symbol that also holds it at Q: printed at Q
    (segno did so; a scratched label still reads) — the level read back, not only the size."""
    number = "K4501000000002026110001-W03"
    read = zxingcpp.read_barcodes(_image(qr_matrix(number, "m")), formats=zxingcpp.BarcodeFormat.QRCode)[0]
    plain = zxingcpp.read_barcodes(_image(qr_matrix(number, "m", boost=False)), formats=zxingcpp.BarcodeFormat.QRCode)[0]
    assert plain.ec_level == "M" and read.ec_level in ("Q", "H")


def test_the_code_is_one_filled_path_of_whole_module_runs():
    out = io.BytesIO()
    c = Canvas(out, pageCompression=0)
    draw_qr(c, PAYLOAD, 100, 200, 120)
    c.showPage()
    c.save()
    pdf = out.getvalue()
    stream = re.search(rb"stream\r?\n(.*?)endstream", pdf, re.S).group(1)
    if b"FlateDecode" in pdf:  # pragma: no cover - pageCompression=0 writes it plain
        stream = zlib.decompress(stream)
    ops = stream.decode("latin-1").split()
    matrix = qr_matrix(PAYLOAD)
    n = len(matrix)
    runs = sum(len(re.findall(rb"\x01+", row)) for row in matrix)
    assert ops.count("re") == runs and ops.count("f") == 1  # one fill, one `re` per run
    module = 120 / (n + 2 * QUIET)
    # module units: scaled by the module's size, moved inside the quiet zone
    cm = [float(v) for v in re.search(rb"rg\s+([-\d. ]+) cm", stream).group(1).split()]
    assert cm == pytest.approx([module, 0, 0, module, 100 + QUIET * module, 200 + QUIET * module])


def test_boosting_stops_at_the_first_larger_symbol(monkeypatch):
    """A report's code (M; Q is larger) and a label's (M = 21 modules, Q = 25) are made from
    two symbols, M and Q, not three (M, H, Q: H cannot be the size of M when Q is not). The
    choice is the same as searching down from H: the level read back is checked above."""
    made = []
    real = zxingcpp.create_barcode
    monkeypatch.setattr(zxingcpp, "create_barcode", lambda data, fmt, **kw: made.append(kw["ec_level"]) or real(data, fmt, **kw))
    for text in (PAYLOAD, "K4501000000002026110001"):
        made.clear()
        assert len(qr_matrix(text)) < len(qr_matrix(text, "q", boost=False))
        assert made == ["M", "Q", "Q"]  # (the second call: the plain Q symbol compared)
    made.clear()
    qr_matrix("x", "m")  # 21 modules at every level: M, Q, H, and H is printed
    assert made == ["M", "Q", "H"]
