"""QR codes (segno) drawn on a reportlab canvas as filled squares: sharp at any print size."""
from __future__ import annotations

import segno
from reportlab.pdfgen.canvas import Canvas


def draw_qr(c: Canvas, data: str, x: float, y: float, size: float, *, error: str = "m") -> None:
    """Draw ``data`` as a QR code whose lower-left corner is (x, y), ``size`` points wide,
    including the 2-module quiet zone."""
    qr = segno.make(data, error=error, micro=False)
    matrix = qr.matrix
    n = len(matrix)
    module = size / (n + 4)
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.setStrokeColorRGB(0, 0, 0)
    for row, bits in enumerate(matrix):
        col = 0
        while col < n:  # one rectangle per horizontal run: fewer, cleaner paths
            if bits[col]:
                start = col
                while col < n and bits[col]:
                    col += 1
                c.rect(x + (start + 2) * module, y + (n + 1 - row) * module,
                       (col - start) * module, module, stroke=0, fill=1)
            else:
                col += 1
    c.restoreState()
