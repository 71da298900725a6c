"""Device failure policy: a device that fails several health readings in a row is reset, with
a start-up grace period, a growing pause between resets and a cap — never a restart loop.

Only devices that were seen working once are reset: a device that was never there (not plugged
in, misconfigured) is staff's to fix, and resetting it would only fill the log. While a device
is broken, the journeys that need it show why on their tiles (kiosk.services.availability);
the rest of the terminal keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from drivers.device import Device, DeviceState
from kiosk.events import emit

log = logging.getLogger(__name__)

FAILED = (DeviceState.OFFLINE, DeviceState.HARDWARE_ERROR)


@dataclass
class _Track:
    seen_ok: bool = False
    bad_readings: int = 0
    resets: int = 0
    next_reset_at: float = 0.0
    gave_up: bool = False


class DeviceSupervisor:
    def __init__(self, devices: Iterable[Device], *, check_s: float = 5.0, grace_s: float = 30.0,
                 bad_readings: int = 3, max_resets: int = 3, pause_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._devices = list(devices)
        self.check_s, self.grace_s = check_s, grace_s
        self.bad_readings, self.max_resets, self.pause_s = bad_readings, max_resets, pause_s
        self._clock = clock
        self._started = clock()
        self._tracks = {d.name: _Track() for d in self._devices}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="device-supervisor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def check(self) -> list[str]:
        """One round of health readings; the names of the devices reset in it."""
        now = self._clock()
        reset: list[str] = []
        for device in self._devices:
            track = self._tracks[device.name]
            status = device.status
            if status.usable:
                if track.resets or track.gave_up:
                    log.info("supervisor: %s usable again", device.name)
                self._tracks[device.name] = _Track(seen_ok=True)
                continue
            if status.state not in FAILED or not track.seen_ok or track.gave_up:
                continue
            track.bad_readings += 1
            if now - self._started < self.grace_s or track.bad_readings < self.bad_readings \
                    or now < track.next_reset_at:
                continue
            if track.resets >= self.max_resets:
                track.gave_up = True
                emit("device_needs_staff", device=device.name, status=status.state,
                     attempts=track.resets)
                continue
            track.resets += 1
            track.next_reset_at = now + self.pause_s * 2 ** (track.resets - 1)
            track.bad_readings = 0
            self._reset(device, status.state, track.resets)
            reset.append(device.name)
        return reset

    def _reset(self, device: Device, state: str, attempt: int) -> None:
        emit("device_reset_init", device=device.name, status=state, attempt=attempt)
        try:
            device.reset().result(timeout=30)
        except Exception as exc:  # the reset itself failed: the next round decides again
            log.warning("supervisor: reset of %s failed: %s", device.name, type(exc).__name__)
        after = device.status
        emit("device_reset_complete", "success" if after.usable else "failure",
             device=device.name, status=after.state, attempt=attempt)

    def _run(self) -> None:
        while not self._stop.wait(self.check_s):
            try:
                self.check()
            except Exception:  # the supervisor never dies of a device's fault
                log.exception("supervisor: a check failed")
