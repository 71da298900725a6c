"""The staff PIN: an argon2id hash in the configuration, and a gate that locks out guessers.

The PIN itself is never stored, logged or audited. After `free_tries` wrong PINs in a row every
further wrong one locks the pad for a delay that doubles (30 s, 60 s, 120 s … up to `max_delay_s`).
The count lives in a small file in the data directory, written *before* the PIN is checked, so
neither a restart nor pulling the plug mid-check gives a guesser fresh tries. Wall-clock time
(injectable) because the lockout must outlive a reboot; a clock set back cannot stretch a
lockout beyond `max_delay_s`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.events import emit

PIN_MIN, PIN_MAX = 6, 12
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3)


class PinError(ValueError):
    """A PIN that may not be set (too short, not digits) or a hash that is not argon2id."""


def check_pin_format(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise PinError(f"a PIN is {PIN_MIN} to {PIN_MAX} digits")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise PinError("a PIN of one repeated digit or a run (123456) is too easy to guess")


def hash_pin(pin: str) -> str:
    """The value for `[admin] pin_hash`: `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`."""
    check_pin_format(pin)
    return _hasher.hash(pin)


@dataclass(frozen=True, slots=True)
class PinResult:
    ok: bool
    locked: bool  # refused unheard: the pad is locked
    failures: int  # wrong PINs in a row so far
    retry_after_s: float  # 0 unless the pad is now locked
    tries_before_lockout: int  # wrong PINs still possible before the first lockout


class PinGate:
    def __init__(self, pin_hash: str, state_file: str | Path, *, free_tries: int = 5,
                 base_delay_s: float = 30.0, max_delay_s: float = 3600.0,
                 clock: Callable[[], float] = time.time) -> None:
        if pin_hash and not pin_hash.startswith("$argon2id$"):
            raise PinError("pin_hash must be an argon2id hash (kiosk admin hash-pin)")
        self._hash, self._path = pin_hash, Path(state_file)
        self._free, self._base, self._max = free_tries, base_delay_s, max_delay_s
        self._clock = clock

    @property
    def configured(self) -> bool:
        """False when no pin_hash is set: the admin screen cannot be opened at all."""
        return bool(self._hash)

    def _load(self) -> tuple[int, float]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            return int(data["failures"]), float(data["locked_until"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # A damaged file must not reset the count to zero: treat it as a fresh lockout.
            return self._free, self._clock() + self._base

    def _save(self, failures: int, locked_until: float) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_name(self._path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump({"failures": failures, "locked_until": locked_until}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self._path)

    def delay_after(self, failures: int) -> float:
        """Lockout after the `failures`-th wrong PIN in a row (0 while tries are free)."""
        if failures < self._free:
            return 0.0
        return min(self._base * 2 ** (failures - self._free), self._max)

    def status(self) -> PinResult:
        """What the PIN pad should show now, without trying a PIN."""
        failures, locked_until = self._load()
        now = self._clock()
        locked_until = min(locked_until, now + self._max)  # a clock set back
        left = max(0.0, locked_until - now)
        return PinResult(False, left > 0, failures, left, max(0, self._free - failures))

    def attempt(self, pin: str) -> PinResult:
        state = self.status()
        if state.locked:
            emit("admin_locked_out", failures=state.failures,
                 retry_after_s=round(state.retry_after_s))
            return state
        if not self._hash:
            return PinResult(False, False, state.failures, 0.0, state.tries_before_lockout)
        failures = state.failures + 1
        delay = self.delay_after(failures)
        self._save(failures, self._clock() + delay)  # counted before checking: see module doc
        try:
            _hasher.verify(self._hash, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            emit("admin_login_failed", failures=failures, locked_for_s=round(delay))
            return PinResult(False, delay > 0, failures, delay, max(0, self._free - failures))
        self._save(0, 0.0)
        return PinResult(True, False, 0, 0.0, self._free)
