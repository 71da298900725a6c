"""呼叫工作人员 / Call staff: a citizen at any screen asks for a person, and is told truthfully
whether the hall's staff were reached.

A help request says where the citizen is (screen, journey, step) and when, never who: no name,
no ID number, no session id (contract 1.3, `raiseHelpRequest`). It matters now, not later, so
it goes straight to the platform on the caller's worker, once and with the client's deadline,
not through the outbox: an outbox would hold it until long after the citizen gave up. When the
platform cannot be reached the call says so; the screen then shows the hall's phone and nearest
counter all the same.

One call at a time: a second tap while a call is live (sending, sent, acknowledged, and less
than `REPEAT_AFTER_S` old) answers the live call instead of raising another, and a call that
failed is retried under its first Idempotency-Key, so a double tap raises one request. Staff
acknowledge at the platform; `refresh()` reads it back.

Every call blocks on the network: call from a worker, never the UI thread.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from kiosk.api import models as m
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.events import emit

HelpState = Literal["sending", "sent", "acknowledged", "on_the_way", "closed", "failed"]
LIVE: tuple[HelpState, ...] = ("sending", "sent", "acknowledged", "on_the_way")
REPEAT_AFTER_S = 300.0  # a tap after this long is a new call, even if staff never answered


@dataclass(frozen=True)
class HelpPlace:
    """Where the citizen is: the screen's name and, inside a journey, its step (1-based)."""

    screen: str
    journey: str | None = None
    step: int | None = None
    steps: int | None = None


@dataclass(frozen=True)
class HelpCall:
    """One call for staff as the citizen's screen shows it."""

    state: HelpState
    place: HelpPlace
    help_request_id: str | None = None
    # why it failed, in words a screen maps to a sentence: unreachable | no_link | refused
    failure: str | None = None
    acknowledged_by: str | None = None


class HelpDesk:
    """The terminal's one line to the hall's staff. `client`: a platform client (None when the
    terminal has no platform link: every call then fails truthfully at once)."""

    def __init__(self, client: PlatformClient | None, *,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
                 monotonic: Callable[[], float] = time.monotonic,
                 repeat_after_s: float = REPEAT_AFTER_S) -> None:
        # Sent once with the transport's deadline (connect and whole-reply): a citizen waits
        # seconds at most, never a retry ladder. A repeat tap retries under the same key.
        self._client = PlatformClient(client.transport, retries=0) if client else None
        self._now = now
        self._monotonic = monotonic
        self._repeat_after_s = repeat_after_s
        self._lock = threading.Lock()
        self._call: HelpCall | None = None
        self._key = ""
        self._body: m.HelpRequestCreate | None = None
        self._started = 0.0

    @property
    def current(self) -> HelpCall | None:
        with self._lock:
            return self._call

    def call(self, place: HelpPlace) -> HelpCall:
        """Raise a help request for `place`, or answer the live one (blocks on the network)."""
        with self._lock:
            live = (self._call is not None and self._call.state in LIVE
                    and self._monotonic() - self._started < self._repeat_after_s)
            if live:
                assert self._call is not None
                return self._call
            old = self._monotonic() - self._started >= self._repeat_after_s
            if self._call is None or self._call.state != "failed" or old:
                self._key = str(uuid.uuid4())
                self._body = m.HelpRequestCreate(
                    screen=place.screen, journey=place.journey, step=place.step,
                    steps=place.steps, raised_at=self._now())
                self._started = self._monotonic()
                self._call = HelpCall("sending", place)
            else:  # the failed call again, under its key and body: one request at most
                self._call = replace(self._call, state="sending", failure=None)
            key, body, place = self._key, self._body, self._call.place
        assert body is not None
        emit("help_request_init", screen=place.screen, journey=place.journey, step=place.step)
        return self._finish(key, self._send(key, body, place))

    def refresh(self) -> HelpCall | None:
        """Read back whether staff acknowledged (or closed) the current call; it stays as it
        was when the platform cannot be asked now (blocks on the network)."""
        with self._lock:
            call, key = self._call, self._key
        if call is None or call.help_request_id is None or self._client is None:
            return call
        try:
            request = self._client.get_help_request(call.help_request_id)
        except PlatformError:
            return call
        updated = _from_platform(call.place, request)
        with self._lock:
            if self._key != key:
                return self._call
            if updated.state != call.state and updated.state in ("acknowledged", "on_the_way",
                                                                 "closed"):
                emit("help_request_acknowledged", help_request_id=updated.help_request_id,
                     status=updated.state)
            self._call = updated
            return updated

    def forget(self) -> None:
        """The citizen's visit ended: the next tap is a new call, the last one stays at the
        platform for staff."""
        with self._lock:
            self._call, self._key, self._body = None, "", None

    def _send(self, key: str, body: m.HelpRequestCreate, place: HelpPlace) -> HelpCall:
        if self._client is None:
            return HelpCall("failed", place, failure="no_link")
        try:
            return _from_platform(place, self._client.raise_help_request(body, key))
        except RequestRefused:
            return HelpCall("failed", place, failure="refused")
        except PlatformError:
            return HelpCall("failed", place, failure="unreachable")

    def _finish(self, key: str, outcome: HelpCall) -> HelpCall:
        if outcome.state == "failed":
            emit("help_request_complete", "failure", reason=outcome.failure)
        else:
            emit("help_request_complete", "success", help_request_id=outcome.help_request_id)
        with self._lock:
            if self._key == key:
                self._call = outcome
            return outcome


def _from_platform(place: HelpPlace, request: m.HelpRequest) -> HelpCall:
    state: HelpState = "sent" if request.status == "open" else request.status
    if state == "acknowledged" and request.on_the_way_at is not None:
        state = "on_the_way"  # staff said so in the operations console (contract 1.4)
    return HelpCall(state, place, request.help_request_id,
                    acknowledged_by=request.acknowledged_by)
