"""The pure page pipeline: what the citizen's photo becomes, and what garbage becomes."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from drivers.document import enhance, page_detect, quality, synthetic
from drivers.document.doc_camera import CaptureError, process_frame
from drivers.document.page import ImageError

A4 = 297 / 210


def max_corner_error(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.max(np.linalg.norm(np.asarray(found) - np.asarray(truth), axis=1)))


# ---- page detection -----------------------------------------------------------------------

def test_page_corners_are_found_on_desk_photos(photos: list[synthetic.SyntheticPhoto]) -> None:
    scores = []
    for photo in photos:
        quad = page_detect.detect_page(photo.image)
        assert quad is not None, "a page lying on the desk was not found"
        diag = float(np.hypot(*photo.image.shape[:2]))
        assert max_corner_error(quad, photo.corners) < 0.01 * diag
        scores.append(page_detect.jaccard(quad, photo.corners))
    assert min(scores) > 0.9 and float(np.mean(scores)) > 0.98


def test_coarse_corners_are_refined_onto_the_page_edge() -> None:
    photo = synthetic.page_photo(9, (1920, 1080))
    gray = page_detect.to_gray(photo.image)
    rng = np.random.default_rng(0)
    coarse = photo.corners + rng.uniform(-5, 5, (4, 2)).astype(np.float32)
    refined = page_detect.refine_quad(gray, coarse, search=9)
    assert max_corner_error(refined, photo.corners) < max_corner_error(coarse, photo.corners)
    assert max_corner_error(refined, photo.corners) < 2.0


def test_corners_come_back_in_full_resolution_at_12_megapixels() -> None:
    photo = synthetic.page_photo(11, (4000, 3000))
    quad = page_detect.detect_page(photo.image)
    assert quad is not None
    assert page_detect.jaccard(quad, photo.corners) > 0.9
    assert max_corner_error(quad, photo.corners) < 0.02 * 5000


@pytest.mark.parametrize("seed", range(6))
def test_an_empty_desk_has_no_page(seed: int) -> None:
    assert page_detect.detect_page(synthetic.empty_desk(seed, (1280, 720))) is None


@pytest.mark.parametrize("value", [0, 128, 255])
def test_a_uniform_frame_has_no_page(value: int) -> None:
    assert page_detect.detect_page(np.full((480, 640, 3), value, np.uint8)) is None


def test_corners_are_ordered_tl_tr_br_bl_whatever_the_input_order() -> None:
    quad = np.array([[100, 50], [500, 80], [480, 600], [90, 560]], np.float32)
    for perm in itertools.permutations(range(4)):
        np.testing.assert_array_equal(page_detect.order_corners(quad[list(perm)]), quad)


@pytest.mark.parametrize("data, reason", [
    (b"", "unreadable"),
    (b"\x00" * 1000, "unreadable"),
    (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), "unreadable"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "unreadable"),  # a JPEG header and nothing after
])
def test_garbage_bytes_are_refused_clearly(data: bytes, reason: str) -> None:
    with pytest.raises(ImageError) as err:
        page_detect.decode_image(data)
    assert err.value.reason == reason


@pytest.mark.parametrize("image, reason", [
    (np.zeros((8, 8, 3), np.uint8), "too_small"),
    (np.zeros((40, 4000, 3), np.uint8), "bad_aspect"),
    (np.zeros((100, 100, 3), np.float32), "bad_depth"),
    (np.zeros((100, 100, 2), np.uint8), "bad_shape"),
    ("not an image", "not_an_image"),
])
def test_garbage_arrays_are_refused_clearly(image: object, reason: str) -> None:
    with pytest.raises(ImageError) as err:
        page_detect.detect_page(image)  # type: ignore[arg-type]
    assert err.value.reason == reason


def test_a_tiny_but_valid_png_decodes_then_is_refused_as_too_small() -> None:
    ok, buf = cv2.imencode(".png", np.zeros((5, 5, 3), np.uint8))
    assert ok
    with pytest.raises(ImageError) as err:
        page_detect.decode_image(buf.tobytes())
    assert err.value.reason == "too_small"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 300), st.integers(1, 300),
                                      st.sampled_from([1, 3, 4])),
                  elements=st.integers(0, 255)))
def test_any_array_gives_a_valid_quad_none_or_a_clear_error(image: np.ndarray) -> None:
    try:
        quad = page_detect.detect_page(image)
    except ImageError as exc:
        assert exc.reason in {"too_small", "bad_aspect"}
        return
    if quad is not None:
        h, w = image.shape[:2]
        assert quad.shape == (4, 2)
        assert np.all(quad[:, 0] >= 0) and np.all(quad[:, 0] <= w - 1)
        assert np.all(quad[:, 1] >= 0) and np.all(quad[:, 1] <= h - 1)
        assert page_detect.plausible(quad, float(w * h))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hnp.arrays(np.uint8, st.tuples(st.integers(32, 200), st.integers(32, 200),
                                      st.just(3)), elements=st.integers(0, 255)),
       st.sampled_from(["text", "gray", "color"]))
def test_the_whole_pipeline_gives_a_page_or_a_clear_error(image: np.ndarray, mode: str) -> None:
    try:
        page = process_frame(image, mode)  # type: ignore[arg-type]
    except CaptureError as exc:
        assert exc.reason == "no_page"
    except ImageError as exc:
        assert exc.reason in {"too_small", "bad_aspect", "degenerate_quad"}
    else:
        assert page.image.dtype == np.uint8 and min(page.size) >= 1
        assert (page.image.ndim == 3) == (mode == "color")


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_decode_or_raise_image_error(data: bytes) -> None:
    try:
        image = page_detect.decode_image(data)
    except ImageError as exc:
        assert exc.reason in {"unreadable", "too_small", "bad_aspect"}
    else:
        assert image.dtype == np.uint8


quads = st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)), min_size=4, max_size=4)


@settings(max_examples=100, deadline=None)
@given(quads, quads)
def test_jaccard_is_a_symmetric_fraction(a: list, b: list) -> None:
    qa = page_detect.order_corners(np.array(a, np.float32))
    qb = page_detect.order_corners(np.array(b, np.float32))
    if not (cv2.isContourConvex(qa.reshape(-1, 1, 2)) and cv2.isContourConvex(qb.reshape(-1, 1, 2))):
        return
    j = page_detect.jaccard(qa, qb)
    assert 0.0 <= j <= 1.0 + 1e-6
    assert j == pytest.approx(page_detect.jaccard(qb, qa), abs=1e-4)
    if page_detect.quad_area(qa) > 1:
        assert page_detect.jaccard(qa, qa) == pytest.approx(1.0, abs=1e-4)


# ---- warp, deskew, shadows, enhancement ---------------------------------------------------

def test_warped_page_has_a4_proportions(photos: list[synthetic.SyntheticPhoto]) -> None:
    photo = photos[0]
    flat = enhance.warp(photo.image, page_detect.detect_page(photo.image))
    h, w = flat.shape[:2]
    assert h / w == pytest.approx(A4, rel=0.01)


@given(st.floats(-720, 720, allow_nan=False))
def test_min_area_rect_angles_normalise_to_a_small_tilt(angle: float) -> None:
    a = enhance.normalise_angle(angle)
    assert -45.0 < a <= 45.0
    assert enhance.normalise_angle(angle + 90) == pytest.approx(a, abs=1e-6)


def test_an_upright_page_at_minus_90_is_not_rotated() -> None:
    assert enhance.normalise_angle(-90.0) == 0.0
    assert enhance.normalise_angle(90.0) == 0.0


@pytest.mark.parametrize("tilt", [-6.0, -3.0, 3.0, 6.0])
def test_a_tilted_scan_is_deskewed(tilt: float) -> None:
    page = cv2.cvtColor(synthetic.render_text_page(800, 3), cv2.COLOR_BGR2GRAY)
    h, w = page.shape
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
    tilted = cv2.warpAffine(page, rot, (w, h), borderValue=250)
    assert abs(enhance.skew_angle(tilted)) == pytest.approx(abs(tilt), abs=0.7)
    straight, corrected = enhance.deskew(tilted)
    assert corrected != 0.0
    assert abs(enhance.skew_angle(straight)) < 0.7


def test_shadow_removal_evens_out_the_paper() -> None:
    page = cv2.cvtColor(synthetic.render_text_page(800, 4), cv2.COLOR_BGR2GRAY).astype(np.float32)
    ramp = np.linspace(0.45, 1.0, page.shape[1], dtype=np.float32)[None, :]
    shadowed = np.clip(page * ramp, 0, 255).astype(np.uint8)
    paper = page > 200  # where there is no ink
    before = shadowed[paper].std()
    after = enhance.remove_shadow(shadowed)[paper].std()
    assert after < before / 3


def test_text_mode_is_black_and_white_and_color_mode_keeps_colour(
        photos: list[synthetic.SyntheticPhoto]) -> None:
    photo = photos[1]
    quad = page_detect.detect_page(photo.image)
    text = enhance.process(photo.image, quad, "text")
    assert text.ndim == 2 and set(np.unique(text)) <= {0, 255}
    assert 0.005 < (text == 0).mean() < 0.3  # there is ink, and the page is not black
    colour = enhance.process(photo.image, quad, "color")
    assert colour.ndim == 3 and colour.shape[2] == 3
    with pytest.raises(ValueError):
        enhance.enhance(photo.image, "sepia")  # type: ignore[arg-type]


# ---- quality --------------------------------------------------------------------------------

def test_a_good_photo_has_no_quality_issues(photos: list[synthetic.SyntheticPhoto]) -> None:
    page = process_frame(photos[2].image)
    assert page.issues == ()
    assert page.corners is not None


def test_a_blurred_photo_is_reported_blurry(photos: list[synthetic.SyntheticPhoto]) -> None:
    blurred = cv2.GaussianBlur(photos[3].image, (0, 0), 5)
    page = process_frame(blurred)
    assert "blurry" in [i.code for i in page.issues]


def test_glare_on_the_page_is_reported(photos: list[synthetic.SyntheticPhoto]) -> None:
    photo = photos[4]
    frame = photo.image.copy()
    cx, cy = photo.corners.mean(axis=0).astype(int)
    cv2.circle(frame, (int(cx), int(cy)), 60, (255, 255, 255), -1)
    codes = [i.code for i in process_frame(frame).issues]
    assert "glare" in codes


def test_a_page_hanging_out_of_the_frame_is_reported_cut_off() -> None:
    size = (1280, 720)
    corners = np.array([[450, -80], [850, -60], [880, 640], [430, 650]], np.float32)
    photo = synthetic.photograph(synthetic.render_text_page(600, 5), size, 5, corners)
    page = process_frame(photo.image)
    assert "cut_off" in [i.code for i in page.issues]


def test_no_page_is_an_error_a_screen_can_explain() -> None:
    with pytest.raises(CaptureError) as err:
        process_frame(synthetic.empty_desk(2, (1280, 720)))
    assert err.value.reason == "no_page"
    assert "Place the document" in str(err.value)
    report = quality.assess(synthetic.empty_desk(2, (640, 480)), None)
    assert report.codes[0] == "no_page" and not report.ok


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(0, 110), st.integers(150, 255),
       st.sampled_from([(640, 480), (1280, 720), (600, 800)]))
def test_any_bright_sheet_on_a_darker_desk_is_found(seed: int, desk: int, paper: int,
                                                    size: tuple[int, int]) -> None:
    rng = np.random.default_rng(seed)
    corners = page_detect.order_corners(synthetic.random_corners(size, rng, fill=(0.5, 0.85)))
    frame = np.full((size[1], size[0], 3), desk, np.uint8)
    cv2.fillConvexPoly(frame, np.round(corners).astype(np.int32), (paper, paper, paper))
    frame = cv2.GaussianBlur(frame, (3, 3), 0)
    quad = page_detect.detect_page(frame)
    assert quad is not None
    assert page_detect.jaccard(quad, corners) > 0.95
