"""Find and decode QR codes and barcodes in a camera frame or image file (pure: no I/O but files).

Pipeline, chosen by measurement (bench/qr_bench.py, 1920x1080 frames, both sets; the median
time over a set must stay at or under plain zxing-cpp's, so every frame that holds no readable
code must be given up cheaply):
  1. greyscale; one zxing-cpp call for all formats at full size, without its 90-degree retry
     (try_rotate: QR is found in any orientation) or its downscaled retries (they cost more than
     they read here); if nothing, the linear formats (Code 128) on a transposed copy, for a slip
     held upright (zxing's try_rotate cost more). Reads clean, rotated, tilted, inverted,
     low-contrast, glare and most blurred codes.
  2. only when 1 found nothing, on up to 3 square regions (a symbol zxing located but could not
     decode, else the densest texture at 1/4 scale): Wiener deconvolution, which reads defocused
     dense codes (version 10+ at 3-4 px/module) that zxing does not even locate.
  3. only where a code shows itself (zxing located one, or the region holds 2+ finder patterns):
     on the region, a light blur (moiré from a phone screen's pixel grid), an unsharp mask
     (defocus), then an upscale + closing + local contrast normalisation (screen grid and
     glare; see regions.py). A cluttered frame without a code stops after 2, at about the cost
     of one plain zxing-cpp call.
pyzbar is supported as the alternative decoder (same steps); it was 10-20x slower here and
read fewer of the degraded frames.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from drivers.image_limits import ImageRefused, imdecode_capped
from drivers.qr import regions
from drivers.qr.payload import PayloadError, bytes_to_text

DECODERS = ("zxing", "pyzbar")
DEFAULT_FORMATS: tuple[str, ...] = ("QRCode", "Code128")
MATRIX_FORMATS = frozenset({"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "Aztec", "MaxiCode"})
MIN_SIDE = 16
MAX_PIXELS = 50_000_000  # 8K x 6K; larger is no camera of ours and only costs memory
MAX_FILE_BYTES = 64 * 1024 * 1024

# pyzbar's symbol names, mapped to zxing-cpp's so that both decoders say the same thing
_ZBAR_FORMATS = {
    "QRCODE": "QRCode", "CODE128": "Code128", "CODE39": "Code39", "CODE93": "Code93",
    "EAN13": "EAN13", "EAN8": "EAN8", "UPCA": "UPCA", "UPCE": "UPCE", "I25": "ITF",
    "PDF417": "PDF417", "CODABAR": "Codabar", "DATABAR": "DataBar", "DATABAR_EXP": "DataBarExp",
    "SQCODE": "SQCode",
}
_ZBAR_SYMBOLS = {v: k for k, v in _ZBAR_FORMATS.items()}


class DecodeError(ValueError):
    """The input is not an image that can be searched for codes (never about the codes)."""


@dataclass(frozen=True, slots=True)
class Code:
    """One decoded symbol. `raw` is the payload as stored; `text` a best-effort reading of it
    (UTF-8, else GB18030, else the decoder's own). Use payload.scanned_code before trusting it."""

    text: str
    raw: bytes
    format: str  # zxing-cpp's format name: "QRCode", "Code128", "EAN13"...
    corners: tuple[tuple[int, int], ...]  # top-left, top-right, bottom-right, bottom-left
    found_by: str = "plain"  # which pass of the pipeline read it

    @property
    def center(self) -> tuple[int, int]:
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return (sum(xs) // len(xs), sum(ys) // len(ys))

    def as_dict(self) -> dict[str, object]:
        return {"format": self.format, "corners": [list(p) for p in self.corners],
                "center": list(self.center), "found_by": self.found_by}


def to_grey(image: object) -> np.ndarray:
    """Validate a frame and return it as 8-bit greyscale; DecodeError on anything else."""
    if not isinstance(image, np.ndarray):
        raise DecodeError(f"expected a numpy image, got {type(image).__name__}")
    if image.dtype != np.uint8:
        if image.dtype == np.uint16:
            image = (image >> 8).astype(np.uint8)
        else:
            raise DecodeError(f"expected 8-bit pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise DecodeError(f"expected a grey, BGR or BGRA image, got shape {image.shape}")
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise DecodeError(f"image {w}x{h} is too small to hold a code")
    if h * w > MAX_PIXELS:
        raise DecodeError(f"image {w}x{h} is larger than {MAX_PIXELS} pixels")
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    return np.ascontiguousarray(image)


def _zxing_formats(formats: Sequence[str]) -> zxingcpp.BarcodeFormats:
    try:
        return zxingcpp.barcode_formats_from_str(",".join(formats))
    except ValueError:
        raise DecodeError(f"unknown barcode format in {list(formats)!r}") from None


def _zxing_pass(grey: np.ndarray, formats: zxingcpp.BarcodeFormats, name: str,
                rotate: bool = False, downscale: bool = True
                ) -> tuple[list[Code], list[regions.Box]]:
    """Codes read, and the boxes of symbols that were located but could not be decoded."""
    results = zxingcpp.read_barcodes(grey, formats=formats, try_rotate=rotate,
                                     try_downscale=downscale, return_errors=True)
    codes, located = [], []
    for r in results:
        p = r.position
        corners = tuple((int(q.x), int(q.y))
                        for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))
        if not r.valid:
            if r.format.name in MATRIX_FORMATS:  # evidence for the matrix passes only
                located.append(regions.box_of(corners))
            continue
        raw = bytes(r.bytes)
        codes.append(Code(_reading(raw, r.text), raw, r.format.name, corners, name))
    return codes, located


def _turned(grey: np.ndarray, formats: zxingcpp.BarcodeFormats) -> list[Code]:
    """Bar codes on a transposed copy, for a slip held upright: zxing's own try_rotate read the
    same slips at 1.3x the cost of both passes (a half-size copy was cheaper still but lost
    slips 10 degrees off upright at 2-3 px per bar module, which plain zxing reads)."""
    turned, _ = _zxing_pass(cv2.transpose(grey), formats, "plain", downscale=False)
    # corners back from the transposed copy: (x, y) there is (y, x) here
    return [Code(c.text, c.raw, c.format, tuple((y, x) for x, y in c.corners), c.found_by)
            for c in turned]


def _pyzbar_pass(grey: np.ndarray, formats: Sequence[str], name: str
                 ) -> tuple[list[Code], list[regions.Box]]:
    from pyzbar import (
        pyzbar,  # imported lazily: needs libzbar0, and zxing is the default
    )

    symbols = [getattr(pyzbar.ZBarSymbol, _ZBAR_SYMBOLS[f]) for f in formats
               if f in _ZBAR_SYMBOLS and hasattr(pyzbar.ZBarSymbol, _ZBAR_SYMBOLS[f])]
    if not symbols:
        raise DecodeError(f"pyzbar reads none of the formats {list(formats)!r}")
    codes = []
    for r in pyzbar.decode(grey, symbols=symbols):
        pts = [(int(p.x), int(p.y)) for p in r.polygon]
        if len(pts) != 4:  # zbar gives a hull; fall back to its bounding rectangle
            x, y, w, h = r.rect
            pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        else:  # zbar lists corners anticlockwise from top-left; report clockwise
            pts = [pts[0], pts[3], pts[2], pts[1]]
        raw = bytes(r.data)
        codes.append(Code(_reading(raw, raw.decode("utf-8", "replace")), raw,
                          _ZBAR_FORMATS.get(r.type, r.type), tuple(pts), name))
    return codes, []


def _reading(raw: bytes, decoder_text: str) -> str:
    """Codes here are UTF-8 or GBK; decoders guess Latin-1 or Shift-JIS for bytes without ECI."""
    try:
        return bytes_to_text(raw)[0]
    except PayloadError:
        return decoder_text


def decode_frame(image: object, decoder: str = "zxing",
                 formats: Sequence[str] = DEFAULT_FORMATS) -> list[Code]:
    """Every code found in `image` (BGR, BGRA or grey uint8), in the order found.

    Raises DecodeError for input that is not an image; an image without a code gives [].
    """
    if decoder not in DECODERS:
        raise DecodeError(f"unknown decoder {decoder!r}; use one of {', '.join(DECODERS)}")
    grey = to_grey(image)
    matrix = [f for f in formats if f in MATRIX_FORMATS]
    linear = [f for f in formats if f not in MATRIX_FORMATS]
    if decoder == "zxing":
        zx_matrix = _zxing_formats(matrix or formats)  # also refuses an unknown name

        def run(img: np.ndarray, name: str) -> tuple[list[Code], list[regions.Box]]:
            return _zxing_pass(img, zx_matrix, name)

        # one call for all formats (they share the binarisation), at full size only: zxing's
        # downscaled retries cost more than they read on a 1080p frame
        codes, located = _zxing_pass(grey, _zxing_formats(formats), "plain", downscale=False)
        if not codes and linear:
            codes = _turned(grey, _zxing_formats(linear))
    else:
        def run(img: np.ndarray, name: str) -> tuple[list[Code], list[regions.Box]]:
            return _pyzbar_pass(img, formats, name)

        codes, located = run(grey, "plain")
    if codes or not matrix:
        return _unique(codes)
    boxes = [b for b in located + regions.texture_regions(grey) if regions.square(b)]
    crops = [(r, xy) for r, xy in (regions.crop(grey, b) for b in boxes[:regions.MAX_REGIONS])
             if min(r.shape) >= MIN_SIDE]
    for region, (x0, y0) in crops:
        found, _ = run(regions.wiener(region), "wiener")
        if found:
            return _unique([_moved(c, x0, y0, 1.0) for c in found])
    # the passes below read moiré and glare; they run only where a code shows itself
    evident = [(r, xy) for r, xy in crops if located or regions.finder_patterns(r) >= 2]
    if not evident:
        return []
    for variants in (_filtered, regions.screen_variants):
        for region, (x0, y0) in evident:
            for name, variant, scale in variants(region):
                found, _ = run(variant, name)
                if found:
                    return _unique([_moved(c, x0, y0, scale) for c in found])
    return []


def _filtered(region: np.ndarray) -> Iterator[tuple[str, np.ndarray, float]]:
    """A light blur against a screen's moiré, then an unsharp mask against defocus."""
    yield "deblur", cv2.GaussianBlur(region, (0, 0), 1.0), 1.0
    yield "sharpen", cv2.addWeighted(region, 2.0, cv2.GaussianBlur(region, (0, 0), 2.0), -1.0, 0), 1.0


def _moved(code: Code, x0: int, y0: int, scale: float) -> Code:
    """A code read in a region, with its corners in frame pixels."""
    corners = tuple((round(x / scale) + x0, round(y / scale) + y0) for x, y in code.corners)
    return Code(code.text, code.raw, code.format, corners, code.found_by)


def _unique(codes: list[Code]) -> list[Code]:
    seen: set[tuple[str, bytes]] = set()
    out = []
    for code in codes:
        key = (code.format, code.raw)
        if key not in seen:
            seen.add(key)
            out.append(code)
    return out


def load_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file for decoding; DecodeError (naming the file, not its content) if not."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DecodeError(f"{p}: {size} bytes is larger than {MAX_FILE_BYTES}")
        data = np.fromfile(p, dtype=np.uint8)
    except DecodeError:
        raise
    except IsADirectoryError:
        raise DecodeError(f"{p}: is a directory") from None
    except OSError as exc:
        raise DecodeError(f"{p}: {exc.strerror or type(exc).__name__}") from None
    try:  # refused by the size its header declares, before a pixel is decoded
        image = imdecode_capped(data, cv2.IMREAD_UNCHANGED, max_pixels=MAX_PIXELS) \
            if data.size else None
    except ImageRefused as exc:
        raise DecodeError(f"{p}: not a readable image" if exc.reason == "unreadable"
                          else f"{p}: {exc}") from None
    if image is None:
        raise DecodeError(f"{p}: not a readable image")
    return image


def decode_file(path: str | os.PathLike[str], decoder: str = "zxing",
                formats: Sequence[str] = DEFAULT_FORMATS) -> list[Code]:
    return decode_frame(load_image(path), decoder, formats)


Decoder = Callable[[np.ndarray], list[Code]]
