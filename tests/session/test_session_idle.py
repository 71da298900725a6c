"""The idle timer: active, a countdown that a touch extends a limited number of times, the end."""

from __future__ import annotations

import pytest

from kiosk.config.schema import SessionConfig
from kiosk.session.idle import IdleState, IdleTimer

ACTIVE, WARNING, EXPIRED = IdleState.ACTIVE, IdleState.WARNING, IdleState.EXPIRED


def timer(**kw) -> IdleTimer:
    return IdleTimer(60, 15, 2, now=0.0, **kw)


def test_active_then_warning_then_expired() -> None:
    t = timer()
    assert t.state(0).state is ACTIVE and t.state(0).seconds_left == 60
    assert t.state(44.9).state is ACTIVE
    status = t.state(45)
    assert status.state is WARNING and status.seconds_left == 15 and status.extensions_left == 2
    assert t.state(59.5).seconds_left == pytest.approx(0.5)
    assert t.state(60).state is EXPIRED and t.state(60).seconds_left == 0


def test_touch_while_active_restarts_without_using_an_extension() -> None:
    t = timer()
    for now in (30, 60, 90, 120):
        assert t.touch(now).state is ACTIVE
    assert t.extensions_used == 0
    assert t.state(164).state is ACTIVE and t.state(165).state is WARNING


def test_extensions_during_warning_are_counted_and_limited() -> None:
    t = timer()
    assert t.extend(10) is False  # nothing to extend while active
    assert t.extend(50) is True and t.state(50).state is ACTIVE
    assert t.touch(100).state is ACTIVE and t.extensions_used == 2  # a touch extends too
    assert t.state(100).extensions_left == 0
    assert t.extend(150) is False
    assert t.touch(155).state is WARNING  # no more extensions: the touch does not help
    assert t.state(160).state is EXPIRED


def test_expired_is_final() -> None:
    t = timer()
    assert t.state(61).state is EXPIRED
    assert t.touch(61).state is EXPIRED and t.extend(61) is False
    assert t.state(0).state is EXPIRED  # even if the clock were read out of order
    assert t.set_elder(True, 62).state is EXPIRED


def test_elder_mode_multiplies_timeout_and_warning() -> None:
    t = timer(elder=True, elder_factor=2.0)
    assert t.state(0).seconds_left == 120
    assert t.state(89).state is ACTIVE and t.state(90).state is WARNING
    assert t.state(119).state is WARNING and t.state(120).state is EXPIRED


def test_switching_elder_mode_is_a_touch_under_the_new_durations() -> None:
    t = timer(elder_factor=3.0)
    assert t.set_elder(True, 40).seconds_left == 180
    assert t.state(170).state is ACTIVE  # would have expired at 100 without elder mode
    assert t.state(175).state is WARNING  # warning 15 s x 3
    t2 = timer(elder_factor=3.0)
    t2.set_elder(True, 40)
    assert t2.set_elder(False, 170).seconds_left == 60  # switching back restarts: no instant end
    assert t2.extensions_used == 0
    assert t2.state(215).state is WARNING
    assert t2.set_elder(True, 215).state is ACTIVE and t2.extensions_used == 1


def test_injected_clock_makes_polling_trivial(clock) -> None:
    t = IdleTimer.from_config(SessionConfig(idle_timeout_s=60, warning_s=15, max_extensions=1,
                                            elder_timeout_factor=1.5), clock=clock)
    clock.advance(50)
    assert t.state().state is WARNING
    t.touch()
    clock.advance(50)
    assert t.state().state is WARNING and t.state().extensions_left == 0
    clock.advance(10)
    assert t.state().state is EXPIRED


def test_nonsense_durations_are_refused() -> None:
    with pytest.raises(ValueError):
        IdleTimer(10, 10, 1)
    with pytest.raises(ValueError):
        IdleTimer(10, 5, -1)
