"""Printed matter checked as pictures against reviewed references (issue 5: "so a layout change
is seen").

    from tests.golden.compare import assert_matches
    assert_matches(Image.open(job["path"]), "certificate_80")

A reference is tests/golden/references/<name>.png: a 1-bit picture (printers print dots, and 1-bit
keeps the committed files small) of what the printer emulator rendered from fixed data. A fresh
render matches when it has the same size and at most `tolerance` pixels differ after both are
cut to black/white at mid-grey: that absorbs anti-aliasing noise of the font renderer, not a
moved line or a changed character (one glyph is hundreds of pixels).

References are written ONLY by an explicit run with KIOSK_UPDATE_GOLDEN=1, which (re)writes
every reference it meets; then look at them and commit them. A missing reference fails the test,
never silently becomes one. On a mismatch the fresh render and a picture of the difference (red
= only in the fresh render, blue = only in the reference) are written to $KIOSK_GOLDEN_OUT
(default: <tmp>/kiosk-golden) and the failure names them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

REFERENCES = Path(__file__).parent / "references"
TOLERANCE = 24  # differing pixels
UPDATE_ENV = "KIOSK_UPDATE_GOLDEN"


class GoldenMismatch(AssertionError):
    """A render that is not its reviewed reference (or has none)."""


def dots(image: Image.Image) -> Image.Image:
    """Black/white at mid-grey, as a thermal head would print it."""
    return image.convert("L").point(lambda v: 0 if v < 128 else 255, mode="1")


def out_dir() -> Path:
    path = Path(os.environ.get("KIOSK_GOLDEN_OUT") or Path(tempfile.gettempdir()) / "kiosk-golden")
    path.mkdir(parents=True, exist_ok=True)
    return path


def differing_pixels(a: Image.Image, b: Image.Image) -> int:
    """How many pixels differ between two pictures of the same size (after `dots`)."""
    if a.size != b.size:
        raise ValueError("sizes differ")
    diff = ImageChops.logical_xor(dots(a), dots(b))
    return diff.convert("L").histogram()[255]


def _diff_picture(reference: Image.Image, fresh: Image.Image) -> Image.Image:
    width, height = max(reference.width, fresh.width), max(reference.height, fresh.height)
    canvas = Image.new("RGB", (width, height), "white")
    ref = Image.new("L", (width, height), 255)
    ref.paste(dots(reference).convert("L"), (0, 0))
    new = Image.new("L", (width, height), 255)
    new.paste(dots(fresh).convert("L"), (0, 0))
    px_ref, px_new, px_out = ref.load(), new.load(), canvas.load()
    for y in range(height):
        for x in range(width):
            r, n = px_ref[x, y] == 0, px_new[x, y] == 0
            if r and n:
                px_out[x, y] = (160, 160, 160)
            elif n:
                px_out[x, y] = (220, 0, 0)
            elif r:
                px_out[x, y] = (0, 0, 220)
    return canvas


def assert_matches(fresh: Image.Image, name: str, *, tolerance: int = TOLERANCE,
                   references: Path = REFERENCES) -> None:
    """Fail (GoldenMismatch) unless `fresh` looks like reference `name`."""
    reference_path = references / f"{name}.png"
    if os.environ.get(UPDATE_ENV) == "1":
        references.mkdir(parents=True, exist_ok=True)
        dots(fresh).save(reference_path, optimize=True)
        return
    if not reference_path.exists():
        actual = out_dir() / f"{name}.actual.png"
        dots(fresh).save(actual)
        raise GoldenMismatch(f"no reference {reference_path}: review the render in {actual}, "
                             f"then create references with {UPDATE_ENV}=1")
    reference = Image.open(reference_path)
    if reference.size == fresh.size:
        differing = differing_pixels(reference, fresh)
        if differing <= tolerance:
            return
        why = f"{differing} pixels differ (tolerance {tolerance})"
    else:
        why = f"size {fresh.size} instead of {reference.size}"
    actual, diff = out_dir() / f"{name}.actual.png", out_dir() / f"{name}.diff.png"
    dots(fresh).save(actual)
    _diff_picture(reference, fresh).save(diff)
    raise GoldenMismatch(f"{name} does not match {reference_path}: {why}; the render is in "
                         f"{actual} and the difference in {diff} (red: new, blue: gone). If the "
                         f"change is wanted, rerun with {UPDATE_ENV}=1 and commit the reference.")
