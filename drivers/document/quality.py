"""Is the captured page good enough? Reason codes a screen can explain to the citizen.

Measured on the raw frame (before enhancement hides the problem): blur as the variance of the
Laplacian on a fixed-size copy of the page (so the threshold does not depend on resolution),
glare as the share of blown-out pixels on the page, cut-off as an outline touching the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from drivers.document.page import QualityIssue
from drivers.document.page_detect import check_image, to_gray

BLUR_MIN_VARIANCE = 60.0  # below this at 1000 px the text is smeared
GLARE_MAX_FRACTION = 0.02  # more than 2% of the page blown out hides text
BLOWN_OUT = 250
BORDER_MARGIN = 0.01  # of the frame's longest side
DARK_MAX_MEAN = 50.0

MESSAGES = {
    "no_page": "No page was found. Place the document flat in the marked area.",
    "cut_off": "Part of the page is outside the camera's view. Move it towards the centre.",
    "blurry": "The picture is blurred. Hold the page still and try again.",
    "glare": "Light is reflecting off the page. Tilt it slightly or remove plastic covers.",
    "too_dark": "The picture is too dark.",
}


def issue(code: str) -> QualityIssue:
    return QualityIssue(code, MESSAGES[code])


@dataclass(frozen=True)
class QualityReport:
    issues: tuple[QualityIssue, ...]
    blur_variance: float
    glare_fraction: float

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.issues]


def blur_variance(image: np.ndarray) -> float:
    gray = to_gray(check_image(image))
    scale = 1000 / max(gray.shape)
    if scale < 1:  # never upscale: interpolation would smear a small but sharp page
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


def _subsample(image: np.ndarray, max_side: int = 1000) -> tuple[np.ndarray, int]:
    """Every k-th pixel: area statistics do not need 12 MP (and this keeps them ~1 ms)."""
    step = max(1, int(np.ceil(max(image.shape[:2]) / max_side)))
    return image[::step, ::step], step


def glare_fraction(image: np.ndarray, quad: np.ndarray | None = None) -> float:
    """Share of the page (or frame) whose pixels are blown out in every channel."""
    image, step = _subsample(check_image(image))
    darkest = image if image.ndim == 2 else cv2.min(cv2.min(image[..., 0], image[..., 1]),
                                                    image[..., 2])
    blown = cv2.compare(darkest, BLOWN_OUT - 1, cv2.CMP_GT)
    if quad is None:
        return cv2.countNonZero(blown) / blown.size
    mask = np.zeros(blown.shape, np.uint8)
    pts = np.round(np.asarray(quad, dtype=np.float64).reshape(4, 2) / step).astype(np.int32)
    cv2.fillConvexPoly(mask, pts, 255)
    area = cv2.countNonZero(mask)
    return cv2.countNonZero(cv2.bitwise_and(blown, mask)) / area if area else 0.0


def touches_border(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    h, w = shape[:2]
    m = BORDER_MARGIN * max(h, w)
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    return bool(np.any(q[:, 0] <= m) or np.any(q[:, 0] >= w - 1 - m)
                or np.any(q[:, 1] <= m) or np.any(q[:, 1] >= h - 1 - m))


def assess(frame: np.ndarray, quad: np.ndarray | None, flat: np.ndarray | None = None
           ) -> QualityReport:
    """Judge a raw frame and its page outline; `flat` (the warped page) sharpens the blur test."""
    frame = check_image(frame)
    issues: list[QualityIssue] = []
    if quad is None:
        issues.append(issue("no_page"))
    elif touches_border(quad, frame.shape):
        issues.append(issue("cut_off"))
    blur = blur_variance(flat if flat is not None else frame)
    if quad is not None and blur < BLUR_MIN_VARIANCE:
        issues.append(issue("blurry"))
    glare = glare_fraction(frame, quad)
    if quad is not None and glare > GLARE_MAX_FRACTION:
        issues.append(issue("glare"))
    if float(to_gray(_subsample(frame)[0]).mean()) < DARK_MAX_MEAN:
        issues.append(issue("too_dark"))
    return QualityReport(tuple(issues), blur, glare)
