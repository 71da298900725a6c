"""Draw parsed ESC/POS commands the way a thermal printer would put them on paper.

Pure (PIL only). Characters sit in a fixed grid like the printer's bitmap fonts: 12x24 dots
for a half-width character, 24x24 for a Chinese one, scaled by GS ! / ESC !. The CJK face is
Noto Sans CJK SC (not face 0 of the .ttc, which is the Japanese one).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from drivers.printer import escpos_parser as p

FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_FAMILY = "Noto Sans CJK SC"
CELL_H = 24
HALF_W = 12
LINE_SPACING = 30  # dots, ESC 2 default on 203 dpi printers
_QR_EC = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


@functools.cache
def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The Simplified Chinese face of the Noto collection, found by its family name."""
    if FONT_PATH.exists():
        for index in range(16):
            try:
                font = ImageFont.truetype(str(FONT_PATH), 22, index=index)
            except OSError:
                break
            if font.getname()[0] == FONT_FAMILY:
                return font
    return ImageFont.load_default()


@functools.cache
def _glyph(ch: str, full: bool, bold: bool) -> Image.Image:
    """One character cell, black on white, 1-bit."""
    w = HALF_W * 2 if full else HALF_W
    cell = Image.new("L", (w, CELL_H), 255)
    draw = ImageDraw.Draw(cell)
    draw.text((w / 2, CELL_H / 2), ch, font=_font(), fill=0, anchor="mm",
              stroke_width=1 if bold else 0, stroke_fill=0)
    return cell


def _is_full(ch: str) -> bool:
    try:
        return len(ch.encode("gb18030")) > 1
    except UnicodeEncodeError:
        return True


@dataclass
class RenderedJob:
    image: Image.Image
    lines: list[str]  # the text of every printed line, in order
    qr_codes: list[str]
    rasters: list[tuple[int, int]]  # (width dots, height dots)
    cut: bool
    truncated: bool = False
    unknown: list[bytes] = field(default_factory=list)


@dataclass
class _Char:
    ch: str
    width: int
    height: int
    bold: bool


