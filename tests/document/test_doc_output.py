"""JPEG pages and the size-bounded PDF the platform receives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.document import output, synthetic
from drivers.document.page import ImageError, Page


def noisy_pages(n: int, size: tuple[int, int] = (2480, 3508)) -> list[np.ndarray]:
    """A4 at 300 dpi, with noise: the worst case for JPEG size."""
    rng = np.random.default_rng(7)
    w, h = size
    return [rng.integers(0, 256, (h // 2, w // 2, 3), dtype=np.uint8).repeat(2, 0).repeat(2, 1)
            for _ in range(n)]


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_pdf_embeds_each_jpeg_unchanged_on_a4_pages() -> None:
    pages = [synthetic.render_text_page(800, s) for s in range(3)]
    jpegs = [output.encode_jpeg(p, 80) for p in pages]
    pdf = output.pdf_from_jpegs(jpegs)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    for jpeg in jpegs:
        assert jpeg in pdf  # lossless embedding: the JPEG bytes are in the file as they are
    assert re.search(rb"/MediaBox \[\s*0 0 595\.27\d* 841\.8\d*", pdf), "pages are not A4"


def test_pdf_over_the_limit_is_re_encoded_until_it_fits() -> None:
    images = noisy_pages(2)
    unbounded, used = output.build_pdf(images, 85, 10**9)
    assert used == {"quality": 85, "scale": 1.0}
    limit = len(unbounded) // 3
    pdf, used = output.build_pdf(images, 85, limit)
    assert len(pdf) <= limit
    assert page_count(pdf) == 2
    assert used["quality"] < 85 or used["scale"] < 1.0


def test_pdf_that_cannot_fit_above_the_floor_is_a_clear_error() -> None:
    with pytest.raises(output.PdfTooLarge) as err:
        output.build_pdf(noisy_pages(2), 85, 100_000)
    assert err.value.reason == "pdf_too_large"
    assert err.value.size > 100_000 and "limit is 100000" in str(err.value)


def test_an_empty_document_is_refused() -> None:
    with pytest.raises(ValueError):
        output.build_pdf([], 85, 10**6)
    with pytest.raises(ImageError):
        output.encode_jpeg(np.zeros((4, 4), np.uint8))


def test_write_document_gives_a_jpeg_per_page_and_one_pdf(tmp_path: Path) -> None:
    pages = [Page(synthetic.render_text_page(600, s), "camera") for s in range(2)]
    result = output.write_document(pages, tmp_path / "out", 85, 8_000_000)
    assert [Path(p).name for p in result["pages"]] == ["page-001.jpg", "page-002.jpg"]
    assert Path(result["pages"][0]).read_bytes()[:2] == b"\xff\xd8"
    pdf = Path(result["pdf"]).read_bytes()
    assert page_count(pdf) == 2 and len(pdf) == result["pdf_bytes"]


def test_a_page_never_prints_its_pixels() -> None:
    page = Page(np.full((100, 80), 7, np.uint8), "scanner", dpi=200)
    assert "7, 7" not in repr(page) and "array" not in repr(page)
    assert page.describe()["size"] == (80, 100)


@settings(max_examples=25, deadline=None)
@given(st.integers(40, 100), st.integers(1, 3), st.integers(64, 400), st.integers(64, 400))
def test_any_sized_pages_give_a_pdf_within_the_limit(q: int, n: int, w: int, h: int) -> None:
    rng = np.random.default_rng(w * h)
    images = [rng.integers(0, 256, (h, w), dtype=np.uint8) for _ in range(n)]
    pdf, used = output.build_pdf(images, q, 10**7)
    assert len(pdf) <= 10**7 and page_count(pdf) == n and used["quality"] <= q
