"""Issue 3's "done when", as one command:

    bash setup.sh test tests/delivery/test_done_when.py

100 applications queued with the platform down, the kiosk killed twice mid-way, the platform
brought up: it holds exactly those 100 applications.
"""

from __future__ import annotations

from kiosk.config import load_config
from kiosk.outbox import open_outbox
from tests.delivery.drill import Drill
from tests.support import wait_until

COUNT = 100


def _queued(site) -> int:
    with open_outbox(load_config(site), create=False) as outbox:
        return outbox.stats().pending


def test_hundred_applications_platform_down_two_kills_platform_up(drill: Drill) -> None:
    site = drill.kiosk("kiosk")
    first = drill.run_worker(site, COUNT, "hundred", crash_at="outbox.enqueue.after_commit:40")
    assert first.killed
    second = drill.run_worker(site, COUNT, "hundred", crash_at="outbox.enqueue.before_commit:35")
    assert second.killed
    assert _queued(site) == 74  # 40 from the first life, 34 committed by the second

    third = drill.start_worker(site, COUNT, "hundred", timeout_s=90)
    try:
        assert wait_until(lambda: _queued(site) == COUNT, timeout=30)
        assert drill.applications() == []  # the platform is still down
        drill.platform_up()
        out, err = third.communicate(timeout=90)
    finally:
        if third.poll() is None:
            third.kill()
    assert third.returncode == 0, err[-2000:]
    drill.delivered_exactly_once(site, COUNT)
    assert len(drill.applications()) == COUNT
