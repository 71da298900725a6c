"""A label or button that draws only the inked part of its text's texture (screens.glass:
issue 16, a transparent pixel costs a blended pixel under software GL) draws exactly what
Kivy's own Label and Button draw, pixel for pixel: one line and wrapped, left and centred,
Chinese, English, icons, markup sizes, italic overhang, text in a corner, nothing at all. Rendered by
tests/ui/ink_app.py under the session's Xvfb."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.harness import ROOT, Xvfb

APP = Path(__file__).with_name("ink_app.py")


@pytest.fixture(scope="module")
def rendered(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One run of the app: its INK and PICTURE lines."""
    home = tmp_path_factory.mktemp("ink") / "kivy"
    out = subprocess.run([sys.executable, str(APP), "--kivy-home", str(home),
                          "--fonts", str(ROOT / "run" / "font-cache")],
                         env={**xvfb.env, "PATH": "/usr/bin:/bin"}, capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    lines = {}
    for tag in ("INK", "PICTURE"):
        line = next((l for l in out.stdout.splitlines() if l.startswith(tag + " ")), None)
        assert line is not None, out.stdout[-2000:] + out.stderr[-3000:]
        lines[tag] = json.loads(line.removeprefix(tag + " "))
    return lines


def test_inked_part_draws_the_same_pixels_as_the_whole_texture(rendered: dict) -> None:
    cases = rendered["INK"]
    assert [c["differ"] for c in cases] == [0] * len(cases), cases
    drawn = [c for c in cases if c["inked"]]
    assert len(drawn) == len(cases) - 1  # every text but the empty one put ink on the glass
    # and the inked part is smaller than the texture where a label is wider than its text
    smaller = [c for c in drawn if c["quad"][0] * c["quad"][1] < c["texture"][0] * c["texture"][1]]
    assert len(smaller) >= 5, cases


def test_a_picture_decoded_off_the_main_loop_is_the_texture_kivy_would_make(
        rendered: dict) -> None:
    """screens.picture: a certificate preview or a payment's QR code decoded on the worker and
    uploaded on the main loop is Kivy's own texture of that PNG (size, pixels, way up), in
    every PNG mode the core hands over."""
    pictures = rendered["PICTURE"]
    assert len(pictures) == 6 and all(p["same"] for p in pictures), pictures
