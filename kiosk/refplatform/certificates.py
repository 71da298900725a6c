"""The printable document of an issued certificate: one A4 page as a PDF.

Pillow draws the page (grayscale, 150 dpi, Simplified Chinese glyphs from Noto Sans CJK SC), a
QR code of the public verification URL is drawn by `segno`, and img2pdf wraps the PNG into a
PDF without re-encoding, so the file stays around 100 kB. The holder's ID number is printed
masked; the full name is printed, as on any certificate the holder keeps.
"""

from __future__ import annotations

import io
import logging
import subprocess
from collections.abc import Mapping
from functools import cache
from typing import Any

import img2pdf
import segno
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

DPI = 150
A4_PX = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))  # 1240 x 1754
CJK_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@cache
def cjk_font_path() -> tuple[str, int] | None:
    """(file, face index) of a Simplified Chinese face: fontconfig first, then Debian's ttc.

    In Debian's NotoSansCJK-Regular.ttc face 0 is Japanese; the SC face is looked up by name
    rather than trusted to sit at index 2.
    """
    candidates: list[tuple[str, int]] = []
    try:
        out = subprocess.run(["fc-match", "Noto Sans CJK SC", "--format", "%{file}|%{index}"],
                             capture_output=True, text=True, timeout=10).stdout
        path, _, index = out.partition("|")
        if path and index.isdigit():
            candidates.append((path, int(index)))
    except (OSError, subprocess.SubprocessError):
        pass
    candidates += [(CJK_TTC, i) for i in range(10)]
    for path, index in candidates:
        try:
            family, _ = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            continue
        if family and family.endswith(" SC"):
            return path, index
    return None


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    found = cjk_font_path()
    if found is None:
        log.warning("no Simplified Chinese font found; certificate text will lack CJK glyphs")
        return ImageFont.load_default(size)
    return ImageFont.truetype(found[0], size, index=found[1])


def _qr_image(text: str, scale: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def render_pdf(certificate: Mapping[str, Any], verify_url: str) -> bytes:
    """`certificate`: title, holder_name, holder_masked, receipt_no, issuer, issued_at,
    verification_code."""
    png = io.BytesIO()
    render_page(certificate, verify_url).save(png, format="PNG", optimize=True, dpi=(DPI, DPI))
    layout = img2pdf.get_layout_fun((img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)))
    return img2pdf.convert(png.getvalue(), layout_fun=layout, title=str(certificate["title"]),
                           producer="govkiosk reference platform")


def render_page(certificate: Mapping[str, Any], verify_url: str) -> Image.Image:
    """The A4 page as a grayscale image."""
    page = Image.new("L", A4_PX, 255)
    draw = ImageDraw.Draw(page)
    width, _ = A4_PX
    margin = 120
    draw.rectangle((60, 60, width - 60, A4_PX[1] - 60), outline=0, width=4)
    draw.rectangle((72, 72, width - 72, A4_PX[1] - 72), outline=0, width=1)

    title = str(certificate["title"])
    title_font = _font(64)
    tw = draw.textlength(title, font=title_font)
    draw.text(((width - tw) / 2, 200), title, font=title_font, fill=0)

    body_font = _font(34)
    holder_id = str(certificate["holder_masked"]).split(" ", 1)[-1]
    rows = [
        ("持证人 Holder", str(certificate.get("holder_name") or certificate["holder_masked"])),
        ("证件号码 ID", holder_id),
        ("受理号 Receipt", str(certificate["receipt_no"])),
        ("发证机关 Issuer", str(certificate["issuer"])),
        ("发证日期 Issued", str(certificate["issued_at"])[:10]),
        ("核验码 Code", str(certificate["verification_code"])),
    ]
    y = 420
    for label, value in rows:
        draw.text((margin, y), label, font=body_font, fill=80)
        draw.text((margin + 330, y), value, font=body_font, fill=0)
        y += 80

    qr = _qr_image(verify_url, scale=8)
    qr_x = (width - qr.width) // 2
    page.paste(qr, (qr_x, y + 80))
    small = _font(24)
    note = "扫描二维码或输入核验码核验真伪  Scan or enter the code to verify"
    nw = draw.textlength(note, font=small)
    draw.text(((width - nw) / 2, y + 100 + qr.height), note, font=small, fill=60)
    uw = draw.textlength(verify_url, font=small)
    draw.text(((width - uw) / 2, y + 140 + qr.height), verify_url, font=small, fill=60)

    return page
