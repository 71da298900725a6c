"""Which journeys the terminal can offer right now, and if not, why (a translatable code).

A home tile must say "the printer is out of paper" before the citizen starts, not fail at the
receipt. Each journey needs some device roles; a role is met when any one of its devices is
usable. `why_not(journey)` reads only the drivers' cached statuses (never hardware), so the UI
may call it on every frame; `subscribe` tells the screens when the answer changes.

Reason codes are `outside_hours` or `<role>_<cause>`; see REASONS for the closed list.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from drivers.device import Device, DeviceEvent, DeviceState, DeviceStatus, EventKind
from kiosk.listeners import Listeners

log = logging.getLogger(__name__)

JOURNEYS = ("apply", "progress", "collect", "pay", "appointment", "evaluate")

# role -> the device kinds that can play it (any one usable is enough)
ROLES: dict[str, tuple[str, ...]] = {
    "identity": ("idcard", "smartcard", "qr_camera", "qr_serial"),
    "printer": ("printer",),
    "documents": ("doc_camera", "scanner"),
    # certificates: the A4 page printer where the site has one, the receipt printer otherwise
    # (as kiosk.journeys.collect.collect_journey chooses); told to citizens as the printer
    "certificate_printer": ("page_printer",),
}
_REASON_ROLE = {"certificate_printer": "printer"}

# What each journey cannot do without. progress and evaluate need no device: a receipt number
# can be typed on the screen's own keyboard. pay opens a QR on screen; its receipt is printed.
NEEDS: dict[str, tuple[str, ...]] = {
    "apply": ("identity", "printer"),  # + documents when the service has paper materials
    "progress": (),
    "collect": ("identity", "certificate_printer"),
    "pay": ("printer",),
    "appointment": ("identity",),
    "evaluate": (),
}

CAUSES: dict[str, tuple[str, ...]] = {
    "identity": ("missing", "starting", "offline", "error"),
    "printer": ("missing", "starting", "offline", "paper_out", "cover_open", "error"),
    "documents": ("missing", "starting", "offline", "error"),
}
OUTSIDE_HOURS = "outside_hours"
REASONS: tuple[str, ...] = (OUTSIDE_HOURS,) + tuple(
    f"{role}_{cause}" for role, causes in CAUSES.items() for cause in causes)

# A user_error that is the citizen's card, not the device: the reader still works.
_TOLERATED = {"idcard": {"card_unreadable"}, "smartcard": {"card_unreadable"}}
# Which cause explains a role best when none of its devices is usable (most telling first).
_CAUSE_ORDER = ("paper_out", "cover_open", "error", "offline", "starting", "missing")
_QR_KINDS = ("qr_camera", "qr_serial")


@dataclass(frozen=True, slots=True)
class AvailabilityChanged:
    """Sent to listeners: every journey's reason (None = available) after a device change."""

    reasons: Mapping[str, str | None]


Listener = Callable[[AvailabilityChanged], None]


