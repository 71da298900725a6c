"""The heartbeat (心跳): every N seconds the platform hears how this terminal is — its health,
each device's state in XFS4IoT words, paper, outbox depth, versions (app, applied fleet
configuration), uptime, the last error (masked), the audit trail's head (seq, hash), outbox
items that keep failing and prints of unknown outcome. Sent on its own thread, never queued: a
missed heartbeat is replaced by the next one, and a platform that is down costs one log line
per outage, not one per beat."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from drivers.device import Device, DeviceState, DeviceStatus
from kiosk import __version__
from kiosk.client.errors import PlatformError
from kiosk.events import emit

log = logging.getLogger(__name__)

XFS_STATE: Mapping[DeviceState, str] = {
    DeviceState.STARTING: "starting", DeviceState.ONLINE: "online",
    DeviceState.BUSY: "deviceBusy", DeviceState.OFFLINE: "offline",
    DeviceState.NO_DEVICE: "noDevice", DeviceState.USER_ERROR: "userError",
    DeviceState.HARDWARE_ERROR: "hardwareError"}
PAPER: Mapping[str | None, str] = {"paper_near_end": "low", "paper_out": "out"}


def paper_state(devices: Iterable[Device]) -> str:
    """The worst paper of the printers (receipt roll and A4 tray): out, low, ok, unknown."""
    printers = [d for d in devices if getattr(d, "kind", "") in ("printer", "page_printer")]
    if not printers:
        return "unknown"
    states = [_paper(d.status) for d in printers]
    return next(s for s in ("out", "low", "unknown", "ok") if s in states)


def _paper(status: DeviceStatus) -> str:
    if status.reason in PAPER:
        return PAPER[status.reason]
    return "ok" if status.state in (DeviceState.ONLINE, DeviceState.BUSY) else "unknown"


def heartbeat_body(devices: Iterable[Device], *, outbox_depth: int, versions: Mapping[str, str],
                   uptime_s: float, last_error: str | None, out_of_service: bool,
                   audit_head: tuple[int, str] | None = None,
                   outbox_stuck: tuple[int, float] | None = None,
                   prints_unknown: int | None = None,
                   site: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The contract's Heartbeat, from what the terminal knows right now (no I/O).
    `outbox_stuck`: (how many items keep failing past [outbox] stuck_after_s, the oldest's age
    in seconds), None when none does; `prints_unknown`: prints whose outcome nobody could
    confirm (kiosk.prints), None without a print journal (contract 1.3); `site`: the hall's name
    and the fleet ring, for the operations console (contract 1.4; empty values left out)."""
    devices = list(devices)
    states = {d.name: XFS_STATE.get(d.status.state, "unknown") for d in devices}
    if out_of_service:
        health = "out_of_service"
    elif any(not d.status.usable for d in devices):
        health = "degraded"
    else:
        health = "ok"
    body: dict[str, Any] = {"health": health, "versions": {"app": __version__, **versions},
                            "outbox_depth": outbox_depth, "paper": paper_state(devices),
                            "devices": states, "uptime_s": int(uptime_s)}
    if last_error:
        body["last_error"] = last_error[:200]
    if audit_head is not None:  # the trail's head leaves the box: the platform keeps the series
        body["audit_head"] = {"seq": audit_head[0], "hash": audit_head[1]}
    if outbox_stuck is not None and outbox_stuck[0] > 0:
        body["outbox_stuck"] = {"count": outbox_stuck[0],
                                "oldest_age_s": max(0, int(outbox_stuck[1]))}
    if prints_unknown is not None:
        body["prints_unknown"] = prints_unknown
    if site and any(site.values()):
        body["site"] = {k: v for k, v in site.items() if v}
    return body


class HeartbeatSender:
    """Posts `body()` every `interval_s` through `post` (the platform client's post_heartbeat),
    and soon after `nudge()` (a device changed state: paper low at 22:00 reaches the operations
    console now, not a minute later), never more often than every `MIN_GAP_S`."""

    MIN_GAP_S = 2.0

    def __init__(self, body: Callable[[], dict[str, Any]], post: Callable[[dict[str, Any]], Any],
                 interval_s: float) -> None:
        self._body = body
        self._post = post
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self.sent = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def beat(self) -> bool:
        """One heartbeat now; True when the platform took it."""
        try:
            self._post(self._body())
        except PlatformError as exc:
            if not self._failing:
                emit("heartbeat_failed", error=type(exc).__name__)
            self._failing = True
            return False
        except Exception:  # a bug in building the body must not stop the heartbeat
            log.exception("heartbeat: could not be built")
            return False
        if self._failing:
            log.info("heartbeat: delivered again")
        self._failing = False
        self.sent += 1
        return True

    def nudge(self) -> None:
        """Beat soon rather than at the next interval (from any thread)."""
        self._wake.set()

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            beat_at = time.monotonic()
            self.beat()
            elapsed = time.monotonic() - started
            if self._wake.wait(self.interval_s - elapsed % self.interval_s):
                self._wake.clear()  # nudged: a change to tell, after a short breath
                self._stop.wait(max(0.0, self.MIN_GAP_S - (time.monotonic() - beat_at)))
