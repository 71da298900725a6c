"""The A4 test page staff print from the admin screen: a PDF made here, no platform needed."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw, ImageFont

from drivers.printer.render import FONT_FAMILY, FONT_PATH

PX = (1240, 1754)  # A4 at 150 dpi


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for index in range(16):
        try:
            font = ImageFont.truetype(str(FONT_PATH), size, index=index)
        except OSError:
            break
        if font.getname()[0] == FONT_FAMILY:
            return font
    return ImageFont.load_default(size)


def test_page_pdf(terminal_name: str, when: dt.datetime | None = None) -> bytes:
    """One A4 page: a frame to the margins (shows clipping), the terminal, the time, a grey
    ramp (shows toner)."""
    import img2pdf  # at the test print: the admin screen's module is loaded at start

    page = Image.new("L", PX, 255)
    draw = ImageDraw.Draw(page)
    draw.rectangle((60, 60, PX[0] - 60, PX[1] - 60), outline=0, width=4)
    draw.text((120, 160), "打印测试页 A4 TEST PAGE", font=_font(64), fill=0)
    stamp = (when or dt.datetime.now()).strftime("%Y-%m-%d %H:%M:%S")
    draw.text((120, 300), f"{terminal_name}  {stamp}", font=_font(36), fill=0)
    for i in range(10):
        draw.rectangle((120 + i * 100, 420, 210 + i * 100, 520), fill=i * 25)
    png = io.BytesIO()
    page.save(png, format="PNG", dpi=(150, 150))
    layout = img2pdf.get_layout_fun((img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)))
    return img2pdf.convert(png.getvalue(), layout_fun=layout, title="A4 test page")
