"""When the daily fresh start is due: the configured local time plus this terminal's offset,
at the next such moment after the process started."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from kiosk.config.schema import TerminalConfig
from kiosk.health.daily_restart import DailyRestart, spread_offset


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t


def test_due_at_the_configured_time_then_not_again_in_this_process() -> None:
    clock = Clock(dt.datetime(2026, 11, 23, 1, 0))
    restart = DailyRestart(dt.time(3, 30), now=clock)
    assert restart.due_at == dt.datetime(2026, 11, 23, 3, 30)
    clock.t = dt.datetime(2026, 11, 23, 3, 29, 59)
    assert not restart.due()
    clock.t = dt.datetime(2026, 11, 23, 3, 30)
    assert restart.due()


def test_a_process_started_after_the_time_waits_for_tomorrow() -> None:
    clock = Clock(dt.datetime(2026, 11, 23, 3, 40))
    restart = DailyRestart(dt.time(3, 30), dt.timedelta(minutes=5), now=clock)
    assert restart.due_at == dt.datetime(2026, 11, 24, 3, 35)
    clock.t = dt.datetime(2026, 11, 23, 23, 59)
    assert not restart.due()


def test_the_offset_is_fixed_per_terminal_and_spreads_a_fleet() -> None:
    offsets = {spread_offset(f"T-{i:04d}", 600) for i in range(200)}
    assert all(dt.timedelta(0) <= o <= dt.timedelta(seconds=600) for o in offsets)
    assert len(offsets) > 150  # 200 terminals, 601 possible seconds: mostly apart
    assert spread_offset("T-0001", 600) == spread_offset("T-0001", 600)
    assert spread_offset("T-0001", 0) == dt.timedelta(0)


def test_from_the_configuration_and_switched_off() -> None:
    clock = Clock(dt.datetime(2026, 11, 23, 12, 0))
    on = DailyRestart.from_config(TerminalConfig(id="T-7", daily_restart_at="04:15:30",
                                                 daily_restart_spread_s=0), now=clock)
    assert on.due_at == dt.datetime(2026, 11, 24, 4, 15, 30)
    off = DailyRestart.from_config(TerminalConfig(id="T-7", daily_restart_at=""), now=clock)
    clock.t += dt.timedelta(days=3)
    assert off.due_at is None and not off.due()


@pytest.mark.parametrize("bad", ["3:30", "24:00", "03:60", "half past three", "03:30:61"])
def test_a_malformed_time_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="daily_restart_at"):
        TerminalConfig(id="T-7", daily_restart_at=bad)
