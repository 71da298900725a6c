"""Printed matter described once, rendered to ESC/POS bytes for 58 or 80 mm paper.

Pure: no I/O. Text goes out in GB18030 in Chinese-character mode (FS &), which prints a line
of Chinese in ~100 bytes where a raster would take thousands; QR codes use the printer's own
`GS ( k`; raster (`GS v 0`) is used only for images. python-escpos's MagicEncode would turn a
line of only fullwidth punctuation into `??`, so text is encoded here, not there.

`to_full_raster` renders the same description as one picture (for the benchmark, and as a
fallback for printers without a Chinese font).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image as PILImage

Align = Literal["left", "center", "right"]
_ALIGN_CODE = {"left": 0, "center": 1, "right": 2}
_EC_LEVELS = ("L", "M", "Q", "H")

ESC_INIT = b"\x1b@"
FS_CHINESE_ON = b"\x1c&"
RASTER_BAND_ROWS = 128  # a GS v 0 block per band keeps printer buffers small


class DocumentError(ValueError):
    """A description that cannot be printed (control characters, sizes out of range...)."""


@dataclass(frozen=True, slots=True)
class Paper:
    width_mm: int
    columns: int  # 12-dot half-width characters per line (font A)
    dots: int  # printable dots per line

    @property
    def width_bytes(self) -> int:
        return self.dots // 8


def paper_for(width_mm: int, dots_per_line: int | None = None) -> Paper:
    """58 mm: 32 columns, 384 dots; 80 mm: 48 columns, 576 dots (some models: 512)."""
    if width_mm == 58:
        dots = dots_per_line or 384
    elif width_mm == 80:
        dots = dots_per_line or 576
    else:
        raise DocumentError(f"paper width must be 58 or 80 mm, not {width_mm}")
    if dots % 8 or not 128 <= dots <= 1024:
        raise DocumentError(f"dots per line must be a multiple of 8 in 128..1024, not {dots}")
    return Paper(width_mm, dots // 12, dots)


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    size: int = 1  # 1..8, width and height multiplier
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class Qr:
    data: str
    module: int = 6  # dots per module, 1..16
    ec: Literal["L", "M", "Q", "H"] = "M"
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class Image:
    image: PILImage.Image = field(compare=False)
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    feed_lines: int = 4


Item = Text | Qr | Image | Rule | Feed | Cut


@dataclass(frozen=True, slots=True)
class Document:
    items: tuple[Item, ...]
    title: str = "document"  # for logs; never personal data


# ---- text layout --------------------------------------------------------------------------

def char_columns(ch: str) -> int:
    """Columns a character takes in Chinese-character mode: one per GB18030 byte pair rule."""
    return 1 if len(ch.encode("gb18030")) == 1 else 2


def text_columns(text: str) -> int:
    return sum(char_columns(c) for c in text)


def check_text(text: str) -> None:
    for ch in text:
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise DocumentError(f"text contains control character U+{ord(ch):04X}")


def wrap(text: str, columns: int) -> list[str]:
    """Greedy wrap by printed columns; Latin words move whole to the next line when they can."""
    if columns < 2:
        raise DocumentError("text size too large for the paper width")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for ch in paragraph:
            w = char_columns(ch)
            if used + w > columns:
                cut = line.rfind(" ")
                if ch != " " and cut > 0 and char_columns(line[-1]) == 1 and line[-1] != " ":
                    lines.append(line[:cut].rstrip(" "))
                    line = line[cut + 1:]
                else:
                    lines.append(line.rstrip(" "))
                    line = ""
                if ch == " " and not line:
                    used = 0
                    continue
                used = text_columns(line)
            line += ch
            used += w
        lines.append(line)
    return lines


# ---- ESC/POS rendering --------------------------------------------------------------------

def _align(align: str) -> bytes:
    if align not in _ALIGN_CODE:
        raise DocumentError(f"alignment must be left, center or right, not {align!r}")
    return b"\x1ba" + bytes([_ALIGN_CODE[align]])


def _text(item: Text, paper: Paper) -> bytes:
    check_text(item.text)
    if not 1 <= item.size <= 8:
        raise DocumentError(f"text size must be 1..8, not {item.size}")
    out = bytearray(_align(item.align))
    out += b"\x1d!" + bytes([(item.size - 1) << 4 | (item.size - 1)])
    out += b"\x1bE" + bytes([1 if item.bold else 0])
    for line in wrap(item.text, paper.columns // item.size):
        out += line.encode("gb18030") + b"\n"
    out += b"\x1d!\x00\x1bE\x00"
    return bytes(out)


def _qr(item: Qr) -> bytes:
    if not item.data:
        raise DocumentError("QR code data is empty")
    if not 1 <= item.module <= 16:
        raise DocumentError(f"QR module size must be 1..16, not {item.module}")
    if item.ec not in _EC_LEVELS:
        raise DocumentError(f"QR error correction must be one of {_EC_LEVELS}")
    if len(item.data.encode("utf-8")) > 7000:
        raise DocumentError("QR code data is too long")
    # python-escpos only here: its capability database costs 0.3 s and 10 MB at import, and
    # an app at home (the printer polled, nothing printed) does without it
    from escpos.printer import Dummy

    dummy = Dummy()
    dummy.qr(item.data, ec=_EC_LEVELS.index(item.ec), size=item.module, native=True)
    return _align(item.align) + dummy.output + b"\n"


def raster_bytes(image: PILImage.Image) -> bytes:
    """`GS v 0` blocks for a 1-bit picture (black = print), in bands of RASTER_BAND_ROWS."""
    mono = image.convert("L").point(lambda v: 255 if v < 128 else 0, mode="1")
    width_bytes = (mono.width + 7) // 8
    padded = PILImage.new("1", (width_bytes * 8, mono.height), 0)
    padded.paste(mono, (0, 0))
    data = padded.tobytes()  # rows packed MSB first, 1 = black after the inversion above
    out = bytearray()
    for top in range(0, padded.height, RASTER_BAND_ROWS):
        rows = min(RASTER_BAND_ROWS, padded.height - top)
        out += b"\x1dv0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8,
                                      rows & 0xFF, rows >> 8])
        out += data[top * width_bytes:(top + rows) * width_bytes]
    return bytes(out)


def _image(item: Image, paper: Paper) -> bytes:
    img = item.image
    if img.width < 1 or img.height < 1:
        raise DocumentError("image is empty")
    if img.width > paper.dots:
        img = img.resize((paper.dots, max(1, round(img.height * paper.dots / img.width))))
    if img.height > 4000:
        raise DocumentError("image is taller than 4000 dots")
    return _align(item.align) + raster_bytes(img)


def render_escpos(document: Document, paper: Paper) -> bytes:
    """The document as ESC/POS bytes: init, Chinese mode, then each item."""
    out = bytearray(ESC_INIT + FS_CHINESE_ON)
    for item in document.items:
        if isinstance(item, Text):
            out += _text(item, paper)
        elif isinstance(item, Qr):
            out += _qr(item)
        elif isinstance(item, Image):
            out += _image(item, paper)
        elif isinstance(item, Rule):
            if len(item.char) != 1 or char_columns(item.char) != 1:
                raise DocumentError("a rule is drawn with one half-width character")
            check_text(item.char)
            out += _align("left") + item.char.encode("ascii", "replace") * paper.columns + b"\n"
        elif isinstance(item, Feed):
            if not 0 <= item.lines <= 255:
                raise DocumentError("feed lines must be 0..255")
            out += b"\x1bd" + bytes([item.lines])
        elif isinstance(item, Cut):
            if not 0 <= item.feed_lines <= 255:
                raise DocumentError("cut feed lines must be 0..255")
            out += b"\x1bd" + bytes([item.feed_lines]) + b"\x1dV\x00"
        else:
            raise DocumentError(f"unknown document item {type(item).__name__}")
    out += _align("left")
    return bytes(out)


def to_picture(document: Document, paper: Paper) -> PILImage.Image:
    """What the document looks like on paper (the emulator's renderer, from the same bytes)."""
    from drivers.printer.escpos_parser import EscPosParser
    from drivers.printer.render import JobRenderer

    renderer = JobRenderer(paper.dots)
    pictures = []
    for command in EscPosParser().feed(render_escpos(document, paper)):
        job = renderer.apply(command)
        if job is not None:
            pictures.append(job.image)
    if not renderer.empty or not pictures:
        pictures.append(renderer.finish().image)
    if len(pictures) == 1:
        return pictures[0]
    whole = PILImage.new("L", (paper.dots, sum(p.height for p in pictures)), 255)
    y = 0
    for picture in pictures:
        whole.paste(picture, (0, y))
        y += picture.height
    return whole


def to_full_raster(document: Document, paper: Paper) -> bytes:
    """The same document as one raster picture plus a cut: many times more bytes."""
    picture = to_picture(document, paper)
    cut = document.items and isinstance(document.items[-1], Cut)
    return ESC_INIT + raster_bytes(picture) + (b"\x1bd\x04\x1dV\x00" if cut else b"")
