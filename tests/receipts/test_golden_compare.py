"""The golden-image comparison itself: it passes a re-render, fails a changed layout, a missing
reference and a different size, and writes references only when asked to."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.golden import compare
from tests.golden.compare import GoldenMismatch, assert_matches


def slip(text: str = "受理回执", y: int = 40, noise: int = 0) -> Image.Image:
    image = Image.new("L", (384, 200), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, y, 360, y + 30), fill=0)
    draw.text((20, 120), text, fill=0)
    for i in range(noise):  # anti-aliasing-like specks
        image.putpixel((5 + 7 * i, 190), 0)
    return image


@pytest.fixture
def refs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(compare.UPDATE_ENV, raising=False)
    monkeypatch.setenv("KIOSK_GOLDEN_OUT", str(tmp_path / "out"))
    return tmp_path / "refs"


def test_a_missing_reference_fails_and_is_not_created(refs: Path) -> None:
    with pytest.raises(GoldenMismatch, match="no reference"):
        assert_matches(slip(), "x", references=refs)
    assert not (refs / "x.png").exists()


def test_update_writes_then_the_same_render_and_small_noise_pass(
        refs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compare.UPDATE_ENV, "1")
    assert_matches(slip(), "x", references=refs)
    monkeypatch.delenv(compare.UPDATE_ENV)
    assert Image.open(refs / "x.png").mode == "1"
    assert_matches(slip(), "x", references=refs)
    assert_matches(slip(noise=10), "x", references=refs)


def test_a_moved_line_or_another_size_fails_with_the_render_kept(
        refs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compare.UPDATE_ENV, "1")
    assert_matches(slip(), "x", references=refs)
    monkeypatch.delenv(compare.UPDATE_ENV)
    with pytest.raises(GoldenMismatch, match="pixels differ") as moved:
        assert_matches(slip(y=44), "x", references=refs)
    assert "x.diff.png" in str(moved.value)
    assert (refs.parent / "out" / "x.actual.png").exists()
    with pytest.raises(GoldenMismatch, match="size"):
        assert_matches(slip().crop((0, 0, 384, 190)), "x", references=refs)
