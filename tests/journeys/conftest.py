"""One terminal on the bench: a real reference platform (can go down and come back on the same
port), a real outbox with its real sender, a real session from the resident test card, and a
ThermalPrinter talking to the printer emulator over a pty."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from limits import parse
from PIL import Image

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from kiosk.client.platform import PlatformClient
from kiosk.config import KioskConfig
from kiosk.config.schema import (OutboxConfig, PlatformConfig, ReceiptsConfig, SessionConfig,
                                 TerminalConfig)
from kiosk.delivery import start_sender
from kiosk.journeys import ApplyJourney, CatalogueCache
from kiosk.outbox import Outbox, Sender, open_outbox
from kiosk.refplatform import operator
from kiosk.refplatform.auth import enrol
from kiosk.refplatform.rate_limits import RULES, RateLimits
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from kiosk.services.holder import HolderCheck
from kiosk.session import Identity, Session, SessionManager
from tests.delivery.drill import free_port
from tests.support import texted_code
from tests.printer.conftest import make_printer
from tests.session.conftest import card_of

KIOSK_ID = "JOURNEY-0001"
SERVICE_ID = "nurse-practice-registration"
APPLICANT = "110101199003071233"  # assets/cards/resident.json, known to the seed platform
NAME = "测试样例"
MOBILE = "13800000001"


def jpeg(seed: int, side_px: int = 64) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (side_px, side_px), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass
class Terminal:
    root: Path
    emulator: PrinterEmulator
    printer: ThermalPrinter
    port: int = field(default_factory=free_port)
    platform: Any = None
    sender: Sender | None = None

    def __post_init__(self) -> None:
        self.platform_db = self.root / "platform.sqlite3"
        secrets_dir = self.root / "secrets"
        secrets_dir.mkdir(parents=True)
        credential = secrets_dir / "platform.credential"
        credential.write_text(enrol(Store(self.platform_db), KIOSK_ID))
        credential.chmod(0o600)
        self.config = KioskConfig(
            terminal=TerminalConfig(id=KIOSK_ID, data_dir=str(self.root / "data"),
                                    run_dir=str(self.root / "run")),
            platform=PlatformConfig(base_url=f"http://127.0.0.1:{self.port}/api/v1",
                                    kiosk_id=KIOSK_ID, credential_file=str(credential),
                                    timeout_s=2.0, connect_timeout_s=0.5, retries=0),
            outbox=OutboxConfig(key_file=str(secrets_dir / "outbox.key"), min_free_mb=1,
                                backoff_initial_s=0.05, backoff_max_s=0.3),
            session=SessionConfig(directory=str(self.root / "sessions")),
            receipts=ReceiptsConfig(centre_name="测试政务服务中心",
                                    centre_name_en="Test Government Service Centre",
                                    hotline="12345"))
        self.client = PlatformClient.from_config(self.config, retries=0)
        self.outbox = open_outbox(self.config)
        self.sessions = SessionManager(self.config)
        self.cache = CatalogueCache()

    # -- the platform and the sender ----------------------------------------------------------

    def platform_up(self) -> None:
        if self.platform is None:
            # one citizen visits many times a minute here: the limits are tested elsewhere
            roomy = RateLimits({rule: (parse("10000/minute"),) for rule in RULES})
            self.platform = start_in_thread(self.platform_db, port=self.port,
                                            rate_limits=roomy)

    def platform_down(self) -> None:
        if self.platform is not None:
            self.platform.stop()
            self.platform = None

    def start_sender(self) -> None:
        assert self.sender is None, "one sender per outbox (a second would outlive the test)"
        self.sender = start_sender(self.config, self.outbox)

    def applications(self) -> list[dict[str, Any]]:
        return operator.list_applications(Store(self.platform_db))

    # -- a citizen ----------------------------------------------------------------------------

    def session(self, *, verified: bool = True) -> Session:
        """The resident's session; with the platform up and `verified`, the holder proved at
        the platform (the code the platform texted, read off its SMS gateway emulator)."""
        session = self.sessions.start(Identity.from_id_card(card_of("resident")))
        if verified and self.platform is not None:
            check = HolderCheck(self.client)
            check.send_code(session)
            check.verify(session, texted_code(Store(self.platform_db), MOBILE))
        return session

    def citizen_view(self) -> PlatformClient:
        """The platform as the resident sees it in a verified session of their own, apart from
        the terminal session under test (to check what was filed, booked or collected)."""
        opened = self.client.open_citizen_session(APPLICANT, "id_card")
        client = self.client.for_citizen(opened.token)
        client.send_holder_code()
        client.verify_holder(texted_code(Store(self.platform_db), MOBILE))
        return client

    def journey(self, session: Session, *, outbox: Outbox | None = None,
                receipts: ReceiptsConfig | None = None, **options: Any) -> ApplyJourney:
        options.setdefault("catalogue_cache", self.cache)
        return ApplyJourney(session, self.client, outbox or self.outbox, self.printer,
                            receipts or self.config.receipts, KIOSK_ID, **options)

    def printed_lines(self) -> list[str]:
        """The text lines of the last slip the emulator printed."""
        return self.emulator.job_log()[-1]["lines"]

    def close(self) -> None:
        if self.sender is not None:
            self.sender.stop()
        self.sessions.close()
        self.platform_down()
        self.client.close()
        self.outbox.close()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator(tmp_path / "printer", paper_width_mm=80)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def terminal(tmp_path: Path, emulator: PrinterEmulator) -> Iterator[Terminal]:
    printer = make_printer(emulator, "pty")
    printer.start()
    assert printer.wait_for(lambda s: s.usable, 3.0), printer.status
    ground = Terminal(tmp_path / "terminal", emulator, printer)
    try:
        yield ground
    finally:
        ground.close()
        printer.stop()


@pytest.fixture
def running(terminal: Terminal) -> Terminal:
    """Platform up, sender running."""
    terminal.platform_up()
    terminal.start_sender()
    return terminal


def fill_in(journey: ApplyJourney) -> None:
    """The nurse's form and materials, the way a citizen completes them."""
    journey.choose(SERVICE_ID)
    journey.start_form()
    for name, raw in (("employer_credit_code", "12310000425000000X"),
                      ("practice_field", "急诊护理"), ("qualification_no", "201331100123")):
        assert journey.set_value(name, raw) is None
    journey.materials()
    journey.use_elicence("resident_id")
    journey.use_elicence("qualification")
    journey.promise("health_exam")
    journey.add_page("employer_letter", jpeg(1))
    journey.add_page("employer_letter", jpeg(2))
    journey.add_page("photo", jpeg(3))
    assert journey.review().ok


def sessions_left(terminal: Terminal) -> list[str]:
    root = Path(terminal.config.session.directory)
    return sorted(os.listdir(root)) if root.exists() else []
