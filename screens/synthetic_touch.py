"""A finger on the glass for the UI driver and the explorer, posted to Kivy's event loop as a
touchscreen's would be.

Kivy's own test touch (`kivy.tests.common.UnitTestTouch`) does the same, but its module imports
pytest: 0.24 s and about 10 MB in the app at the first tap the tests and the bench make.
"""

from __future__ import annotations

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent


class SyntheticTouch(MotionEvent):
    """One touch at window pixels (x, y): `touch_down()`, then `touch_up()`."""

    def __init__(self, x: float, y: float) -> None:
        super().__init__("SyntheticTouch", 99, _relative(x, y), is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]
        super().depack(args)

    def touch_down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def touch_up(self) -> None:
        EventLoop.post_dispatch_input("end", self)


def _relative(x: float, y: float) -> dict[str, float]:
    window = EventLoop.window
    return {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}
