"""The hard page set of issue 18 (held-out seeds): pale paper on pale desks and small documents
are found with accurate corners, empty desks give no page, and the textbook recipe (which the
bench compares against) does not find the pale ones: the set is hard for a reason."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.document import hard_synthetic, page_detect

PER_CLASS = 5
SEEDS = range(hard_synthetic.HELD_OUT_SEED + 500, hard_synthetic.HELD_OUT_SEED + 500 + PER_CLASS)


def textbook_detect(image: np.ndarray) -> np.ndarray | None:
    scale = 500 / image.shape[0]
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0), 75, 200)
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4:
            return page_detect.order_corners(approx.reshape(4, 2) / scale)
    return None


@pytest.mark.parametrize("kind", hard_synthetic.HARD_KINDS)
def test_each_hard_class_is_found_with_accurate_corners(kind: str) -> None:
    scores = []
    for seed in SEEDS:
        image, corners = hard_synthetic.hard_photo(kind, seed)
        quad = page_detect.detect_page(image)
        scores.append(0.0 if quad is None else page_detect.jaccard(quad, corners))
    good = sum(s >= 0.95 for s in scores)
    assert good >= PER_CLASS - 1, (kind, [round(s, 3) for s in scores])
    assert float(np.mean(scores)) >= 0.75, (kind, scores)


def test_empty_pale_and_dark_desks_have_no_page() -> None:
    for seed in SEEDS:
        image, corners = hard_synthetic.hard_photo("empty", seed)
        assert corners is None
        assert page_detect.detect_page(image) is None


def test_the_textbook_recipe_misses_pale_pages_that_we_find() -> None:
    ours = textbook = 0
    for seed in SEEDS:
        image, corners = hard_synthetic.hard_photo("pale_on_pale", seed)
        for detect, count in ((page_detect.detect_page, "ours"), (textbook_detect, "textbook")):
            quad = detect(image)
            hit = quad is not None and page_detect.jaccard(quad, corners) >= 0.95
            if count == "ours":
                ours += hit
            else:
                textbook += hit
    assert textbook <= 1 and ours >= PER_CLASS - 1


def test_an_id_card_at_two_percent_of_a_12_mp_frame_is_found() -> None:
    rng = np.random.default_rng(7)
    size = (4000, 3000)
    corners = hard_synthetic.corners_for(size, rng, 0.02, hard_synthetic.ID_CARD_RATIO, False)
    image = hard_synthetic.lay(hard_synthetic.pale_desk(size, rng, 150.0),
                                hard_synthetic.id_card(rng), corners, rng, size)
    quad = page_detect.detect_page(image)
    assert quad is not None and page_detect.jaccard(quad, corners) >= 0.95


PALE_SEEDS = range(hard_synthetic.HELD_OUT_SEED + 600, hard_synthetic.HELD_OUT_SEED + 608)
PALE_MEAN_FLOOR = 0.97  # issue 18 asks 0.98 over the whole hard set; pale pages were 0.913


def test_pale_pages_keep_their_floor_on_a_held_out_sample() -> None:
    """Pale paper on a pale desk (a step of a few grey levels): none missed, mean Jaccard at
    its floor, at most one outline below 0.95. Seeds no tuning looked at."""
    scores = []
    for seed in PALE_SEEDS:
        image, corners = hard_synthetic.hard_photo("pale_on_pale", seed)
        quad = page_detect.detect_page(image)
        assert quad is not None, f"pale page {seed} missed"
        scores.append(page_detect.jaccard(quad, corners))
    assert float(np.mean(scores)) >= PALE_MEAN_FLOOR, [round(s, 3) for s in scores]
    assert sum(s < 0.95 for s in scores) <= 1, [round(s, 3) for s in scores]


def test_empty_desks_give_no_page_with_the_faint_cues_on() -> None:
    """The faint cues (low-threshold edges, smooth regions, snapped sides) run on every desk
    with no clean outline: none of them may invent a page, pale desk or dark."""
    for seed in PALE_SEEDS:
        image, corners = hard_synthetic.hard_photo("empty", seed)
        assert corners is None
        assert page_detect.detect_page(image) is None, f"page found on empty desk {seed}"


def test_a_region_that_lost_a_corner_is_outlined_with_the_corner() -> None:
    """A page's smooth region cut at one corner (text running into the margin): the four
    longest sides of its hull, extended, meet at the true corner; approxPolyDP alone bends a
    side to keep the cut."""
    mask = np.zeros((400, 500), np.uint8)
    page = np.array([[100, 60], [400, 80], [380, 360], [90, 340]], np.float32)
    cv2.fillConvexPoly(mask, page.astype(np.int32), 255)
    cv2.fillConvexPoly(mask, np.int32([[100, 60], [170, 60], [95, 130]]), 0)  # the lost corner

    def nearest_corner_error(quads: list[np.ndarray]) -> float:
        return min(float(np.abs(page_detect.order_corners(q) - page).max()) for q in quads)

    assert nearest_corner_error(page_detect._candidates(mask)) > 20
    assert nearest_corner_error(page_detect._candidates(mask, cut_corners=True)) <= 6


@pytest.mark.parametrize(("kind", "seed"), [("pale_on_pale", 20), ("small_doc", 44)])
def test_tuning_pages_that_lost_a_corner_are_found_whole(kind: str, seed: int) -> None:
    """Two tuning photos (seeds below HELD_OUT_SEED) whose faint region lost a corner:
    0.866 and 0.896 before the hull's longest sides were tried."""
    image, corners = hard_synthetic.hard_photo(kind, seed)
    quad = page_detect.detect_page(image)
    assert quad is not None and page_detect.jaccard(quad, corners) >= 0.98


