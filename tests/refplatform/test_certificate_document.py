"""The printable certificate: a small A4 PDF whose QR code reads back as the verification URL."""

from __future__ import annotations

import re

import numpy as np
import zxingcpp

from kiosk.refplatform import certificates

CERT = {"title": "无犯罪记录证明", "holder_name": "张三", "holder_masked": "张* 110105********002X",
        "receipt_no": "SL-20250610-000001", "issuer": "市公安局",
        "issued_at": "2025-06-10T10:00:00+08:00", "verification_code": "7KQ2-9XHT-M4PA-Z0RB"}
URL = "https://platform.example/api/v1/verify/7KQ2-9XHT-M4PA-Z0RB"


def test_the_font_is_the_simplified_chinese_face():
    path, index = certificates.cjk_font_path()
    from PIL import ImageFont
    assert ImageFont.truetype(path, 12, index=index).getname()[0].endswith(" SC")


def test_the_page_is_a4_and_its_qr_code_reads_back_as_the_verification_url():
    page = certificates.render_page(CERT, URL)
    assert page.size == certificates.A4_PX
    decoded = [r.text for r in zxingcpp.read_barcodes(np.asarray(page))]
    assert decoded == [URL]


def test_the_pdf_is_one_small_a4_page():
    pdf = certificates.render_pdf(CERT, URL)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) < 300_000
    assert len(re.findall(rb"/Type /Page(?!s)", pdf)) == 1
    box = re.search(rb"/MediaBox \[ ?0 0 ([0-9.]+) ([0-9.]+) ?\]", pdf)
    assert box and round(float(box[1])) == 595 and round(float(box[2])) == 842  # A4 in points
    assert b"110105199" not in pdf
