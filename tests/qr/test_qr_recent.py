"""RecentCodes: a code held in view is reported once; shown again later, it is reported again."""

from __future__ import annotations

from drivers.qr.recent import RecentCodes


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_code_held_in_view_is_reported_once() -> None:
    clock = Clock()
    recent = RecentCodes(3.0, clock)
    reports = []
    for _ in range(50):  # 10 s of frames at 5 per second
        reports.append(recent.should_report("A"))
        clock.now += 0.2
    assert reports.count(True) == 1 and reports[0]


def test_a_code_taken_away_and_shown_again_is_reported_again() -> None:
    clock = Clock()
    recent = RecentCodes(3.0, clock)
    assert recent.should_report("A")
    clock.now += 2.9
    assert not recent.should_report("A")
    clock.now += 3.0
    assert recent.should_report("A")


def test_different_codes_are_independent_and_clear_forgets() -> None:
    recent = RecentCodes(3.0, Clock())
    assert recent.should_report("A") and recent.should_report("B")
    assert not recent.should_report("A")
    recent.clear()
    assert recent.should_report("A")


def test_memory_is_bounded() -> None:
    recent = RecentCodes(3.0, Clock(), capacity=10)
    for i in range(1000):
        recent.should_report(i)
    assert len(recent._seen) == 10
