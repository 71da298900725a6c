"""One life of a kiosk collecting a certificate, run as its own process so a test can SIGKILL
it mid-print: the real outbox and sender, the print journal, a ThermalPrinter on the printer
emulator's pty, the reference platform over loopback.

    python -m tests.journeys.print_worker SITE.json CERTIFICATE_ID

With `a4_uri` in SITE.json the certificate goes to that A4 page printer (IPP) instead.
Says `PRINTING` just before the certificate goes to the printer, then the outcome;
`REPRINT_NEEDED` when the certificate counts as printed before. Exits once the outbox is empty.
The crash test forks its lives from a server that has these modules imported already
(`run_life`): a life then costs what the kiosk does, not a Python start and its imports.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from drivers.pageprinter.printer import PagePrinter
from drivers.printer.printer import ThermalPrinter
from drivers.printer.transport import SerialTransport
from kiosk.client.platform import PlatformClient
from kiosk.config import KioskConfig
from kiosk.config.schema import (OutboxConfig, PlatformConfig, SessionConfig, TerminalConfig)
from kiosk.delivery import start_sender
from kiosk.journeys.collect import CollectJourney, resolve_interrupted_prints
from kiosk.journeys.problems import JourneyProblem
from kiosk.outbox import open_outbox
from kiosk.prints import PrintJournal
from kiosk.receipts.a4_certificate import PageCertificatePrinter
from kiosk.receipts.certificate import ThermalCertificatePrinter
from kiosk.refplatform.store import Store
from kiosk.services.holder import HolderCheck
from kiosk.session import Identity, SessionManager
from tests.session.conftest import card_of
from tests.support import texted_code

MOBILE = "13800000001"


def _print(line: str) -> None:
    print(line, flush=True)


def run_life(site_path: str, certificate_id: str, conn: Connection) -> None:
    """A life in a forked process: what it says goes down `conn`, line by line."""
    code = main(site_path, certificate_id, say=lambda line: conn.send_bytes(line.encode()))
    conn.close()
    sys.exit(code)


def main(site_path: str, certificate_id: str, say: Callable[[str], None] = _print) -> int:
    site = json.loads(Path(site_path).read_text(encoding="utf-8"))
    root = Path(site["root"])
    config = KioskConfig(
        terminal=TerminalConfig(id=site["kiosk_id"], data_dir=str(root / "data"),
                                run_dir=str(root / "run")),
        platform=PlatformConfig(base_url=site["base_url"], kiosk_id=site["kiosk_id"],
                                credential_file=site["credential"], timeout_s=3.0,
                                connect_timeout_s=0.5, retries=0),
        outbox=OutboxConfig(key_file=site["outbox_key"], min_free_mb=1,
                            backoff_initial_s=0.05, backoff_max_s=0.3),
        session=SessionConfig(directory=str(root / "sessions")))
    outbox = open_outbox(config)
    journal = PrintJournal(root / "data" / "prints.sqlite3")
    # what Terminal.start does (asking the A4 printer, when there is one, about its jobs)
    resolve_interrupted_prints(journal, outbox, None, PagePrinter(
        "page_printer", site["a4_uri"]).completed_whole if site.get("a4_uri") else None)
    sender = start_sender(config, outbox)
    printer: ThermalPrinter | PagePrinter
    if site.get("a4_uri"):
        printer = PagePrinter("page_printer", site["a4_uri"], poll_interval_s=0.2,
                              reopen_interval_s=0.05, job_timeout_s=20.0,
                              check_interval_s=0.05)
    else:
        printer = ThermalPrinter("printer", SerialTransport(site["pty"]), poll_interval_s=0.2,
                                 reopen_interval_s=0.05, status_timeout_s=0.5,
                                 job_timeout_s=10.0, check_interval_s=0.05)
    printer.start()
    if not printer.wait_for(lambda s: s.usable, 5.0):
        say(f"PRINTER_DOWN {printer.status}")
        return 2
    client = PlatformClient.from_config(config, retries=0)
    session = SessionManager(config).start(Identity.from_id_card(card_of("resident")))
    check = HolderCheck(client)
    check.send_code(session)
    check.verify(session, texted_code(Store(Path(site["platform_db"])), MOBILE))
    certificates = (PageCertificatePrinter(printer, centre_name=site["centre"])
                    if isinstance(printer, PagePrinter)
                    else ThermalCertificatePrinter(printer, centre_name=site["centre"]))
    journey = CollectJourney(session, client, certificates, config.platform.base_url,
                             outbox=outbox, journal=journal)
    journey.certificates()
    try:
        journey.choose(certificate_id)
    except JourneyProblem as problem:
        say("REPRINT_NEEDED" if problem.code == "journey.collect.reason_needed"
            else f"PROBLEM {problem.code}")
    else:
        say("PRINTING")
        done = journey.print_certificate()
        say(f"OUTCOME {done.outcome} {done.recorded} {done.queued}")
    deadline = time.monotonic() + 20
    while outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    say("DRAINED" if not outbox.depth() else "NOT_DRAINED")
    sender.stop()
    printer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
