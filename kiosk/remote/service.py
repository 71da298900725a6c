"""The terminal's side of remote actions: poll the platform for console commands, check each
one, carry it out between citizen sessions, and report the outcome (both audit trails).

Runs on its own thread, never on the UI's. The UI lends two hooks: `restart` (leave between
sessions, exit code 75 for systemd or kiosk.fleet.supervise) and `screenshot` (the window as
PNG, taken on the main thread); without a UI both actions are refused as `unsupported`.
A command is carried out only while nobody is at the screen (`busy()` false): until then it
waits at the platform, in order, except a screenshot, which is refused outright while a
citizen's session is open, so that no citizen's screen ever leaves the terminal.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (Encoding, PublicFormat,
                                                          load_pem_public_key)

from kiosk.admin.out_of_service import OutOfService, OutOfServiceStore
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError
from kiosk.events import emit
from kiosk.remote.envelope import Command, CommandRefused, verify
from kiosk.remote.ledger import Ledger, LedgerError, Outcome

log = logging.getLogger(__name__)
SCREENSHOT_TIMEOUT_S = 15.0


class ScreenshotRefused(Exception):
    """The UI would not take the picture (a citizen touched the screen meanwhile)."""


def load_console_key(path: str | Path) -> Ed25519PublicKey:
    """The console's public key (PEM) from the site file's trust anchors."""
    key = load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of the console key (the replay ledger's marks belong to one key)."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class RemoteActions:
    """`fetch()` returns the pending envelopes (the platform's getKioskCommands), `report(id,
    body)` posts an outcome (postKioskCommandResult)."""

    def __init__(self, *, kiosk_id: str, console_key: Ed25519PublicKey,
                 fetch: Callable[[], list[Mapping[str, Any]]],
                 report: Callable[[str, dict[str, Any]], Any], ledger: Ledger,
                 out_of_service: OutOfServiceStore, audit: AuditRecorder,
                 busy: Callable[[], bool], nearest_counter: str = "",
                 poll_interval_s: float = 15.0,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.kiosk_id, self.console_key = kiosk_id, console_key
        self._fetch, self._report = fetch, report
        self.ledger, self.oos, self.audit = ledger, out_of_service, audit
        self.busy = busy  # True while a citizen (or staff at the admin screen) is there
        self.nearest_counter = nearest_counter
        self.poll_interval_s = poll_interval_s
        self.clock = clock
        self.restart: Callable[[], None] | None = None  # set by the UI
        self.screenshot: Callable[[], bytes] | None = None  # set by the UI
        # set by the UI: the terminal was taken out of or put back into service (called on
        # this thread; the UI hands it to its main loop)
        self.service_changed: Callable[[], None] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one poll at a time (thread, wake-ups, tests)

    # -- the loop ------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="remote-actions", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Poll now (a session just ended: what waited may run)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except PlatformError as exc:
                log.info("remote actions: platform unreachable (%s)", type(exc).__name__)
            except Exception:  # a bug here must not end the loop
                log.exception("remote actions: poll failed")
            self._wake.wait(self.poll_interval_s)
            self._wake.clear()

    # -- one round -----------------------------------------------------------------------------

    def poll_once(self) -> list[tuple[str, Outcome]]:
        """Handle the pending commands in order; returns what was decided this round. Stops at
        the first that must wait for the screen to be free (the order is the console's)."""
        with self._lock:
            decided: list[tuple[str, Outcome]] = []
            for envelope in self._fetch():
                command_id = _label(envelope)
                earlier = self.ledger.outcome(command_id) if command_id else None
                if earlier is not None:  # decided before, the report was lost: say it again
                    self._send(command_id, earlier, None)
                    continue
                outcome = self._handle(envelope, command_id)
                if outcome is None:
                    break  # waits for the citizen to finish
                decided.append((command_id, outcome))
            return decided

    def _handle(self, envelope: Mapping[str, Any], label: str) -> Outcome | None:
        try:
            command = verify(envelope, self.console_key, self.kiosk_id, self.clock())
        except CommandRefused as exc:
            return self._refuse_unchecked(label, exc.reason)
        try:
            if command.seq <= self.ledger.last_seq():
                raise CommandRefused("replayed")
        except (CommandRefused, LedgerError) as exc:
            reason = exc.reason if isinstance(exc, CommandRefused) else "ledger_unavailable"
            return self._refuse_unchecked(label, reason)
        if self.busy():
            if command.action != "screenshot":
                return None
            return self._conclude(command, Outcome("refused", "session_open"))
        return getattr(self, f"_do_{command.action}")(command)

    # -- the four actions ----------------------------------------------------------------------

    def _do_out_of_service(self, command: Command) -> Outcome:
        self.oos.set(OutOfService(command.message, self.nearest_counter,
                                  self.clock().timestamp(), _actor(command)))
        outcome = self._conclude(command, Outcome("executed"))
        self._tell_service_changed()
        return outcome

    def _do_in_service(self, command: Command) -> Outcome:
        self.oos.clear()
        outcome = self._conclude(command, Outcome("executed"))
        self._tell_service_changed()
        return outcome

    def _tell_service_changed(self) -> None:
        """The attract loop shows the notice (or the slides again) without waiting for a
        touch; a failing UI hook must not undo a decided command."""
        if self.service_changed is None:
            return
        try:
            self.service_changed()
        except Exception:
            log.exception("remote actions: the UI was not told of the service change")

    def _do_restart(self, command: Command) -> Outcome:
        if self.restart is None:
            return self._conclude(command, Outcome("refused", "unsupported"))
        outcome = self._conclude(command, Outcome("executed"))  # recorded before it happens
        self.restart()
        return outcome

    def _do_screenshot(self, command: Command) -> Outcome:
        if self.screenshot is None:
            return self._conclude(command, Outcome("refused", "unsupported"))
        try:
            png = self.screenshot()
        except ScreenshotRefused:
            return self._conclude(command, Outcome("refused", "session_open"))
        except (OSError, TimeoutError) as exc:
            log.warning("remote screenshot failed: %s", type(exc).__name__)
            return self._conclude(command, Outcome("refused", "screenshot_failed"))
        return self._conclude(command, Outcome("executed"), png)

    # -- records -------------------------------------------------------------------------------

    def _conclude(self, command: Command, outcome: Outcome, png: bytes | None = None) -> Outcome:
        """Ledger first (so nothing runs twice), then both trails, then the platform."""
        try:
            self.ledger.decide(command.command_id, command.seq, outcome)
        except LedgerError as exc:
            log.error("remote actions: %s; %s not reported", exc, command.command_id)
            raise
        details: dict[str, Any] = {"command_id": command.command_id, "seq": command.seq,
                                   "outcome": outcome.outcome}
        if outcome.reason:
            details["reason"] = outcome.reason
        if command.message:
            details["message"] = command.message
        self.audit.record("staff", _actor(command), f"remote.{command.action}", details)
        emit("remote_command", action=command.action, outcome=outcome.outcome,
             reason=outcome.reason or None)
        if not self._send(command.command_id, outcome, png) and png is not None:
            # the picture is gone with this process's memory: say so when reported again
            self.ledger.decide(command.command_id, None, Outcome("refused", "upload_failed"))
        return outcome

    def _refuse_unchecked(self, label: str, reason: str) -> Outcome:
        """A command whose signature, terminal, time or sequence does not hold: refused, on the
        record under the system's name (nobody proved who sent it), and not in the ledger's
        sequence (a forgery cannot move the replay mark)."""
        outcome = Outcome("refused", reason)
        self.audit.record("system", "remote", "remote.refused",
                          {"command_id": label or "none", "reason": reason})
        emit("remote_command", action="unknown", outcome="refused", reason=reason)
        if label:
            try:
                self.ledger.decide(label, None, outcome)
            except LedgerError:
                pass
            self._send(label, outcome, None)
        return outcome

    def _send(self, command_id: str, outcome: Outcome, png: bytes | None) -> bool:
        body: dict[str, Any] = {"outcome": outcome.outcome}
        if outcome.reason:
            body["reason"] = outcome.reason
        if png is not None:
            body["screenshot_png"] = base64.b64encode(png).decode("ascii")
        try:
            self._report(command_id, body)
            return True
        except PlatformError as exc:
            log.info("remote actions: result of %s not delivered (%s)", command_id,
                     type(exc).__name__)
            return False


def _actor(command: Command) -> str:
    return f"console:{command.issued_by}"[:64]


def _label(envelope: Any) -> str:
    """The platform's id for an envelope, if it is one (used only to report back)."""
    label = envelope.get("command_id") if isinstance(envelope, Mapping) else None
    return label if isinstance(label, str) and label.isascii() and 0 < len(label) <= 64 \
        and all(c.isalnum() or c in "_-" for c in label) else ""