@pytest.mark.parametrize("seed", [11, 97, 95])
def test_tuning_tinted_cards_on_pale_desks_are_found(seed: int) -> None:
    """Three tuning ID cards (seeds below HELD_OUT_SEED) whose colour differs from the pale
    desk more than their grey does: 11 and 97 were not found, 95 was outlined with a desk
    blob sharing its top side (0.721) before the colour cue."""
    image, corners = hard_synthetic.hard_photo("small_doc", seed)
    quad = page_detect.detect_page(image)
    assert quad is not None, f"card {seed} missed"
    assert page_detect.jaccard(quad, corners) >= 0.98


@pytest.mark.parametrize("seed", range(6))
def test_a_bluish_card_of_the_desks_own_grey_is_found(seed: int) -> None:
    """A card as grey as the desk (205-210 levels) but bluish: only its colour tells it from
    the desk (the detector before the colour cue missed 3 of these 6), and its sides are
    refined in colour, not onto the edge of its own photo."""
    rng = np.random.default_rng(seed)
    size = (2592, 1944)
    card = hard_synthetic.id_card(rng)
    card[..., :3] = np.where(card[..., :3] > 200, np.uint8([236, 210, 200]), card[..., :3])
    corners = hard_synthetic.corners_for(size, rng, 0.03, hard_synthetic.ID_CARD_RATIO, False)
    image = hard_synthetic.lay(hard_synthetic.pale_desk(size, rng, 210.0), card, corners, rng, size)
    quad = page_detect.detect_page(image)
    assert quad is not None and page_detect.jaccard(quad, corners) >= 0.98


def test_the_colour_mask_keeps_a_tinted_card_and_not_the_desk() -> None:
    """The desk's chroma comes from the frame's border; a region a few a*b* units away from it
    is kept whatever its brightness (light falling off across the desk changes only L)."""
    lab = np.full((240, 320, 3), (180, 128, 128), np.uint8)
    lab[:, :, 0] = np.linspace(150, 220, 320, dtype=np.uint8)[None, :]  # a light gradient
    lab[80:160, 100:220, 1:] = (124, 121)  # bluish, same L as the desk beside it
    desk, spread = page_detect.desk_chroma(lab)
    assert tuple(desk) == (128, 128) and spread == 0
    mask = page_detect._colour_mask(page_detect.chroma_distance(lab, desk),
                                    page_detect.MIN_COLOUR_STEP)
    assert mask[85:155, 105:215].all() and not mask[:70].any() and not mask[:, :90].any()
