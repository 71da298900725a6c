"""Backoff: exponential, capped, with equal jitter, and Retry-After as a floor."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.client.errors import PlatformUnreachable, RequestRefused, ServerFault
from kiosk.outbox import Backoff


def test_steps_double_up_to_the_cap() -> None:
    b = Backoff(2.0, 600.0)
    assert [b.step(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]
    assert b.step(0) == 2 and b.step(10_000) == 600  # absurd counts neither crash nor overflow


@given(initial=st.floats(0.01, 100), ratio=st.floats(1, 1000), attempt=st.integers(-5, 10_000),
       seed=st.integers(0, 2**32))
def test_delay_is_between_half_the_step_and_the_step(initial: float, ratio: float,
                                                     attempt: int, seed: int) -> None:
    b = Backoff(initial, initial * ratio, rng=random.Random(seed))
    step = b.step(attempt)
    assert step / 2 <= b.delay(attempt) <= step <= b.max_s
    assert b.delay(attempt, PlatformUnreachable("x")) >= step / 2


def test_jitter_spreads_a_fleet() -> None:
    b = Backoff(2.0, 600.0, rng=random.Random(7))
    delays = [b.delay(5) for _ in range(200)]
    assert min(delays) >= 16 and max(delays) <= 32
    assert len({round(d, 3) for d in delays}) > 150
    assert max(delays) - min(delays) > 10  # uses the whole half-step, not a sliver


def test_retry_after_is_honoured_as_a_floor() -> None:
    b = Backoff(2.0, 600.0, rng=random.Random(1))
    for _ in range(100):
        d = b.delay(1, ServerFault("busy", status=503, retry_after_s=120))
        assert 120 <= d <= 122
    assert b.delay(1, ServerFault("busy", status=429, retry_after_s=10_000)) == 600  # capped
    # A Retry-After of 0, or none, falls back to the exponential step.
    assert 1 <= b.delay(1, ServerFault("busy", status=503, retry_after_s=0)) <= 2
    assert 1 <= b.delay(1, ServerFault("busy", status=503)) <= 2
    # Only a ServerFault carries one; other errors never extend the wait.
    refused = RequestRefused("no", status=422)
    refused.retry_after_s = 500  # type: ignore[attr-defined]
    assert b.delay(1, refused) <= 2


@pytest.mark.parametrize("initial, maximum", [(0, 10), (-1, 10), (10, 5)])
def test_nonsense_settings_are_refused(initial: float, maximum: float) -> None:
    with pytest.raises(ValueError):
        Backoff(initial, maximum)


def test_backoff_from_config() -> None:
    from kiosk.config.schema import KioskConfig
    from kiosk.outbox import backoff_from_config

    b = backoff_from_config(KioskConfig())
    assert (b.initial_s, b.max_s) == (2.0, 600.0)


def test_retry_after_is_a_floor_under_the_exponential_wait_not_instead_of_it() -> None:
    """Issue 20 item 6: an item answered 500 with "Retry-After: 1" forever used to be tried
    every 1-2 s for good; the exponential step still grows under the floor."""
    b = Backoff(1, 600, rng=random.Random(6))
    waits = [b.delay(n, ServerFault("busy", status=500, retry_after_s=1)) for n in range(1, 11)]
    assert 1 <= waits[0] <= 2
    assert waits[6] >= 32 and waits[9] >= 256  # steps 64 and 512, equal jitter: half at least
    assert all(w >= 1 for w in waits)
