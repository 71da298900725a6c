"""kiosk.receipts.layout: the QR module size is chosen from the symbol's version alone."""

from __future__ import annotations

import qrcode

from kiosk.receipts.layout import QR_MODULE_DOTS, qr_module


def _made(text: str, dots: int) -> int:
    """The module size as it was found before: the whole symbol made, its side counted."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return max(1, min(QR_MODULE_DOTS, dots // (code.modules_count + 8)))


def test_the_module_size_is_the_one_the_made_symbol_gives() -> None:
    texts = ["x", "https://zwfw.example.gov.cn/api/v1/verify?code=7K3M-Q9XH-4T2B-8WJD",
             "证照核验 " * 20, "A" * 500, "0123456789" * 100, "https://v.example/" + "k" * 900]
    for text in texts:
        for dots in (384, 576, 2400):  # 58 mm, 80 mm, an A4 line at 300 dpi
            assert qr_module(text, dots) == _made(text, dots), (text[:20], dots)
