"""What a capture hands back: one processed page, never printed in full in logs (it is PII)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


class ImageError(ValueError):
    """An image the pipeline cannot work on; `reason` is machine-readable."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class QualityIssue:
    code: str  # "blurry", "glare", "cut_off", "no_page", "too_dark"
    message: str  # what a screen can tell the citizen


@dataclass(frozen=True)
class Page:
    """A processed page. `image` is BGR (colour) or single-channel (gray/text)."""

    image: np.ndarray = field(repr=False)
    source: str  # "camera" or "scanner"
    corners: tuple[tuple[float, float], ...] | None = None  # TL,TR,BR,BL in the raw frame
    issues: tuple[QualityIssue, ...] = ()
    dpi: int | None = None

    @property
    def size(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])

    def describe(self) -> dict[str, Any]:
        """A loggable summary: geometry and quality only, no pixels."""
        return {"source": self.source, "size": self.size, "corners": self.corners,
                "issues": [i.code for i in self.issues], "dpi": self.dpi}
