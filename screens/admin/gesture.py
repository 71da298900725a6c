"""The hidden way in for staff: touch the four corners in order — top-left, top-right,
bottom-right, bottom-left — within a few seconds.

The corners are thinner than every screen's padding, so a citizen's touch there lands on no
widget and nothing they see reacts; a citizen who hits all four in that order by chance meets
a PIN pad and a Cancel button. Pure logic (window coordinates in, yes/no out): no Kivy here,
so it is tested without a window. Kivy's y axis points up.
"""

from __future__ import annotations

import time
from collections.abc import Callable

ORDER = ("top_left", "top_right", "bottom_right", "bottom_left")
CORNER_PX = 36  # smaller than the screens' 40-48 px padding
WITHIN_S = 5.0


class CornerGesture:
    def __init__(self, size: Callable[[], tuple[float, float]], *, corner_px: float = CORNER_PX,
                 within_s: float = WITHIN_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._size, self.corner_px, self.within_s, self._clock = size, corner_px, within_s, clock
        self._done = 0  # corners touched in order so far
        self._started = 0.0

    def corner(self, x: float, y: float) -> str | None:
        width, height = self._size()
        c = self.corner_px
        horizontal = "left" if x < c else "right" if x > width - c else None
        vertical = "bottom" if y < c else "top" if y > height - c else None
        return f"{vertical}_{horizontal}" if horizontal and vertical else None

    def feed(self, x: float, y: float) -> bool:
        """One touch-down; True when it completes the gesture (which then starts over)."""
        now = self._clock()
        corner = self.corner(x, y)
        if self._done and now - self._started > self.within_s:
            self._done = 0  # too slow: this touch may begin a new attempt
        if corner == ORDER[self._done]:
            if self._done == 0:
                self._started = now
            self._done += 1
            if self._done == len(ORDER):
                self._done = 0
                return True
            return False
        # Anything else breaks the sequence; a top-left touch begins it again.
        self._done, self._started = (1, now) if corner == ORDER[0] else (0, 0.0)
        return False
