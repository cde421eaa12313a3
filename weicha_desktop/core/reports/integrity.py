"""The integrity block on the last page: the record's content hash and a QR code carrying
case id, version and hash, so a printout can later be checked against the data."""
from __future__ import annotations

import json

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from weicha_desktop.core.canonical import content_hash
from weicha_desktop.core.cases import CaseRecord
from weicha_desktop.core.reports.qr import draw_qr
from weicha_desktop.core.reports.styles import styles, text

QR_SIZE = 30 * mm


def integrity_payload(case: CaseRecord) -> dict:
    """What the QR code says. A draft has no content hash yet: its data is hashed instead,
    and the block says it is a draft."""
    digest = case.content_hash or content_hash(case.data)
    return {"app": "weicha", "case": case.id, "number": case.number, "version": case.version,
            "sha256": digest, "final": case.content_hash is not None}


class IntegrityBlock(Flowable):
    def __init__(self, case: CaseRecord, printed_at: str, number_label: str = "勘验号"):
        super().__init__()
        self.payload = integrity_payload(case)
        self.printed_at, self.number_label = printed_at, number_label
        self.height = QR_SIZE + 4 * mm

    def wrap(self, avail_width: float, _h):
        self.width = avail_width
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeGray(0.5)
        c.setLineWidth(0.5)
        c.rect(0, 0, self.width, self.height)
        draw_qr(c, json.dumps(self.payload, separators=(",", ":"), ensure_ascii=True),
                2 * mm, 2 * mm, QR_SIZE)
        p = self.payload
        kind = "定稿内容哈希（SHA-256）" if p["final"] else "草稿数据哈希（SHA-256，未定稿，仅供核对）"
        body = (f"数据完整性　{self.number_label} {p['number'] or ''}　第 {p['version']} 版\n{kind}：\n{p['sha256']}\n"
                f"记录标识：{p['case']}\n打印时间：{self.printed_at}　扫描二维码可与数据核对")
        para = Paragraph(text(body), styles()["small"])
        w = self.width - QR_SIZE - 8 * mm
        _, h = para.wrap(w, self.height)
        para.drawOn(c, QR_SIZE + 5 * mm, (self.height - h) / 2)