class JobRenderer:
    """Applies commands one by one; `finish()` returns the job drawn so far."""

    def __init__(self, dots: int):
        self.dots = dots
        self._bands: list[Image.Image] = []
        self._lines: list[str] = []
        self._qr: list[str] = []
        self._rasters: list[tuple[int, int]] = []
        self._unknown: list[bytes] = []
        self._line: list[_Char] = []
        self._used = 0
        self._reset_modes()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = "L"

    def _reset_modes(self) -> None:
        self.align = "left"
        self.width = self.height = 1
        self.bold = False

    @property
    def empty(self) -> bool:
        return not (self._bands or self._line or self._unknown)

    def apply(self, command: p.Command) -> RenderedJob | None:
        """Draw one command; a cut returns the finished job and starts the next."""
        if isinstance(command, p.Text):
            for ch in command.text:
                self._add_char(ch)
        elif isinstance(command, p.LineFeed):
            self._print_line(force=True)
        elif isinstance(command, p.Init):
            self._reset_modes()
        elif isinstance(command, p.PrintMode):
            self.bold = command.bold
            self.width = 2 if command.double_width else 1
            self.height = 2 if command.double_height else 1
        elif isinstance(command, p.CharSize):
            self.width, self.height = command.width, command.height
        elif isinstance(command, p.Bold):
            self.bold = command.on
        elif isinstance(command, p.Align):
            self.align = command.align
        elif isinstance(command, p.FeedLines):
            self._print_line(force=False)
            for _ in range(command.lines):
                self._bands.append(Image.new("L", (self.dots, LINE_SPACING), 255))
        elif isinstance(command, p.FeedDots):
            self._print_line(force=False)
            if command.dots:
                self._bands.append(Image.new("L", (self.dots, command.dots), 255))
        elif isinstance(command, p.QrModule):
            self._qr_module = max(1, min(16, command.size))
        elif isinstance(command, p.QrErrorCorrection):
            self._qr_ec = command.level
        elif isinstance(command, p.QrStore):
            self._qr_data = command.data
        elif isinstance(command, p.QrPrint):
            self._print_qr()
        elif isinstance(command, p.Raster):
            self._print_raster(command)
        elif isinstance(command, p.Cut):
            self._print_line(force=False)
            job = self.finish()
            job.cut = True
            return job
        elif isinstance(command, p.Unknown):
            self._unknown.append(command.raw)
        return None

    def finish(self, truncated: bool = False) -> RenderedJob:
        """The job as printed so far; the renderer starts a new, empty job."""
        self._print_line(force=False)
        height = sum(b.height for b in self._bands) or 1
        image = Image.new("L", (self.dots, height), 255)
        y = 0
        for band in self._bands:
            image.paste(band, (0, y))
            y += band.height
        job = RenderedJob(image, self._lines, self._qr, self._rasters, False, truncated,
                          self._unknown)
        self._bands, self._lines, self._qr, self._rasters, self._unknown = [], [], [], [], []
        return job

    # ---- drawing -------------------------------------------------------------------------

    def _add_char(self, ch: str) -> None:
        full = _is_full(ch)
        w = (HALF_W * 2 if full else HALF_W) * self.width
        if self._used + w > self.dots:  # the printer prints a full line buffer by itself
            self._print_line(force=True)
        self._line.append(_Char(ch, self.width, self.height, self.bold))
        self._used += w

    def _print_line(self, force: bool) -> None:
        if not self._line and not force:
            return
        chars, self._line, self._used = self._line, [], 0
        height = max([c.height for c in chars], default=1)
        band_h = max(LINE_SPACING, CELL_H * height + 6)
        band = Image.new("L", (self.dots, band_h), 255)
        cells = []
        for c in chars:
            glyph = _glyph(c.ch, _is_full(c.ch), c.bold)
            if (c.width, c.height) != (1, 1):
                glyph = glyph.resize((glyph.width * c.width, glyph.height * c.height),
                                     Image.Resampling.NEAREST)
            cells.append(glyph)
        total = sum(g.width for g in cells)
        x = self._x_for(total)
        for glyph in cells:
            band.paste(glyph, (x, band_h - 3 - glyph.height))  # characters sit on the baseline
            x += glyph.width
        self._bands.append(band)
        self._lines.append("".join(c.ch for c in chars))

    def _x_for(self, width: int) -> int:
        if self.align == "center":
            return max(0, (self.dots - width) // 2)
        if self.align == "right":
            return max(0, self.dots - width)
        return 0

    def _paste(self, picture: Image.Image) -> None:
        self._print_line(force=False)
        if picture.width > self.dots:
            picture = picture.crop((0, 0, self.dots, picture.height))
        band = Image.new("L", (self.dots, picture.height), 255)
        band.paste(picture, (self._x_for(picture.width), 0))
        self._bands.append(band)

    def _print_qr(self) -> None:
        text = self._qr_data.decode("utf-8", errors="replace")
        try:
            code = qrcode.QRCode(error_correction=_QR_EC.get(self._qr_ec, _QR_EC["L"]),
                                 box_size=self._qr_module, border=0)
            code.add_data(self._qr_data)
            code.make(fit=True)
            picture = code.make_image(fill_color="black", back_color="white").get_image()
        except Exception as exc:  # data too long for any version: a real printer prints nothing
            self._unknown.append(f"qr failed: {type(exc).__name__}".encode())
            return
        self._qr.append(text)
        self._paste(picture.convert("L"))

    def _print_raster(self, command: p.Raster) -> None:
        width = command.width_bytes * 8
        bits = Image.frombytes("1", (width, command.height), command.data)
        picture = bits.convert("L").point(lambda v: 0 if v else 255)  # 1 bit = black dot
        if command.scale & 1:
            picture = picture.resize((picture.width * 2, picture.height), Image.Resampling.NEAREST)
        if command.scale & 2:
            picture = picture.resize((picture.width, picture.height * 2), Image.Resampling.NEAREST)
        self._rasters.append((picture.width, picture.height))
        self._paste(picture)
