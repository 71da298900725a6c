"""How long the head of the queue waits after a failed delivery.

Exponential (initial, doubling, capped at max) with *equal jitter*: the wait is half the step
plus a random amount up to the other half. Full jitter (0..step) spreads a fleet best, but can
draw a near-zero wait again and again, so one terminal could hammer a platform that is already
failing; equal jitter keeps a floor of half the step while still spreading hundreds of
terminals that lost the platform at the same moment.

A `Retry-After` from the platform (ServerFault.retry_after_s) is a floor under the exponential
wait, not a replacement for it (an item answered 500 with "Retry-After: 1" forever still backs
off), plus up to `initial` of jitter so the fleet does not return in the same second; bounded
by max.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kiosk.client.errors import ServerFault


@dataclass
class Backoff:
    initial_s: float
    max_s: float
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError(f"backoff needs 0 < initial ({self.initial_s}) <= max ({self.max_s})")

    def step(self, attempt: int) -> float:
        """The un-jittered wait after the `attempt`-th failure in a row (1-based)."""
        exponent = min(max(attempt, 1) - 1, 62)  # 2.0**62 s is already centuries
        return min(self.max_s, self.initial_s * 2.0 ** exponent)

    def delay(self, attempt: int, error: BaseException | None = None) -> float:
        retry_after = getattr(error, "retry_after_s", None) if isinstance(error, ServerFault) \
            else None
        step = self.step(attempt)
        wait = step / 2 + self.rng.uniform(0, step / 2)
        if isinstance(retry_after, (int, float)) and retry_after > 0:
            wait = max(wait, retry_after + self.rng.uniform(0, self.initial_s))
        return min(self.max_s, wait)
