"""QR codes drawn on a reportlab canvas as filled squares: sharp at any print size.

The symbol is made by zxing-cpp's writer (C++, the library that also reads codes in
core/checks/scan.py): ~1 ms for a report's integrity code, where segno's pure-Python
encoder took ~14 ms — a fifth of a short report's CPU, and once per label on a label sheet.
The modules are drawn as one filled path in module units (one ``re`` per horizontal run, in
whole numbers), not a reportlab ``rect`` call per run."""
from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

QUIET = 2  # modules of white around the symbol
LEVELS = "lmqh"  # error correction, weakest first
_DARK = bytes([1] + [0] * 255)  # a grey level → 1 where black


def qr_matrix(data: str, error: str = "m", *, boost: bool = True) -> list[bytes]:
    """The QR symbol of ``data`` (error correction L/M/Q/H at least), one row of bytes per
    module row, non-zero where the module is dark; no quiet zone. ``boost``: the highest
    level whose symbol is no larger than the one ``error`` gives — as segno made them before
    (its boost_error): a scratched label still reads, at no cost in module size. Boosting
    goes up one level at a time: a stronger level never gives a smaller symbol, so the first
    that is larger ends the search (M, then Q — larger: M, as for a report's code or a
    label's; the same size: H next). Searching down from H made the same choice with one
    symbol more (~1 ms) whenever Q was larger already."""
    import zxingcpp

    error = error.lower()

    def symbol(level: str):
        code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=level.upper())
        return code.to_image(scale=1, add_quiet_zones=False)

    image = symbol(error)
    if boost:
        for level in LEVELS[LEVELS.index(error) + 1:]:  # Q after M, then H
            boosted = symbol(level)
            if boosted.shape[0] != image.shape[0]:
                break
            image = boosted
    n = image.shape[0]
    dark = bytes(memoryview(image)).translate(_DARK)  # the image: 0 black, 255 white
    return [dark[r * n:(r + 1) * n] for r in range(n)]


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float, *, error: str = "m") -> None:
    """Draw ``data`` as a QR code whose lower-left corner is (x, y), ``size`` points wide,
    including the 2-module quiet zone."""
    matrix = qr_matrix(data, error)
    n = len(matrix)
    module = size / (n + 2 * QUIET)
    runs = []
    for row, bits in enumerate(matrix):
        col = 0
        while col < n:  # one rectangle per horizontal run: fewer, cleaner paths
            if bits[col]:
                start = col
                while col < n and bits[col]:
                    col += 1
                runs.append(f"{start} {n - 1 - row} {col - start} 1 re")
            else:
                col += 1
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.translate(x + QUIET * module, y + QUIET * module)
    c.scale(module, module)
    c.addLiteral("\n".join(runs) + "\nf")
    c.restoreState()
