"""When a silent citizen's session ends: pure logic on an injectable monotonic clock.

ACTIVE until `timeout - warning` seconds after the last touch, then WARNING (the screen counts
down `seconds_left` aloud and on screen; a touch or "more time" extends), then EXPIRED. Each
extension during the warning is counted; once `max_extensions` are used, touches no longer
extend and the session expires. Elder mode (长辈模式) multiplies timeout and warning. EXPIRED is
final. No threads: the UI polls `state()` from its Clock, the manager from `tick()`.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config.schema import SessionConfig


class IdleState(enum.StrEnum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class IdleStatus:
    state: IdleState
    seconds_left: float  # until expiry (0 once expired)
    extensions_left: int


class IdleTimer:
    """Injectable `clock` (monotonic seconds); every method also takes an explicit `now`."""

    def __init__(self, timeout_s: float, warning_s: float, max_extensions: int, *,
                 elder: bool = False, elder_factor: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, now: float | None = None):
        if not 0 < warning_s < timeout_s:
            raise ValueError("need 0 < warning_s < timeout_s")
        if max_extensions < 0 or elder_factor < 1.0:
            raise ValueError("max_extensions must be >= 0 and elder_factor >= 1")
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self.max_extensions = max_extensions
        self.elder_factor = elder_factor
        self.elder = elder
        self.extensions_used = 0
        self._clock = clock
        self._last = clock() if now is None else now
        self._expired = False

    @classmethod
    def from_config(cls, cfg: SessionConfig, *, elder: bool = False,
                    clock: Callable[[], float] = time.monotonic,
                    now: float | None = None) -> IdleTimer:
        return cls(cfg.idle_timeout_s, cfg.warning_s, cfg.max_extensions, elder=elder,
                   elder_factor=cfg.elder_timeout_factor, clock=clock, now=now)

    @property
    def effective_timeout_s(self) -> float:
        return self.timeout_s * (self.elder_factor if self.elder else 1.0)

    @property
    def effective_warning_s(self) -> float:
        return self.warning_s * (self.elder_factor if self.elder else 1.0)

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    def state(self, now: float | None = None) -> IdleStatus:
        now = self._now(now)
        left = self._last + self.effective_timeout_s - now
        extensions_left = self.max_extensions - self.extensions_used
        if self._expired or left <= 0:
            self._expired = True
            return IdleStatus(IdleState.EXPIRED, 0.0, extensions_left)
        if left <= self.effective_warning_s:
            return IdleStatus(IdleState.WARNING, left, extensions_left)
        return IdleStatus(IdleState.ACTIVE, left, extensions_left)

    def touch(self, now: float | None = None) -> IdleStatus:
        """The citizen did something. During the warning this is an extension (if any are left)."""
        now = self._now(now)
        status = self.state(now)
        if status.state is IdleState.ACTIVE:
            self._last = now
        elif status.state is IdleState.WARNING:
            self.extend(now)
        return self.state(now)

    def extend(self, now: float | None = None) -> bool:
        """"More time" during the warning: restart the full timeout; False if none are left."""
        now = self._now(now)
        status = self.state(now)
        if status.state is not IdleState.WARNING or status.extensions_left <= 0:
            return False
        self.extensions_used += 1
        self._last = now
        return True

    def set_elder(self, on: bool, now: float | None = None) -> IdleStatus:
        """Switch elder mode mid-session. Pressing the switch is a touch (under the new
        durations); an expired timer stays expired."""
        now = self._now(now)
        before = self.state(now)  # judged under the old durations
        if before.state is IdleState.EXPIRED:
            return before
        touched = before.state is IdleState.ACTIVE or before.extensions_left > 0
        if before.state is IdleState.WARNING and touched:
            self.extensions_used += 1
        self.elder = on
        if touched:
            self._last = now
        return self.state(now)
