"""Certificates on A4: the platform's own PDF (getCertificateDocument) on the page printer.

The page is the platform's, not a layout of ours: what the citizen hands in is exactly the
document the platform issued, with its verification code and QR. A reprint is stamped
"补打 REPRINT" in the top margin (pikepdf overlays a small stamp page), as the thermal slip
marks it, so a second copy is never taken for the original; its reason goes to the platform
with the collection record, as for the slip.

"Printed" means the page printer's job `completed` with all its pages (drivers.pageprinter).
The preview is the slip's content on an A4-shaped sheet (the PDF is fetched only when printing),
headed so the citizen sees the certificate comes out on A4.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont

from drivers.printer.document import paper_for, to_picture
from kiosk.config.schema import in_language
from kiosk.journeys.receipt import Outcome, settle_print
from kiosk.receipts.certificate import PREVIEW_PNG, CertificateSheet, certificate_document

log = logging.getLogger(__name__)

A4_PREVIEW_PX = (620, 877)  # 75 dpi: enough for a preview, small for the UI
STAMP_TEXT = "补打 REPRINT"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


class PagePrinterPort(Protocol):
    def print_pdf(self, pdf: Path | bytes, action_id: str | None = None): ...  # noqa: ANN201


def _cjk_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """The Simplified Chinese face of Noto CJK, found by its family name (face 0 is
    Japanese)."""
    for index in range(16):
        try:
            font = ImageFont.truetype(CJK_FONT, size, index=index)
        except OSError:
            break
        if font.getname()[0] == "Noto Sans CJK SC":
            return font
    return ImageFont.load_default(size)


@cache
def _stamp_pdf() -> bytes:
    """A 60 × 12 mm page with the reprint mark, to lay over a page's top margin."""
    import img2pdf  # here and below: only a reprint needs them (5 MB an app at home does without)

    image = Image.new("L", (708, 142), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((3, 3, 704, 138), outline=0, width=6)
    font = _cjk_font(84)
    width = draw.textlength(STAMP_TEXT, font=font)
    draw.text(((708 - width) / 2, 14), STAMP_TEXT, font=font, fill=0)
    png = io.BytesIO()
    image.save(png, format="PNG", dpi=(300, 300))
    layout = img2pdf.get_layout_fun((img2pdf.mm_to_pt(60), img2pdf.mm_to_pt(12)))
    return img2pdf.convert(png.getvalue(), layout_fun=layout)


def stamp_reprint(pdf: bytes) -> bytes:
    """Every page of `pdf` with the reprint mark centred in its top margin."""
    import img2pdf
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    stamp = pikepdf.open(io.BytesIO(_stamp_pdf()))
    for page in document.pages:
        box = page.mediabox
        x0, y0, x1, y1 = (float(v) for v in box)
        w, h = img2pdf.mm_to_pt(60), img2pdf.mm_to_pt(12)
        left, top = (x0 + x1 - w) / 2, y1 - img2pdf.mm_to_pt(5)
        page.add_overlay(stamp.pages[0], pikepdf.Rectangle(left, top - h, left + w, top))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class PageCertificatePrinter:
    """Certificates on the A4 page printer, from the platform's PDF."""

    needs_pdf = True
    paper = "a4"

    def __init__(self, printer: PagePrinterPort, *, centre_name: str,
                 centre_name_en: str = "") -> None:
        self._printer = printer
        self._centre_names = centre_name, centre_name_en

    def preview(self, sheet: CertificateSheet) -> bytes:
        centre = in_language(sheet.language, *self._centre_names)
        slip = to_picture(certificate_document(sheet, centre_name=centre, paper_width_mm=80),
                          paper_for(80)).convert("L")
        page = Image.new("L", A4_PREVIEW_PX, 255)
        draw = ImageDraw.Draw(page)
        draw.rectangle((0, 0, A4_PREVIEW_PX[0] - 1, A4_PREVIEW_PX[1] - 1), outline=80, width=3)
        draw.text((24, 16), "A4", fill=0, font=ImageFont.load_default(40))
        slip.thumbnail((A4_PREVIEW_PX[0] - 120, A4_PREVIEW_PX[1] - 120))
        page.paste(slip, ((A4_PREVIEW_PX[0] - slip.width) // 2, 80))
        out = io.BytesIO()
        page.save(out, **PREVIEW_PNG)
        return out.getvalue()

    def print(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
              timeout_s: float) -> tuple[Outcome, str | None]:
        outcome, reason, _ = self.print_detail(sheet, pdf, action_id, timeout_s)
        return outcome, reason

    def print_detail(self, sheet: CertificateSheet, pdf: Path | None, action_id: str,
                     timeout_s: float) -> tuple[Outcome, str | None, bool]:
        """(outcome, reason, unknown), as `print_document_detail` for the slip."""
        if pdf is None:
            return "failed", "no_document", False
        try:
            data = pdf.read_bytes()
            if sheet.reprint:
                data = stamp_reprint(data)
        except _unusable_pdf() as exc:  # evaluated only when something was raised
            log.warning("certificate PDF unusable: %s", type(exc).__name__)
            return "failed", "bad_document", False
        # the page printer's future resolves only once the job completed with all its pages
        return settle_print(lambda: self._printer.print_pdf(data, action_id), timeout_s,
                            "A4 certificate", lambda _result: True, job=action_id)


def _unusable_pdf() -> tuple[type[Exception], ...]:
    """What reading or stamping a certificate PDF raises (pikepdf imported only then)."""
    import pikepdf

    return OSError, pikepdf.PdfError
