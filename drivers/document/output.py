"""JPEG per page and one size-bounded multi-page PDF (img2pdf: JPEGs embedded as they are).

The platform refuses uploads over `max_pdf_bytes`, so the PDF is re-encoded at lower JPEG
quality, then lower resolution, down to a floor below which text stops being legible; past the
floor a clear PdfTooLarge is raised rather than an unreadable document being sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from drivers.document.page import ImageError, Page
from drivers.document.page_detect import check_image

A4_PT = (210 * 72 / 25.4, 297 * 72 / 25.4)  # img2pdf.mm_to_pt, without importing it at home
QUALITY_FLOOR = 40
MIN_LONG_SIDE = 1000  # px; an A4 page below ~85 dpi is no longer reliably legible
QUALITY_STEPS = (0, -15, -30)  # relative to the configured quality, floored at QUALITY_FLOOR
SCALE_STEPS = (1.0, 0.75, 0.5, 0.35)


class PdfTooLarge(ValueError):
    """Even at the quality/resolution floor the document exceeds the size limit."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"PDF is {size} bytes at the lowest acceptable quality; "
                         f"limit is {limit} bytes")
        self.reason = "pdf_too_large"
        self.size = size
        self.limit = limit


def encode_jpeg(image: np.ndarray, quality: int = 85) -> bytes:
    image = check_image(image)
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality {quality} outside 1..100")
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality),
                                           cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise ImageError("encode_failed", "JPEG encoding failed")
    return buf.tobytes()


def _layout() -> object:
    import img2pdf  # here and below: only a document's PDF needs it

    return img2pdf.get_layout_fun(A4_PT, fit=img2pdf.FitMode.into, auto_orient=True)


def pdf_from_jpegs(jpegs: Sequence[bytes]) -> bytes:
    """Embed JPEGs losslessly, one per A4 page (landscape pages turned to fit)."""
    if not jpegs:
        raise ValueError("a PDF needs at least one page")
    import img2pdf

    return img2pdf.convert(list(jpegs), layout_fun=_layout(), nodate=True)


def _scaled(image: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return image
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def build_pdf(images: Sequence[np.ndarray], quality: int, max_bytes: int
              ) -> tuple[bytes, dict[str, float]]:
    """A PDF of `images` no bigger than `max_bytes`; returns (pdf, {"quality", "scale"})."""
    if not images:
        raise ValueError("a PDF needs at least one page")
    images = [check_image(i) for i in images]
    longest = max(max(i.shape[:2]) for i in images)
    qualities = sorted({max(QUALITY_FLOOR, min(quality, 100) + d) for d in QUALITY_STEPS},
                       reverse=True)
    size = 0
    for scale in SCALE_STEPS:
        if scale < 1.0 and longest * scale < MIN_LONG_SIDE:
            break
        scaled = [_scaled(i, scale) for i in images]
        for q in qualities:
            pdf = pdf_from_jpegs([encode_jpeg(i, q) for i in scaled])
            size = len(pdf)
            if size <= max_bytes:
                return pdf, {"quality": q, "scale": scale}
    raise PdfTooLarge(size, max_bytes)


def write_document(pages: Sequence[Page], out_dir: Path, quality: int, max_bytes: int
                   ) -> dict[str, object]:
    """page-001.jpg... and document.pdf in `out_dir`; returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for n, page in enumerate(pages, 1):
        path = out_dir / f"page-{n:03d}.jpg"
        path.write_bytes(encode_jpeg(page.image, quality))
        files.append(str(path))
    pdf, used = build_pdf([p.image for p in pages], quality, max_bytes)
    pdf_path = out_dir / "document.pdf"
    pdf_path.write_bytes(pdf)
    return {"pages": files, "pdf": str(pdf_path), "pdf_bytes": len(pdf), **used}
