"""The four-corner gesture: in order, in time, and nothing else opens it."""

from __future__ import annotations

from screens.admin.gesture import CornerGesture

W, H = 1920, 1080
TL, TR, BR, BL = (5, H - 5), (W - 5, H - 5), (W - 5, 5), (5, 5)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def gesture(clock: Clock) -> CornerGesture:
    return CornerGesture(lambda: (W, H), clock=clock)


def test_the_four_corners_in_order_open() -> None:
    g = gesture(Clock())
    assert [g.feed(*p) for p in (TL, TR, BR, BL)] == [False, False, False, True]
    assert [g.feed(*p) for p in (TL, TR, BR, BL)] == [False, False, False, True]  # again


def test_wrong_order_a_touch_between_or_too_slow_does_not_open() -> None:
    clock = Clock()
    g = gesture(clock)
    assert not any(g.feed(*p) for p in (TL, BR, TR, BL))
    assert not any(g.feed(*p) for p in (TL, TR, (W / 2, H / 2), BR, BL))
    assert not any(g.feed(*p) for p in (TR, BR, BL, TL))
    g.feed(*TL), g.feed(*TR), g.feed(*BR)
    clock.now += 5.1
    assert not g.feed(*BL)


def test_a_fresh_start_after_a_broken_attempt_counts() -> None:
    g = gesture(Clock())
    g.feed(*TL), g.feed(*TR)
    assert [g.feed(*p) for p in (TL, TR, BR, BL)] == [False, False, False, True]


def test_the_corners_lie_inside_the_screens_padding() -> None:
    g = gesture(Clock())
    assert g.corner(35, H - 35) == "top_left" and g.corner(40, H - 40) is None
    assert g.corner(W / 2, 2) is None
