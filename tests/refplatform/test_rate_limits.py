"""The platform's rate limits counted from many request threads at once, as its threaded
server counts them. Without the lock in kiosk.refplatform.rate_limits:
- `limits`' MemoryStorage started its expiry timer twice when two threads counted at once, and
  the second request answered 500 "threads can only be started once" (seen in CI, in the
  collect crash drill's openCitizenSession); the first test failed 2 runs in 4;
- "test every window, then hit them" let parallel requests past a full window: 65 through a
  window of 50; the second test failed 4 runs in 4."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import pytest
from limits import parse

from kiosk.refplatform.problems import Problem
from kiosk.refplatform.rate_limits import RateLimits

THREADS = 16


@pytest.fixture(autouse=True)
def busy_switching() -> Iterator[None]:
    """Threads swapped as often as the interpreter can: the races show within seconds."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def at_once(work: Callable[[int], None]) -> list[BaseException]:
    """`work(n)` on THREADS threads started together; what they raised, other than a 429."""
    raised: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(n: int) -> None:
        start.wait()
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 (collected for the assertion)
            raised.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised


def test_counting_from_many_threads_at_once_never_fails() -> None:
    limits = RateLimits({"wide": (parse("1000000/minute"),)})

    def work(n: int) -> None:
        for i in range(3000):
            limits.hit("wide", f"terminal-{n}-{i % 7}")

    assert at_once(work) == []


def test_a_windows_last_places_go_to_exactly_as_many_requests() -> None:
    limits = RateLimits({"narrow": (parse("50/minute"),)})
    let_through: list[int] = []

    def work(n: int) -> None:
        for _ in range(10):
            try:
                limits.hit("narrow", "one terminal")
            except Problem as problem:
                assert problem.status == 429
            else:
                let_through.append(n)

    assert at_once(work) == []
    assert len(let_through) == 50
