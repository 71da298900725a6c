"""Everything staff can do on the hidden admin screen, without Kivy: the screens call this,
tests and the CLI can too. Staff sign in with their own staff card and its PIN
(kiosk.admin.staff_card); every action is written to the audit trail (actor kind `staff`, the
staff id the card's certificate names) and logged as the catalogued event `admin_action`.
Taking the staff card out of the reader signs its holder out.

Configuration read here (with defaults while the keys are not in the schema): `[admin]`
`paper_roll_jobs`, `paper_low_at`, `nearest_counter`, `restart_command`, `reboot_command`,
`recent_errors`.
"""

from __future__ import annotations

import logging
import platform as _platform
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.device import Device, DeviceEvent, EventKind
from drivers.smartcard.card_auth import load_issuer_root_file
from kiosk import __version__
from kiosk.admin.device_tests import TESTABLE, TestResult, run_device_test
from kiosk.admin.out_of_service import STATE_NAME as OOS_NAME
from kiosk.admin.out_of_service import NO_TRAIL_MESSAGE, OutOfService, OutOfServiceStore
from kiosk.admin.paper import A4_STATE_NAME
from kiosk.admin.paper import STATE_NAME as PAPER_NAME
from kiosk.admin.paper import PaperCounter, PaperUse
from kiosk.admin.recent_errors import ErrorRecord, RecentErrors
from kiosk.admin.staff_card import PinOutcome, StaffCardGate, StaffMember, StaffRefused
from kiosk.events import emit
from kiosk.fleet.records import heartbeat_versions, last_failure
from kiosk.logs import mask_text

log = logging.getLogger(__name__)

HISTORY = 20  # status changes kept per device
ANONYMOUS = "unknown"  # the actor of a refused staff card: nobody has proved who they are
# Keys whose configuration layer the versions panel names.
SHOWN_KEYS = ("terminal.id", "platform.base_url", "admin.staff_issuer_root_file",
              "admin.idle_timeout_s",
              "session.idle_timeout_s", "devices.printer.transport", "fleet.enabled")


class NotLoggedIn(PermissionError):
    """An action was asked for without a staff member logged in."""


def staff_gate(config: Any, devices: Sequence[Device]) -> StaffCardGate:
    """The staff card gate over the terminal's smart-card reader and `[admin]
    staff_issuer_root_file`; a root that cannot be read opens no admin screen (logged)."""
    reader = next((d for d in devices if getattr(d, "kind", "") == "smartcard"), None)
    try:
        root = load_issuer_root_file(_setting(config, "staff_issuer_root_file", ""))
    except (OSError, ValueError) as exc:
        log.error("no staff can sign in: the staff issuer root cannot be read (%s)", exc)
        root = None
    return StaffCardGate(reader, root)


@dataclass(frozen=True)
class StatusChange:
    at: float  # wall clock
    state: str
    reason: str | None


@dataclass(frozen=True)
class DeviceRow:
    name: str
    kind: str
    state: str
    reason: str | None
    detail: str | None
    testable: bool
    history: tuple[StatusChange, ...] = ()  # newest first


@dataclass(frozen=True)
class RefusedItem:
    id: int
    reference: str
    kind: str
    reason: str | None  # the platform's refusal, masked


@dataclass(frozen=True)
class StuckItem:
    """A pending item tried and still failing `stuck_after_s` after it was queued (the rest
    of the queue goes on around it on other lanes)."""
    id: int
    reference: str
    kind: str
    queued_at: float
    attempts: int
    error: str | None  # the last failure, masked


@dataclass(frozen=True)
class OutboxSummary:
    present: bool  # False: no platform link (see `problem`)
    pending: int = 0
    oldest_pending_at: float | None = None
    refused: tuple[RefusedItem, ...] = ()
    last_error: str | None = None
    problem: str | None = None
    stuck: tuple[StuckItem, ...] = ()
    stuck_after_s: float | None = None


@dataclass(frozen=True)
class UnknownPrint:
    """A print nobody could confirm (kiosk killed mid-job, printer silent): treated as
    printed, so the citizen gets a reprint with a reason; staff check the printer."""
    certificate_id: str
    action_id: str
    at: float
    state: str  # outcome_unknown (record not yet queued) | queued | recorded
    detail: str | None


@dataclass(frozen=True)
class Versions:
    app: str
    config: str | None  # the fleet configuration version applied, if any
    python: str
    terminal: str
    layers: tuple[tuple[str, str], ...]  # (name, file) from lowest to highest
    sources: dict[str, str] = field(default_factory=dict)  # key -> layer that set it
    fleet_failure: dict[str, str] | None = None  # the last update refused or taken back


def _setting(config: Any, name: str, default: Any) -> Any:
    return getattr(getattr(config, "admin", None), name, default)


