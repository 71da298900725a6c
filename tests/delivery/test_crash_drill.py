"""kill -9 of the kiosk at more than 50 points of submission and sending, each followed by a
restart: every application reaches the platform exactly once.

Each named crash point (kiosk.faults) is hit in successive lives of the kiosk at its 1st, 2nd …
6th pass, so every kill falls on a different step of a different application; on top of that
the kiosk is killed from outside at random moments. The platform is down for the first half of
one drill and comes up while the kiosk retries.
"""

from __future__ import annotations

import pytest

from tests.delivery.drill import Drill, seeded_random

COUNT = 24
LIVES = range(1, 7)
OUTSIDE_PER_LIFE = 30  # the nth pass of the point kills the process, in successive lives

POINTS_PLATFORM_UP = (
    "outbox.enqueue.before_commit",   # the citizen was not told "received": submitted again
    "outbox.enqueue.after_commit",    # durable, receipt not yet shown
    "delivery.before_request",
    "delivery.after_response",        # the platform filed it; the kiosk never recorded that
    "outbox.delivered.before_commit",
    "outbox.delivered.after_commit",
)


def _kill_through_lives(drill: Drill, site, prefix: str, point: str) -> int:
    kills = 0
    for nth in LIVES:
        run = drill.run_worker(site, COUNT, prefix, crash_at=f"{point}:{nth}")
        assert run.killed, f"{point}:{nth} was never reached (rc {run.rc}): {run.err[-2000:]}"
        kills += 1
    return kills


@pytest.mark.parametrize("point", POINTS_PLATFORM_UP)
def test_killed_at_a_named_point_in_six_lives_then_restarted(drill: Drill, point: str) -> None:
    drill.platform_up()
    site = drill.kiosk("kiosk")
    assert _kill_through_lives(drill, site, "named", point) == len(LIVES)
    final = drill.run_worker(site, COUNT, "named")
    assert final.rc == 0, final.err[-2000:]
    drill.delivered_exactly_once(site, COUNT)


def test_killed_while_the_platform_is_down_then_it_comes_up(drill: Drill) -> None:
    """First half: platform down, the kiosk queues, retries, and is killed after recording a
    failed attempt. Second half: the platform comes up and everything queued is delivered."""
    site = drill.kiosk("kiosk")
    assert _kill_through_lives(drill, site, "down", "outbox.failed.after_commit") == len(LIVES)
    queued = drill.outbox_references(site)
    assert queued and set(queued.values()) == {"pending"}
    assert drill.applications() == []
    drill.platform_up()
    final = drill.run_worker(site, COUNT, "down")
    assert final.rc == 0, final.err[-2000:]
    drill.delivered_exactly_once(site, COUNT)


def test_killed_from_outside_at_random_moments(drill: Drill) -> None:
    """Each life brings new applications (a queue of citizens) on top of what is left over, so
    a kill always lands while the kiosk is submitting or sending."""
    drill.platform_up()
    site = drill.kiosk("kiosk")
    rng = seeded_random("outside")
    kills = count = 0
    for life in range(10):
        count = OUTSIDE_PER_LIFE * (life + 1)
        run = drill.run_worker(site, count, "outside", kill_after_s=rng.uniform(0.05, 0.6))
        kills += run.killed
        if not run.killed:
            assert run.rc == 0, run.err[-2000:]
    assert kills >= 8, f"only {kills} of 10 kills landed before the work was done"
    final = drill.run_worker(site, count, "outside")
    assert final.rc == 0, final.err[-2000:]
    drill.delivered_exactly_once(site, count)
