"""Find the page in a photo: the largest plausible quadrilateral, or None when there is none.

Works on a downscaled copy (edges are found just as well at ~640 px and 10-50x faster), then
maps the corners back to full resolution. Three detectors run in order of trust, and the first
plausible quad wins: Canny edges, Otsu threshold (page brighter than the desk), adaptive
threshold (weak edges under uneven light). Failing a clean outline, faint cues follow (pale paper
on a pale desk): low-threshold edges, slightly brighter regions, regions smoother than the desk,
regions whose colour differs from the desk's all round (a tinted card of nearly the desk's grey);
a faint outline then has its sides snapped onto the step averaged along them, and a tinted one
is refined in colour. A quad that is not convex, too small or too skewed is rejected: returning
no page is better than a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from drivers.document.page import ImageError
from drivers.image_limits import DEFAULT_MAX_PIXELS, ImageRefused, imdecode_capped

WORK_SIZE = 640  # longest side of the working copy
MIN_SIDE = 32  # smaller images are refused as garbage
MAX_ASPECT = 8.0  # a frame more elongated than this is not a photo of a page
MAX_PIXELS = DEFAULT_MAX_PIXELS  # an A4 page at 600 dpi is 35 MP
MIN_AREA_FRACTION = 0.01  # an ID card (85.6 x 54 mm) may fill only 1.5 % of a document camera's view
MAX_AREA_FRACTION = 0.995
MIN_CORNER_ANGLE = 40.0  # degrees; a page seen in perspective stays within 40..140
MIN_EDGE_STEP = 18.0  # grey levels between just inside and just outside a page side...
FAINT_EDGE_STEP = 2.5  # ...or as few as this (in brightness or colour) for pale paper on a pale
TEXTURE_FACTOR = 1.5  # desk, when the desk's own texture (typical difference 6 px apart) is low
MAX_FAINT_STEP = 6.0  # on a desk textured enough to need more, faint outlines are not trusted
FAINT_EDGE_SUPPORT = 0.65  # a faint outline must be followed further round than a strong one
MIN_EDGE_SUPPORT = 0.6  # fraction of a quad's outline that must lie on edges
ENCLOSING_SUPPORT = 0.3  # a candidate enclosing the found quad (its text) with this support...
ENCLOSING_AREA = 1.3  # ...and this much larger is the page
ENCLOSING_SUPPORT_AGAIN = 0.4  # a quad around that one needs more (not the desk around a page)
CUT_CORNER_AREA = 1.05  # a region's sides extended may add this much to its hull (a lost corner)
CUT_CORNER_SIDE = 0.10  # ...and the side cutting the corner is at most this much of its outline
MIN_COLOUR_STEP = 2.5  # Lab a*b* units from the desk's chroma for a region to count as tinted...
COLOUR_SPREAD_FACTOR = 3.0  # ...and this many times the desk border's own spread (99th pct)
TINTED_SUPPORT = 0.85  # an outline with half that colour step this far round is a tinted card
COLOUR_REFINE_AREA = 0.1  # ...refined in colour if it fills at most this much of the frame
MIN_REFINE_STEP = 12.0  # grey levels across a side for full-resolution refinement


def check_image(image: object) -> np.ndarray:
    """Validate an image array and return it as uint8 BGR or gray; raise ImageError if garbage."""
    if not isinstance(image, np.ndarray):
        raise ImageError("not_an_image", f"expected an image array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise ImageError("bad_depth", f"expected 8-bit pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    elif not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ImageError("bad_shape", f"unsupported image shape {image.shape}")
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ImageError("too_small", f"image {w}x{h} is too small (min side {MIN_SIDE} px)")
    if max(h, w) / min(h, w) > MAX_ASPECT:
        raise ImageError("bad_aspect", f"image {w}x{h} is too elongated to hold a page")
    return image


def decode_image(data: bytes) -> np.ndarray:
    """Decode JPEG/PNG/... bytes to BGR; raise ImageError('unreadable') for anything else and
    ImageError('too_large') for a header declaring more than MAX_PIXELS (before decoding)."""
    if not data:
        raise ImageError("unreadable", "empty image data")
    try:
        image = imdecode_capped(data, cv2.IMREAD_COLOR, max_pixels=MAX_PIXELS)
    except ImageRefused as exc:
        raise ImageError(exc.reason, str(exc)) from None
    if image is None:
        raise ImageError("unreadable", "data is not an image OpenCV can decode")
    return check_image(image)


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Order four points TL, TR, BR, BL (clockwise on screen, starting nearest the top-left)."""
    pts = np.asarray(pts, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen (y grows downwards)
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def quad_area(quad: np.ndarray) -> float:
    return float(abs(cv2.contourArea(np.asarray(quad, dtype=np.float32).reshape(-1, 1, 2))))


def plausible(quad: np.ndarray, frame_area: float) -> bool:
    """Convex, big enough, corner angles of a page seen at a reasonable angle."""
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    if not cv2.isContourConvex(q.reshape(-1, 1, 2)):
        return False
    frac = quad_area(q) / frame_area
    if not (MIN_AREA_FRACTION <= frac <= MAX_AREA_FRACTION):
        return False
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        v1, v2 = a - b, c - b
        n = float(np.linalg.norm(v1) * np.linalg.norm(v2))
        if n == 0:
            return False
        ang = np.degrees(np.arccos(np.clip(float(np.dot(v1, v2)) / n, -1.0, 1.0)))
        if not (MIN_CORNER_ANGLE <= ang <= 180 - MIN_CORNER_ANGLE):
            return False
    return True


def _quad_from_contour(contour: np.ndarray) -> np.ndarray | None:
    """Approximate a contour by 4 points, loosening the tolerance until it fits."""
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            return None
    return None


def _quad_from_long_sides(contour: np.ndarray) -> np.ndarray | None:
    """The four longest sides of a contour's hull, extended to meet: a page whose region lost a
    corner (a line of text running into the margin, a desk blotch) has a short fifth side
    cutting that corner, and approxPolyDP would keep the cut and bend a side instead."""
    hull = cv2.convexHull(contour)
    approx = cv2.approxPolyDP(hull, 0.01 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(approx) != 5:  # one corner cut, no more: a blob with several is no page
        return None
    pts = approx.astype(np.float32)
    lengths = np.linalg.norm(np.roll(pts, -1, axis=0) - pts, axis=1)
    if float(lengths.min()) > CUT_CORNER_SIDE * float(lengths.sum()):
        return None
    keep = sorted(np.argsort(lengths)[-4:])  # the four longest, in order round the hull
    lines = [np.array([*((pts[(i + 1) % len(pts)] - pts[i]) / lengths[i]), *pts[i]], np.float32)
             for i in keep]
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    quad = np.array(corners, np.float32)
    # a lost corner is a small triangle; a blob whose sides meet far out is no page
    return quad if quad_area(quad) <= CUT_CORNER_AREA * cv2.contourArea(hull) else None


def _hugs_frame(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Three or more corners on the frame border: that is the frame, not a page."""
    h, w = shape[:2]
    m = 0.01 * max(h, w) + 1
    on_border = ((quad[:, 0] <= m) | (quad[:, 0] >= w - 1 - m)
                 | (quad[:, 1] <= m) | (quad[:, 1] >= h - 1 - m))
    return int(on_border.sum()) >= 3


def edge_support(quad: np.ndarray, gray: np.ndarray, threshold: float, offset: int = 3,
                 away_from: np.ndarray | None = None) -> float:
    """Fraction of points along the quad's sides with a brightness step across the side.

    Brightness a few pixels inside vs outside, not gradient magnitude: a side cutting through
    a textured desk meets gradients everywhere but no consistent step across it. A side counts
    its steps of one sign only (the page is brighter, or darker, than the desk all along it).
    With `away_from` (a quad inside this one) only points further than `offset` outside it
    count: a page around a card must show its own outline, not borrow the card's sides.
    """
    h, w = gray.shape[:2]
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    ts = np.linspace(0.05, 0.95, 24, dtype=np.float32)
    hits = total = 0
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length == 0:
            return 0.0
        normal = np.array([-d[1], d[0]], np.float32) / length
        pts = a + ts[:, None] * d
        inner, outer = pts + offset * normal, pts - offset * normal
        ok = ((inner[:, 0] >= 0) & (inner[:, 0] < w) & (inner[:, 1] >= 0) & (inner[:, 1] < h)
              & (outer[:, 0] >= 0) & (outer[:, 0] < w) & (outer[:, 1] >= 0) & (outer[:, 1] < h))
        if away_from is not None:
            contour = away_from.reshape(-1, 1, 2).astype(np.float32)
            ok &= np.array([cv2.pointPolygonTest(contour, (float(x), float(y)), True) < -offset
                            for x, y in pts])
        if not ok.any():
            continue
        vi = gray[inner[ok, 1].astype(np.intp), inner[ok, 0].astype(np.intp)].astype(np.float32)
        vo = gray[outer[ok, 1].astype(np.intp), outer[ok, 0].astype(np.intp)].astype(np.float32)
        step = (vi - vo).reshape(len(vi), -1)  # one column per channel
        # one side of a page is brighter (or darker, or bluer...) than the desk all along
        hits += max(int((step >= threshold).sum(axis=0).max()),
                    int((step <= -threshold).sum(axis=0).max()))
        total += int(ok.sum())
    return hits / total if total else 0.0


def _candidates(mask: np.ndarray, cut_corners: bool = False) -> list[np.ndarray]:
    """Plausible quads outlining the mask's largest regions; with `cut_corners` each region's
    hull also gives its four longest sides extended (a faint page's region may lose a corner)."""
    frame_area = float(mask.shape[0] * mask.shape[1])
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    contours = sorted(contours, key=cv2.contourArea, reverse=True)[:8]
    found = []
    for contour in contours:
        if cv2.contourArea(cv2.convexHull(contour)) < MIN_AREA_FRACTION * frame_area:
            break
        quads = [_quad_from_contour(contour)]
        if cut_corners:
            quads.append(_quad_from_long_sides(contour))
        found += [q for q in quads if q is not None and plausible(q, frame_area)
                  and not _hugs_frame(q, mask.shape)]
    return found


def _edges_mask(gray: np.ndarray) -> np.ndarray:
    median = float(np.median(gray))
    lo, hi = int(max(10, 0.66 * median)), int(min(255, max(40, 1.33 * median)))
    edges = cv2.Canny(gray, lo, hi)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    return cv2.morphologyEx(edges, cv2.MORPH_CLOSE, kernel, iterations=2)


def _otsu_mask(gray: np.ndarray) -> np.ndarray:
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)


def _adaptive_mask(gray: np.ndarray) -> np.ndarray:
    block = max(3, (min(gray.shape) // 4) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                 block, -5)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)


def texture_step(gray: np.ndarray) -> float:
    """The desk's own texture: median brightness difference between points 6 px apart."""
    g = gray.astype(np.int16)
    return float(np.median(np.concatenate([np.abs(g[:, 6:] - g[:, :-6]).ravel()[::7],
                                           np.abs(g[6:, :] - g[:-6, :]).ravel()[::7]])))


def _faint_edges_mask(gray: np.ndarray, high: float, l2: bool) -> np.ndarray:
    """Canny with a low fixed threshold (pale paper on a pale desk), thin closing only."""
    edges = cv2.Canny(gray, high / 2, high, L2gradient=l2)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    return cv2.morphologyEx(edges, cv2.MORPH_CLOSE, kernel, iterations=1 if l2 else 2)


def _faint_bright_mask(gray: np.ndarray) -> np.ndarray:
    """Regions a little brighter than their surroundings (a pale page, light falling off)."""
    block = max(3, (min(gray.shape) // 6) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                 block, -3)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))


def _faint_smooth_mask(gray: np.ndarray) -> np.ndarray:
    """Regions with almost no faint edges: paper is smooth where a desk is grainy or blotched.

    On a pale desk a page's outline may be a step of 2-4 grey levels, lost among the desk's own
    blotches, while its surface has none of them: the page stands out as the large edge-free
    region (its text leaves holes; the outline is the hull). Grown back by the window's size."""
    edges = cv2.Canny(gray, 3, 6, L2gradient=True)
    density = cv2.blur(edges.astype(np.float32) / 255, (9, 9))
    mask = (density <= 0.02).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))


def desk_chroma(lab: np.ndarray) -> tuple[np.ndarray, float]:
    """The desk's chroma (Lab a*, b*) and its spread (99th percentile of distances from it):
    medians along the frame's border, which is desk round a document."""
    bw = max(4, lab.shape[0] // 20)
    border = np.concatenate([lab[:bw].reshape(-1, 3), lab[-bw:].reshape(-1, 3),
                             lab[:, :bw].reshape(-1, 3), lab[:, -bw:].reshape(-1, 3)]
                            )[::3, 1:].astype(np.float32)
    desk = np.median(border, axis=0)
    return desk, float(np.percentile(np.linalg.norm(border - desk, axis=1), 99))


def chroma_distance(lab: np.ndarray, desk: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from the desk's, whatever its brightness: light falling
    off changes a pale desk's grey far more than its chroma."""
    return cv2.magnitude(lab[..., 1].astype(np.float32) - float(desk[0]),
                         lab[..., 2].astype(np.float32) - float(desk[1]))


def _colour_mask(distance: np.ndarray, threshold: float) -> np.ndarray:
    """Regions whose colour differs from the desk's all round: a tinted card on a pale desk of
    nearly its grey (its text and photo, near grey, leave holes; the outline is the hull). A
    region whose outline is not a colour step all round is only part of a card whose tint
    fades into the desk's: it is dropped, the grey cues outline that card whole."""
    mask = (distance > threshold).astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    tinted = np.zeros_like(mask)
    for contour in contours:
        if cv2.contourArea(contour) < MIN_AREA_FRACTION * mask.size:
            continue
        quad = _quad_from_contour(contour)
        if quad is not None and edge_support(quad, distance, threshold / 2) >= TINTED_SUPPORT:
            cv2.drawContours(tinted, [contour], -1, 255, cv2.FILLED)
    return tinted


# chosen on the tuning split of hard_synthetic: each finds the outline where the others miss
FAINT_MASKS = (lambda g: _faint_edges_mask(g, 6, True), lambda g: _faint_edges_mask(g, 9, False),
               lambda g: _faint_edges_mask(g, 12, False), _faint_bright_mask, _faint_smooth_mask)


def detect_page(image: np.ndarray, refine: bool = True) -> np.ndarray | None:
    """Corners TL,TR,BR,BL (float32, 4x2) of the page in full-resolution pixels, or None.

    `refine=False` skips the full-resolution edge refinement (a live preview needs no
    sub-pixel corners)."""
    image = check_image(image)
    tinted = False
    h, w = image.shape[:2]
    scale = min(1.0, WORK_SIZE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else image
    gray = cv2.GaussianBlur(to_gray(small), (5, 5), 0)
    best, best_score = _search(gray, [_edges_mask, _otsu_mask, _adaptive_mask],
                               MIN_EDGE_STEP, MIN_EDGE_SUPPORT)
    faint_step = max(FAINT_EDGE_STEP, TEXTURE_FACTOR * texture_step(gray))
    if best_score < 0.95 and faint_step <= MAX_FAINT_STEP:
        # no clean outline: look again for a faint one, in brightness and colour, on a desk
        # smooth enough to tell
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB) \
            if small.ndim == 3 else gray[..., None]
        feature = np.dstack([gray, lab[..., 1:].astype(np.float32) * 2])
        masks = list(FAINT_MASKS)
        if small.ndim == 3:
            desk, spread = desk_chroma(lab)
            distance = chroma_distance(lab, desk)
            colour_step = max(MIN_COLOUR_STEP, COLOUR_SPREAD_FACTOR * spread)
            masks.append(lambda g: _colour_mask(distance, colour_step))
        seen: list[tuple[np.ndarray, float]] = []
        faint, faint_score = _search(gray, masks, faint_step, FAINT_EDGE_SUPPORT,
                                     feature, seen, lambda q: snap_faint_sides(q, gray))
        found = faint if faint is not None and (best is None or faint_score > best_score + 0.1) \
            else best
        page = None if found is None else _page_around(
            found, seen, lambda q, inner: edge_support(q, feature, faint_step, away_from=inner))
        if page is not None:
            best = page
            # a small tinted card: its sides are refined in colour, not onto its own print (a
            # page's margins keep its print out of the refinement's reach, and its grey edge is
            # sharper than its chroma)
            tinted = small.ndim == 3 and quad_area(page) <= COLOUR_REFINE_AREA * gray.size and \
                edge_support(page, distance, colour_step / 2) >= TINTED_SUPPORT
    if best is None:
        return None
    quad = order_corners(best / scale)
    if refine and scale < 1.0:  # the working copy put corners within ~1/scale px: refine
        search = int(np.ceil(3 / scale))
        if tinted:
            origin, channel = _chroma_around(image, quad, desk, 2 * search)
            min_step = 2 * MIN_COLOUR_STEP
        else:
            origin, channel, min_step = np.zeros(2, np.float32), to_gray(image), MIN_REFINE_STEP
        for _ in range(2):  # a second pass straightens a side the first pass only partly found
            refined = refine_quad(channel, quad - origin, search, min_step) + origin
            if not plausible(refined, float(w * h)):
                break
            quad = refined
    quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
    return quad


def _search(gray: np.ndarray, masks: list, step: float, min_support: float,  # type: ignore[type-arg]
            feature: np.ndarray | None = None,
            seen: list[tuple[np.ndarray, float]] | None = None,
            adjust: Callable[[np.ndarray], np.ndarray] | None = None
            ) -> tuple[np.ndarray | None, float]:
    """The best-supported plausible quad over `masks` (in order; stops at a clean outline).
    Support is measured on `feature` (default: gray); every candidate and its support is
    appended to `seen` if given; `adjust` gives each candidate a second, moved chance."""
    best, best_score = None, min_support
    for make_mask in masks:
        found = _candidates(make_mask(gray), cut_corners=adjust is not None)
        if adjust is not None:  # each candidate as found and as adjusted
            found += [a for a in map(adjust, found) if plausible(a, float(gray.size))]
        for quad in found:
            score = edge_support(quad, gray if feature is None else feature, step)
            if seen is not None:
                seen.append((quad, score))
            if score > best_score + 0.02 or (best is not None and abs(score - best_score) <= 0.02
                                             and quad_area(quad) > quad_area(best)):
                best, best_score = quad, max(score, best_score)
        if best is not None and best_score >= 0.95:
            break  # a clean outline: no need to try the slower fallbacks
    return best, (best_score if best is not None else 0.0)


def _page_around(quad: np.ndarray, seen: list[tuple[np.ndarray, float]],
                 support_around: Callable[[np.ndarray, np.ndarray], float]) -> np.ndarray:
    """The page around `quad` if another candidate encloses it: on pale paper a block of text
    (or a line of it) has a clearer outline than the page itself, and the page is what the
    citizen wants. The best-supported enclosing candidate, then the one enclosing that...
    An enclosing candidate's support counts only its outline away from `quad`
    (`support_around(candidate, quad)`): a desk blob sharing a card's side is no page."""
    floor = ENCLOSING_SUPPORT
    while True:
        area = quad_area(quad)
        best, best_score = quad, floor
        for other, score in seen:
            if score < best_score or quad_area(other) < ENCLOSING_AREA * area:
                continue
            contour = other.reshape(-1, 1, 2).astype(np.float32)
            if all(cv2.pointPolygonTest(contour, (float(x), float(y)), True) >= -2
                   for x, y in quad):
                score = support_around(other, quad)
                if score >= best_score:
                    best, best_score = other, score
        if best is quad:
            return quad
        quad, floor = best, ENCLOSING_SUPPORT_AGAIN


def snap_faint_sides(quad: np.ndarray, gray: np.ndarray, reach_fraction: float = 0.03,
                     band: int = 3, pieces: int = 6) -> np.ndarray:
    """Move each side of a faint outline onto the strongest step across it, piece by piece.

    A step of a few grey levels is invisible point by point on a blotched desk, but averaged
    along a stretch of the side and across a band it is not: each of `pieces` stretches takes
    the offset (within `reach_fraction` of the quad's shorter extent: an ID card's sides move
    less than a page's) where inside minus outside is largest in the side's own sign, a line
    is fitted through them and neighbouring sides intersected."""
    h, w = gray.shape[:2]
    g = gray.astype(np.float32)
    q = order_corners(quad)
    extent = min(float(np.linalg.norm(q[i] - q[(i + 1) % 4])) for i in range(4))
    search = int(np.clip(round(reach_fraction * extent), 2, 8))
    offsets = np.arange(-search, search + 1, dtype=np.float32)
    ts = np.linspace(0.06, 0.94, pieces * 8, dtype=np.float32)
    reach = np.arange(1, band + 1, dtype=np.float32)
    centre = q.mean(axis=0)
    lines = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 4 * search:
            return quad
        normal = np.array([-d[1], d[0]], np.float32) / length
        if float(np.dot(centre - a, normal)) < 0:
            normal = -normal  # pointing into the page
        base = (a + ts[:, None] * d)[:, None, :] + offsets[None, :, None] * normal  # (n, k, 2)

        def sample(shift: np.ndarray) -> np.ndarray:
            pts = base[:, :, None, :] + shift[None, None, :, None] * normal
            xi = np.clip(np.rint(pts[..., 0]).astype(np.intp), 0, w - 1)
            yi = np.clip(np.rint(pts[..., 1]).astype(np.intp), 0, h - 1)
            return g[yi, xi].mean(axis=2)

        # inside minus outside, averaged over each stretch: (pieces, offsets)
        per_piece = (sample(reach) - sample(-reach)).reshape(pieces, -1, len(offsets)).mean(axis=1)
        # the page may be brighter than the desk along one side and darker along another
        sign = 1.0 if per_piece.max(axis=1).sum() >= (-per_piece).max(axis=1).sum() else -1.0
        k = (sign * per_piece).argmax(axis=1)
        chosen = base.reshape(pieces, -1, len(offsets), 2)[np.arange(pieces), :, k]
        if float((sign * per_piece)[np.arange(pieces), k].min()) <= 0:
            chosen = base[:, search]  # no consistent step on part of this side: keep it
        lines.append(cv2.fitLine(chosen.reshape(-1, 1, 2).astype(np.float32), cv2.DIST_HUBER,
                                 0, 0.01, 0.01).ravel())
    snapped = q.copy()
    for i in range(4):
        corner = _intersect(lines[i - 1], lines[i])
        if corner is None or float(np.linalg.norm(corner - q[i])) > 4 * search:
            return quad
        snapped[i] = corner
    return snapped


def _intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    """Intersection of two lines given as (vx, vy, x0, y0)."""
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = l1, l2
    det = vx1 * (-vy2) - (-vx2) * vy1
    if abs(det) < 1e-6:
        return None
    t = ((x2 - x1) * (-vy2) - (-vx2) * (y2 - y1)) / det
    return np.array([x1 + t * vx1, y1 + t * vy1], dtype=np.float32)


def _chroma_around(image: np.ndarray, quad: np.ndarray, desk: np.ndarray, margin: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(top-left, chroma distance from the desk x2) of the full-resolution box round `quad`."""
    h, w = image.shape[:2]
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)) - margin, 0).astype(int)
    x1, y1 = np.minimum(np.ceil(quad.max(axis=0)) + margin + 1, [w, h]).astype(int)
    roi = cv2.GaussianBlur(image[y0:y1, x0:x1], (3, 3), 0).astype(np.float32) / 255
    lab = cv2.cvtColor(roi, cv2.COLOR_BGR2LAB)  # float: 8-bit chroma is quantised too coarsely
    return np.float32([x0, y0]), 2 * chroma_distance(lab, desk - 128)


def refine_quad(gray: np.ndarray, quad: np.ndarray, search: int,
                min_step: float = 12.0) -> np.ndarray:
    """Move each side onto the strongest edge within `search` px (full resolution), fit a
    line through the edge points and intersect neighbouring sides. Corners that would move
    further than a few search windows keep their coarse position. `gray` may be any one
    channel (the chroma distance of a tinted card); steps below `min_step` are no edge."""
    h, w = gray.shape[:2]
    offsets = np.arange(-search, search + 1, dtype=np.float32)
    ts = np.linspace(0.08, 0.92, 48, dtype=np.float32)
    lines = []
    for i in range(4):
        a, b = quad[i].astype(np.float32), quad[(i + 1) % 4].astype(np.float32)
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 4 * search:
            return quad
        normal = np.array([-d[1], d[0]], np.float32) / length
        pts = (a + ts[:, None] * d)[:, None, :] + offsets[None, :, None] * normal  # (n, k, 2)
        xi = np.clip(np.rint(pts[..., 0]).astype(np.intp), 0, w - 1)
        yi = np.clip(np.rint(pts[..., 1]).astype(np.intp), 0, h - 1)
        profile = gray[yi, xi].astype(np.float32)
        step = np.abs(profile[:, 2:] - profile[:, :-2])  # central difference across the side
        k = step.argmax(axis=1)
        strength = step[np.arange(len(ts)), k]
        keep = strength >= max(min_step, 0.5 * float(np.median(strength)))
        if int(keep.sum()) < 8:
            lines.append(np.array([d[0] / length, d[1] / length, a[0], a[1]], np.float32))
            continue
        edge = pts[np.arange(len(ts)), k + 1][keep]
        lines.append(cv2.fitLine(edge.reshape(-1, 1, 2), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel())
    refined = quad.astype(np.float32).copy()
    for i in range(4):
        corner = _intersect(lines[i - 1], lines[i])
        if corner is not None and float(np.linalg.norm(corner - quad[i])) <= 6 * search:
            refined[i] = corner
    return refined


def _clip(subject: list[tuple[float, float]], a: np.ndarray, b: np.ndarray
          ) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: keep the part of `subject` left of the directed edge a->b."""
    def side(p: tuple[float, float]) -> float:
        return float((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]))

    out: list[tuple[float, float]] = []
    for i, cur in enumerate(subject):
        prev = subject[i - 1]
        sc, sp = side(cur), side(prev)
        if sc >= 0:
            if sp < 0:
                t = sp / (sp - sc)
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            out.append(cur)
        elif sp >= 0:
            t = sp / (sp - sc)
            out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
    return out


def _ccw(quad: np.ndarray) -> np.ndarray:
    q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    x, y = q[:, 0], q[:, 1]
    signed = float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return q if signed >= 0 else q[::-1]


def _polygon_area(pts: list[tuple[float, float]]) -> float:
    if len(pts) < 3:
        return 0.0
    q = np.asarray(pts, dtype=np.float64)
    x, y = q[:, 0], q[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def jaccard(quad_a: np.ndarray, quad_b: np.ndarray) -> float:
    """Intersection over union of two convex quadrilaterals (SmartDoc 2015's measure)."""
    a, b = _ccw(quad_a), _ccw(quad_b)
    inter: list[tuple[float, float]] = [(float(x), float(y)) for x, y in a]
    for i in range(len(b)):
        if not inter:
            break
        inter = _clip(inter, b[i], b[(i + 1) % len(b)])
    i_area = _polygon_area(inter)
    union = _polygon_area([tuple(p) for p in a]) + _polygon_area([tuple(p) for p in b]) - i_area
    return float(min(1.0, max(0.0, i_area / union))) if union > 0 else 0.0