class AdminService:
    """`terminal`: a kiosk.terminal.Terminal (or anything with config, devices, audit, link).
    `loaded`: the LoadedConfig, for the layers in force (None: layers unknown)."""

    def __init__(self, terminal: Any, loaded: Any = None, *,
                 restart_command: Sequence[str] | None = None,
                 reboot_command: Sequence[str] | None = None,
                 clock: Callable[[], float] = time.time,
                 gate: StaffCardGate | None = None) -> None:
        self.terminal = terminal
        self.config = terminal.config
        self.loaded = loaded
        self._clock = clock
        data_dir = Path(self.config.terminal.data_dir)
        self.gate = gate or staff_gate(self.config, list(terminal.devices))
        self.restart_command = tuple(restart_command if restart_command is not None
                                     else _setting(self.config, "restart_command", ()))
        self.reboot_command = tuple(reboot_command if reboot_command is not None
                                    else _setting(self.config, "reboot_command",
                                                  ("systemctl", "reboot")))
        self.nearest_counter_default = str(_setting(self.config, "nearest_counter", ""))
        self.errors = RecentErrors(int(_setting(self.config, "recent_errors", 50))).install()
        self.paper = PaperCounter(data_dir / PAPER_NAME,
                                  roll_jobs=int(_setting(self.config, "paper_roll_jobs", 400)),
                                  low_at=float(_setting(self.config, "paper_low_at", 0.9)),
                                  clock=clock)
        self.a4_paper = PaperCounter(data_dir / A4_STATE_NAME,
                                     roll_jobs=int(_setting(self.config, "a4_tray_sheets", 250)),
                                     low_at=float(_setting(self.config, "paper_low_at", 0.9)),
                                     clock=clock)
        self._oos = OutOfServiceStore(data_dir / OOS_NAME)
        self.staff: str | None = None  # the staff id signed in
        self.card: StaffMember | None = None  # the genuine staff card shown, PIN not yet right
        self._lock = threading.Lock()
        self._history: dict[str, deque[StatusChange]] = {
            d.name: deque(maxlen=HISTORY) for d in self.devices}
        self._unsubscribe: list[Callable[[], None]] = []
        for device in self.devices:
            self._unsubscribe.append(device.subscribe(self._watcher(device)))
        self._paper_low_said = self.paper.use().low
        self._a4_low_said = self.a4_paper.use().low

    @property
    def devices(self) -> list[Device]:
        return list(self.terminal.devices)

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.errors.uninstall()

    # ---- who is at the screen ----------------------------------------------------------------

    @property
    def configured(self) -> bool:
        """No staff issuer root or no smart-card reader: the admin screen cannot be opened."""
        return self.gate.configured

    def read_staff_card(self) -> StaffMember:
        """Step 1: the card in the reader proves it is a staff card (blocking: APDUs; from a
        worker). StaffRefused otherwise, and no PIN is asked for."""
        self.card = None
        try:
            member = self.gate.authenticate()
        except StaffRefused as exc:
            emit("admin_staff_card_refused", reason=exc.reason, detail=exc.detail)
            self._record("staff", exc.staff_id or ANONYMOUS, "admin.staff_card_refused",
                         {"reason": exc.reason, "detail": exc.detail})
            raise
        self.card = member
        self._record("staff", member.staff_id, "admin.staff_card", {})
        return member

    def login(self, pin: str) -> PinOutcome:
        """Step 2: the staff card checks its own PIN and proves it did (blocking; from a
        worker). NotLoggedIn without a staff card read first; StaffRefused if the card fails
        its proof (another card, a forgery)."""
        member = self.card
        if member is None:
            raise NotLoggedIn("show a staff card first")
        try:
            outcome = self.gate.verify_pin(member, pin)
        except StaffRefused as exc:
            self.card = None
            self._record("staff", member.staff_id, "admin.login_failed",
                         {"reason": exc.reason, "detail": exc.detail})
            raise
        if outcome.ok:
            self.staff = member.staff_id
            emit("admin_login", staff=self.staff)
            self._audit("admin.login", {"card": member.card_number})
        else:
            emit("admin_login_failed", staff=member.staff_id, tries_left=outcome.tries_left,
                 blocked=outcome.blocked)
            self._record("staff", member.staff_id, "admin.login_failed",
                         {"tries_left": outcome.tries_left, "blocked": outcome.blocked})
            if outcome.blocked:
                self.card = None
        return outcome

    def logout(self, reason: str = "staff") -> None:
        """`reason`: staff (pressed close), idle (the screen closed itself), card_removed."""
        self.card = None
        if self.staff is None:
            return
        emit("admin_logout", staff=self.staff, reason=reason)
        self._audit("admin.logout", {"reason": reason})
        self.staff = None

    def entry_requested(self) -> None:
        """The hidden gesture was made (before any PIN): logged, not audited to anyone."""
        emit("admin_entry_requested")

    # ---- devices -----------------------------------------------------------------------------

    def device_rows(self) -> list[DeviceRow]:
        rows = []
        for device in self.devices:
            s = device.status
            with self._lock:
                history = tuple(reversed(self._history.get(device.name, ())))
            rows.append(DeviceRow(device.name, getattr(device, "kind", "device"), str(s.state),
                                  s.reason, mask_text(s.detail) if s.detail else None,
                                  getattr(device, "kind", "") in TESTABLE, history))
        return rows

    def run_test(self, name: str, *, qr_wait_s: float = 20.0) -> TestResult:
        """Blocking (a print, a scan, waiting for a code): call from a worker."""
        device = self._device(name)
        self._require_staff()
        result = run_device_test(device, terminal_name=self.config.terminal.name,
                                 qr_wait_s=qr_wait_s)
        self._audit("admin.device_test", {"device": name, "ok": result.ok,
                                          "reason": result.reason})
        emit("admin_action", staff=self.staff, action="device_test", target=name)
        return result

    def _device(self, name: str) -> Device:
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(f"no device named {name!r}")

    def _watcher(self, device: Device) -> Callable[[DeviceEvent], None]:
        def on_event(event: DeviceEvent) -> None:
            if event.kind == EventKind.CARD_REMOVED and getattr(device, "kind", "") == "smartcard":
                self.logout("card_removed")  # the staff card left: so did its holder
            elif event.kind == EventKind.STATUS_CHANGED:
                status = event.data.get("status", {})
                with self._lock:
                    self._history[device.name].append(StatusChange(
                        event.at, str(status.get("state")), status.get("reason")))
            elif event.kind == EventKind.JOB_DONE and getattr(device, "kind", "") == "printer":
                use = self.paper.count(int(event.data.get("bytes", 0) or 0))
                if use.low and not self._paper_low_said:
                    self._paper_low_said = True
                    emit("paper_low", device=device.name)
            elif event.kind == EventKind.JOB_DONE and getattr(device, "kind",
                                                              "") == "page_printer":
                use = self.a4_paper.count(0, jobs=int(event.data.get("pages", 0) or 0))
                if use.low and not self._a4_low_said:
                    self._a4_low_said = True
                    emit("paper_low", device=device.name)
        return on_event

    # ---- paper -------------------------------------------------------------------------------

    def paper_use(self) -> PaperUse:
        return self.paper.use()

    def paper_replaced(self) -> PaperUse:
        self._require_staff()
        before = self.paper.use()
        use = self.paper.replaced()
        self._paper_low_said = False
        self._audit("admin.paper_replaced", {"jobs_on_old_roll": before.jobs})
        emit("admin_action", staff=self.staff, action="paper_replaced", target="printer")
        return use

    def has_page_printer(self) -> bool:
        return any(getattr(d, "kind", "") == "page_printer" for d in self.devices)

    def a4_paper_use(self) -> PaperUse:
        return self.a4_paper.use()

    def a4_paper_loaded(self) -> PaperUse:
        """Staff filled the A4 tray: count sheets from zero."""
        self._require_staff()
        before = self.a4_paper.use()
        use = self.a4_paper.replaced()
        self._a4_low_said = False
        self._audit("admin.paper_replaced", {"sheets_since_last_fill": before.jobs,
                                             "printer": "page_printer"})
        emit("admin_action", staff=self.staff, action="paper_replaced", target="page_printer")
        return use

    # ---- the outbox --------------------------------------------------------------------------

    def outbox_summary(self) -> OutboxSummary:
        link = self.terminal.link
        if link is None:
            return OutboxSummary(False, problem=getattr(self.terminal, "link_problem", None))
        stats = link.outbox.stats()
        refused = tuple(RefusedItem(i.id, i.reference, i.kind,
                                    mask_text(i.last_error) if i.last_error else None)
                        for i in link.outbox.items(["refused"], limit=20))
        stuck = tuple(StuckItem(i.id, i.reference, i.kind, i.created_at, i.attempts,
                                mask_text(i.last_error) if i.last_error else None)
                      for i in link.sender.stuck_items())
        return OutboxSummary(True, stats.pending, stats.oldest_pending_at, refused,
                             mask_text(stats.last_error) if stats.last_error else None,
                             problem=getattr(link.outbox, "problem", None)
                             or getattr(link.sender, "storage_problem", None),
                             stuck=stuck, stuck_after_s=link.sender.stuck_after_s)

    def unknown_prints(self) -> tuple[UnknownPrint, ...]:
        """The newest prints whose outcome is unknown (the print journal, kiosk.prints)."""
        journal = getattr(self.terminal, "prints", None)
        if journal is None:
            return ()
        try:
            entries = journal.outcome_unknown()
        except Exception as exc:  # an unreadable journal must not close the admin screen
            log.warning("admin: print journal unreadable: %s", type(exc).__name__)
            return ()
        return tuple(UnknownPrint(e.subject, e.action_id, e.started_at, e.state, e.detail)
                     for e in entries)

    def send_now(self) -> int:
        """Every waiting item is due now (backoff skipped) and the sender wakes. Refused ones
        stay refused: the platform said no, and sending the same again would not change that.
        Returns how many were made due."""
        self._require_staff()
        link = self.terminal.link
        if link is None:
            raise RuntimeError("no platform link")
        items = link.outbox.items(["pending"], limit=100_000)
        for item in items:
            link.outbox.requeue(item.id)
        link.sender.notify()
        self._audit("admin.outbox_send_now", {"items": len(items)})
        emit("admin_action", staff=self.staff, action="outbox_send_now", target=str(len(items)))
        return len(items)

    # ---- what went wrong, what runs ----------------------------------------------------------

    def last_errors(self) -> list[ErrorRecord]:
        return self.errors.records()

    def last_error_text(self) -> str | None:
        """For the heartbeat (`terminal.last_error`)."""
        return self.errors.last_text()

    def reachability(self) -> Any:
        """The platform reachable, then authenticated (kiosk.doctor): blocking, from a worker."""
        from kiosk.doctor import check_platform

        return check_platform(self.config)

    def versions(self) -> Versions:
        layers: tuple[tuple[str, str], ...] = ()
        sources: dict[str, str] = {}
        if self.loaded is not None:
            layers = tuple((layer.name, str(layer.path)) for layer in self.loaded.layers)
            sources = {key: self.loaded.source_of(key) for key in SHOWN_KEYS}
        fleet_dir = self.config.fleet_dir
        return Versions(__version__, heartbeat_versions(fleet_dir).get("config"),
                        _platform.python_version(), self.config.terminal.id, layers, sources,
                        last_failure(fleet_dir))

    # ---- out of service ----------------------------------------------------------------------

    def out_of_service(self) -> OutOfService | None:
        """None while citizens are served; else what home shows instead of the tiles: staff's
        choice, or the terminal's own when it cannot keep its audit trail (no trail, no
        citizens; it comes back by itself once the trail takes entries again)."""
        state = self._oos.get()
        audit = getattr(self.terminal, "audit", None)
        problem = getattr(audit, "problem", None)
        if state is None and problem:
            return OutOfService(NO_TRAIL_MESSAGE, self.nearest_counter_default, self._clock(),
                                "system", problem)
        return state

    def is_out_of_service(self) -> bool:
        """For the heartbeat (`terminal.out_of_service`)."""
        return self.out_of_service() is not None

    def set_out_of_service(self, message: str, nearest_counter: str | None = None) -> OutOfService:
        """The message citizens read is the staff member's reason, in the trail too."""
        self._require_staff()
        counter = self.nearest_counter_default if nearest_counter is None else nearest_counter
        state = OutOfService(" ".join(message.split()), " ".join(counter.split()),
                             self._clock(), self.staff or "")
        self._oos.set(state)
        self._audit("admin.out_of_service", {"reason": state.message,
                                             "nearest_counter": state.nearest_counter})
        emit("admin_action", staff=self.staff, action="out_of_service", target="terminal")
        return state

    def back_in_service(self) -> None:
        self._require_staff()
        self._oos.clear()
        self._audit("admin.in_service", {})
        emit("admin_action", staff=self.staff, action="in_service", target="terminal")

    # ---- the process and the machine ---------------------------------------------------------

    def restart_app(self) -> bool:
        """Audited first. With a `restart_command` it is run and False is returned; without one
        (the default) True: the caller stops the app, and systemd (Restart=always) starts it
        again."""
        self._require_staff()
        self._audit("admin.restart_app", {})
        emit("admin_action", staff=self.staff, action="restart_app", target="app")
        if self.restart_command:
            self._run(self.restart_command)
            return False
        return True

    def reboot(self) -> None:
        self._require_staff()
        self._audit("admin.reboot", {})
        emit("admin_action", staff=self.staff, action="reboot", target="terminal")
        self._run(self.reboot_command)

    def _run(self, command: Sequence[str]) -> None:
        try:
            subprocess.run(list(command), check=True, timeout=30, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("admin: %s failed: %s", command[0], type(exc).__name__)
            raise

    # ---- audit -------------------------------------------------------------------------------

    def _require_staff(self) -> None:
        if self.staff is None:
            raise NotLoggedIn("sign in with a staff card and its PIN first")

    def _audit(self, action: str, details: dict[str, Any]) -> None:
        self._record("staff", self.staff or ANONYMOUS, action, details)

    def _record(self, kind: str, actor: str, action: str, details: dict[str, Any]) -> None:
        audit = getattr(self.terminal, "audit", None)
        if audit is not None:
            audit.record(kind, actor, action, details)