class Availability:
    """Journeys' availability from device statuses and opening hours.

    `opening_hours` (default: the configuration's [opening_hours]): journey -> {"days": [1..7
    ISO weekdays], "open": "HH:MM", "close": "HH:MM"} or a list of such windows; journeys not
    listed are open around the clock. `now` gives local time (injectable for tests).
    """

    def __init__(self, devices: Iterable[Device], config: Any, *,
                 opening_hours: Mapping[str, Any] | None = None,
                 now: Callable[[], dt.datetime] = dt.datetime.now):
        self._devices = list(devices)
        self._now = now
        if opening_hours is None:
            opening_hours = getattr(config, "opening_hours", None)
        if hasattr(opening_hours, "model_dump"):  # [opening_hours] of the configuration
            opening_hours = {k: v for k, v in opening_hours.model_dump().items() if v}
        self.hours = OpeningHours.parse(opening_hours or {})
        session = getattr(config, "session", None)
        # without the issuer's key a QR code cannot say who the citizen is
        self._qr_identifies = bool(getattr(session, "eid_public_key_file", ""))
        self._lock = threading.Lock()
        self._listeners: Listeners[AvailabilityChanged] = Listeners("availability")
        self._last: dict[str, str | None] = {}
        self._unsubscribe = [d.subscribe(self._on_device_event) for d in self._devices]

    # ---- questions ---------------------------------------------------------------------------

    def why_not(self, journey: str, *, documents: bool = False) -> str | None:
        """None if `journey` can be offered now, else a reason code from REASONS.

        `documents`: the chosen service has materials to scan (see `needs_documents`).
        """
        if journey not in NEEDS:
            raise ValueError(f"unknown journey {journey!r}; one of {', '.join(JOURNEYS)}")
        if not self.hours.is_open(journey, self._now()):
            return OUTSIDE_HOURS
        roles = NEEDS[journey] + (("documents",) if documents else ())
        for role in roles:
            cause = self._role_cause(role)
            if cause is not None:
                return f"{_REASON_ROLE.get(role, role)}_{cause}"
        return None

    def snapshot(self) -> dict[str, str | None]:
        """Every journey's reason (None = available), for the home screen."""
        return {journey: self.why_not(journey) for journey in JOURNEYS}

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call `callback` (on a driver thread) when a device change alters any journey's answer.
        Opening hours change with the clock, not with an event: screens re-ask `snapshot()`."""
        with self._lock:
            if not self._last:
                self._last = self.snapshot()
        return self._listeners.add(callback)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # ---- internals ---------------------------------------------------------------------------

    def _role_cause(self, role: str) -> str | None:
        kinds = ROLES[role]
        if role == "certificate_printer" and not any(
                getattr(d, "kind", "") in kinds for d in self._devices):
            kinds = ROLES["printer"]
        if role == "identity" and not self._qr_identifies:
            kinds = tuple(k for k in kinds if k not in _QR_KINDS)
        devices = [d for d in self._devices if getattr(d, "kind", "") in kinds]
        if not devices:
            return "missing"
        causes = []
        for device in devices:
            cause = _cause(device.kind, device.status)
            if cause is None:
                return None
            causes.append(cause)
        return min(causes, key=_CAUSE_ORDER.index)

    def _on_device_event(self, event: DeviceEvent) -> None:
        if event.kind != EventKind.STATUS_CHANGED:
            return
        try:
            with self._lock:
                if not self._listeners:
                    return
                reasons = self.snapshot()
                if reasons == self._last:
                    return
                self._last = reasons
                listeners = self._listeners.snapshot()
        except Exception:
            log.exception("availability could not be worked out")
            return
        log.info("availability: %s", {j: r for j, r in reasons.items() if r} or "all journeys")
        self._listeners.notify(AvailabilityChanged(dict(reasons)), listeners)


def _cause(kind: str, status: DeviceStatus) -> str | None:
    """None when the device can serve, else its cause code."""
    if status.usable:
        return None
    state, reason = status.state, status.reason
    if state is DeviceState.USER_ERROR:
        if reason in _TOLERATED.get(kind, ()):
            return None
        if reason in ("paper_out", "cover_open"):
            return reason
        if reason == "offline":  # a printer paused by its own button
            return "offline"
        return "error"
    if state is DeviceState.STARTING:
        return "starting"
    if state in (DeviceState.OFFLINE, DeviceState.NO_DEVICE):
        return "offline"
    return "error"


def needs_documents(materials: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a service (its contract `materials`) needs a camera or scanner to be applied for:
    some required material that neither an e-licence nor a promise (容缺) can stand in for."""
    return any(m.get("required") and not m.get("elicence_kind") and not m.get("may_promise")
               for m in materials)


# ---- opening hours ---------------------------------------------------------------------------

_HHMM = re.compile(r"\A([01][0-9]|2[0-3]):([0-5][0-9])\Z")


@dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]  # ISO weekdays, 1 = Monday
    open: dt.time
    close: dt.time  # after open; "24:00" is not accepted, use "23:59"

    def contains(self, when: dt.datetime) -> bool:
        return when.isoweekday() in self.days and self.open <= when.time() < self.close


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """journey -> windows; a journey without windows is open around the clock."""

    windows: Mapping[str, tuple[Window, ...]]
    closed_dates: frozenset[dt.date] = frozenset()  # holidays: time-limited journeys closed

    def is_open(self, journey: str, when: dt.datetime) -> bool:
        windows = self.windows.get(journey)
        if not windows:
            return True
        if when.date() in self.closed_dates:
            return False
        return any(w.contains(when) for w in windows)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> OpeningHours:
        """From the mapping described in Availability; ValueError names the bad key."""
        windows: dict[str, tuple[Window, ...]] = {}
        closed: frozenset[dt.date] = frozenset()
        for key, value in dict(data).items():
            if key == "closed_dates":
                try:
                    closed = frozenset(dt.date.fromisoformat(str(d)) for d in value)
                except (TypeError, ValueError):
                    raise ValueError("opening_hours.closed_dates: ISO dates expected") from None
                continue
            if key not in JOURNEYS:
                raise ValueError(f"opening_hours.{key}: not a journey ({', '.join(JOURNEYS)})")
            items = [value] if isinstance(value, Mapping) else list(value)
            windows[key] = tuple(_window(f"opening_hours.{key}", item) for item in items)
        return cls(windows, closed)


def _window(where: str, item: Any) -> Window:
    if not isinstance(item, Mapping) or set(item) - {"days", "open", "close"}:
        raise ValueError(f"{where}: expected {{days, open, close}}")
    days = frozenset(item.get("days", range(1, 8)))
    if not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        raise ValueError(f"{where}.days: ISO weekdays 1 (Monday) to 7 expected")
    times = []
    for name in ("open", "close"):
        match = _HHMM.match(str(item.get(name, "")))
        if not match:
            raise ValueError(f"{where}.{name}: a time HH:MM expected")
        times.append(dt.time(int(match[1]), int(match[2])))
    if times[0] >= times[1]:
        raise ValueError(f"{where}: close must be after open")
    return Window(days, times[0], times[1])
