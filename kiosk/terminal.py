"""The running terminal in one object: its devices, the citizen sessions, who is at the screen
and what can be offered. The app builds one; tests and the CLI can build one without Kivy."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from drivers.device import Device, EventKind
from drivers.pageprinter.printer import PagePrinter
from drivers.smartcard.card_auth import load_issuer_root_file
from kiosk.audit.from_config import open_trail
from kiosk.audit.recorder import AuditRecorder
from kiosk.config import KioskConfig, LoadedConfig
from kiosk.devices.registry import build_devices
from kiosk.fleet.service import FleetService
from kiosk.fleet.records import heartbeat_versions
from kiosk.events.forward import EventForwarder
from kiosk.health.heartbeat import HeartbeatSender, heartbeat_body
from kiosk.health.supervisor import DeviceSupervisor
from kiosk.journeys.apply import ApplyJourney
from kiosk.journeys.collect import resolve_interrupted_prints
from kiosk.platform_link import LinkUnavailable, PlatformLink
from kiosk.prints import PrintJournal, PrintJournalError
from kiosk.remote.service import RemoteActions
from kiosk.remote.wiring import RemoteHooks, remote_actions
from kiosk.services.holder import HolderCheck
from kiosk.session.platform_citizen import holder_verified
from kiosk.services.availability import Availability
from kiosk.services.documents import DocumentService
from kiosk.services.help import HelpDesk
from kiosk.services.identity import IdentityService, load_eid_public_key
from kiosk.session import Session, SessionManager
from kiosk.voice import Voice

log = logging.getLogger(__name__)

PRINT_JOURNAL_NAME = "prints.sqlite3"


class Terminal:
    def __init__(self, config: KioskConfig, loaded: LoadedConfig | None = None) -> None:
        """`loaded`: how `config` was loaded (which applied fleet layer, if any), for the fleet
        watcher that restarts the terminal when the updater changes it."""
        self.config = config
        self.devices: list[Device] = build_devices(config)
        self.sessions = SessionManager(config)
        # No trail, no citizens: a trail that cannot be written puts the terminal out of service.
        self.audit = AuditRecorder.open(lambda: open_trail(config))
        self.sessions.subscribe(self.audit.on_session)
        key_file = config.session.eid_public_key_file
        # Built before the devices start, so a card already on the reader is seen.
        self.identity = IdentityService(
            self.devices, self.sessions, load_eid_public_key(key_file) if key_file else None,
            card_issuer_root=_card_issuer_root(config),
            senior_from_age=config.ui.offer_elder_from_age)
        self.availability = Availability(self.devices, config)
        self.documents = DocumentService(self.devices,
                                         jpeg_quality=config.devices.doc_camera.jpeg_quality)
        self.printer = next((d for d in self.devices if getattr(d, "kind", "") == "printer"),
                            None)
        # where certificates go when the site has one (kiosk.receipts.a4_certificate)
        self.page_printer = next((d for d in self.devices
                                  if getattr(d, "kind", "") == "page_printer"), None)
        self.voice = _voice(config)
        self.link: PlatformLink | None = None
        self.link_problem: str | None = "not_started"  # why there is no link (a reason code)
        self.prints: PrintJournal | None = None  # certificates printed once (kiosk.prints)
        self.supervisor = DeviceSupervisor(self.devices)
        self.heartbeat: HeartbeatSender | None = None
        self.usage_events: EventForwarder | None = None  # [platform] post_events
        self.started_at = time.monotonic()
        self.help = HelpDesk(None)  # 呼叫工作人员; reaches the platform once the link is up
        self.out_of_service: Callable[[], bool] = lambda: False  # the admin screen's switch
        self.last_error: Callable[[], str | None] = lambda: None  # masked, for the heartbeat
        # commands from the operations console (kiosk/remote), once the link is up
        self.remote: RemoteActions | None = None
        self.remote_hooks = RemoteHooks()  # a UI fills them in before start()
        self.fleet = FleetService.for_terminal(
            config, self.sessions, self.devices, loaded.fleet_sha256 if loaded else "",
            bool(loaded and loaded.fleet_problem))

    def start(self) -> None:
        for device in self.devices:
            device.start()
        try:
            self.link = PlatformLink.open(self.config)
            self.link_problem = None
        except LinkUnavailable as exc:
            self.link_problem = exc.reason
            log.warning("terminal %s: no platform link (%s): %s", self.config.terminal.id,
                        exc.reason, exc)
        self._open_print_journal()
        self.supervisor.start()
        if self.fleet is not None:
            self.fleet.start()
        if self.link is not None:
            client = self.link.client
            self.help = HelpDesk(client)
            self.heartbeat = HeartbeatSender(self.heartbeat_body, client.post_heartbeat,
                                             self.config.platform.heartbeat_interval_s)
            self.heartbeat.start()
            nudge = self.heartbeat.nudge
            for device in self.devices:  # a device's new state reaches staff at once
                device.subscribe(lambda event: nudge()
                                 if event.kind == EventKind.STATUS_CHANGED else None)
            self.remote = remote_actions(self.config, client, self.sessions, self.audit,
                                         self.remote_hooks)
            if self.remote is not None:
                self.remote.start()
            if self.config.platform.post_events:
                self.usage_events = EventForwarder(self.link.outbox).install()
        log.info("terminal %s: %d devices started", self.config.terminal.id, len(self.devices))

    def _open_print_journal(self) -> None:
        """Open the print journal and settle what a killed process left, before any citizen.
        Without it, certificates are not printed (collect_journey refuses)."""
        path = Path(self.config.terminal.data_dir) / PRINT_JOURNAL_NAME
        try:
            self.prints = PrintJournal(path)
        except (PrintJournalError, OSError) as exc:
            log.error("terminal %s: print journal unavailable: %s", self.config.terminal.id, exc)
            return
        page_printer = self.page_printer
        resolve_interrupted_prints(self.prints, self.link.outbox if self.link else None,
                                   self.audit, page_printer.completed_whole
                                   if isinstance(page_printer, PagePrinter) else None)

    def heartbeat_body(self) -> dict:
        """What the platform hears about this terminal now (see kiosk.health.heartbeat)."""
        depth, stuck = 0, None
        if self.link is not None:
            depth = self.link.outbox.stats().pending
            items = self.link.sender.stuck_items()
            if items:
                stuck = (len(items), time.time() - min(i.created_at for i in items))
        unknown = len(self.prints.outcome_unknown(limit=10_000)) \
            if self.prints is not None else None
        self.audit.recover()
        audit_down = self.audit.problem
        return heartbeat_body(self.devices, outbox_depth=depth,
                              versions=heartbeat_versions(self.config.fleet_dir),
                              uptime_s=time.monotonic() - self.started_at,
                              last_error=audit_down or self.last_error(),
                              out_of_service=self.out_of_service() or audit_down is not None,
                              audit_head=self.audit.head(), outbox_stuck=stuck,
                              prints_unknown=unknown,
                              site={"hall": self.config.terminal.hall_name[:64],
                                    "ring": self.config.fleet.ring})

    def apply_journey(self, session: Session) -> ApplyJourney:
        """A new apply journey for `session` (JourneyProblem when the outbox is full)."""
        if self.link is None or self.printer is None:
            raise RuntimeError("apply needs the platform link and a printer")
        return ApplyJourney(session, self.link.client, self.link.outbox, self.printer,
                            self.config.receipts, self.config.platform.kiosk_id
                            or self.config.terminal.id, audit=self.audit)

    def holder_check(self) -> HolderCheck | None:
        """The holder check of this terminal's platform link; None without a link (nothing
        personal is reachable then either)."""
        if self.link is None:
            return None
        card = next((d for d in self.devices if getattr(d, "kind", "") == "smartcard"), None)
        return HolderCheck(self.link.client, card)  # type: ignore[arg-type]

    def holder_factors(self, journey: str) -> tuple[str, ...]:
        """The proofs journey `journey` accepts (`[holder]` of the configuration)."""
        return tuple(getattr(self.config.holder, journey))

    def holder_needed(self, session: Session, journey: str) -> bool:
        """An identified citizen who has not yet proved, at the platform, to hold the identity
        by a factor `journey` accepts (only where there is a platform to prove it to)."""
        return self.link is not None and session.identity is not None \
            and not holder_verified(session, self.holder_factors(journey))

    def stop(self) -> None:
        """Between citizens or at shutdown: whoever is at the screen is ended and wiped first."""
        if self.fleet is not None:
            self.fleet.stop()
        self.sessions.close()
        if self.remote is not None:
            self.remote.stop()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.supervisor.stop()
        self.identity.close()
        self.availability.close()
        self.documents.close()
        self.voice.stop()
        for device in self.devices:
            device.stop()
        if self.usage_events is not None:
            self.usage_events.close()  # the last batch into the outbox before it closes
            self.usage_events = None
        if self.link is not None:
            self.link.close()
            self.link = None
        if self.prints is not None:
            self.prints.close()
            self.prints = None
        self.audit.close()


def _card_issuer_root(config: KioskConfig):  # type: ignore[no-untyped-def]
    """The smart-card issuer's root; a missing or broken file refuses every smart card (the
    log says why) instead of stopping the terminal: ID cards and e-ID codes still serve."""
    try:
        return load_issuer_root_file(config.devices.smartcard.issuer_root_file)
    except (OSError, ValueError) as exc:
        log.error("no smart card will be accepted: the card issuer root cannot be read (%s)",
                  exc)
        return None


def _voice(config: KioskConfig) -> Voice:
    c = config.voice
    return Voice(cache_dir=Path(c.cache_dir or Path(config.terminal.run_dir) / "voice"),
                 enabled=c.enabled, engine_command=c.engine_command,
                 player_command=c.player_command, rate_wpm=c.rate_wpm,
                 slow_rate_wpm=c.elder_rate_wpm, volume=c.volume,
                 voices={"zh-CN": c.zh_voice, "en": c.en_voice},
                 player_retry_s=c.player_retry_s)
