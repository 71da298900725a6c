"""The collect journey on the A4 page printer (ippeveprinter) against the reference platform:
the platform's own PDF comes out whole once, the QR on the page verifies, a reprint carries
its reason to the platform and its mark on the page, and paper running out mid-certificate is
told and then prints one whole copy."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from drivers.pageprinter.emulator import PagePrinterEmulator, read_back, tools_present
from drivers.pageprinter.printer import PagePrinter
from kiosk.journeys.collect import CollectJourney
from kiosk.prints import PrintJournal
from kiosk.receipts.a4_certificate import PageCertificatePrinter
from kiosk.refplatform.store import Store
from tests.journeys.conftest import Terminal
from tests.journeys.test_collect_journey import collections, issue_certificate

pytestmark = pytest.mark.skipif(not tools_present(), reason="cups-ipp-utils not installed")


@pytest.fixture(scope="module")
def a4_emulator(tmp_path_factory) -> Iterator[PagePrinterEmulator]:
    emu = PagePrinterEmulator(tmp_path_factory.mktemp("a4"), page_seconds=0.1)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def page_printer(a4_emulator: PagePrinterEmulator) -> Iterator[PagePrinter]:
    a4_emulator.fix()
    prn = PagePrinter("page_printer", a4_emulator.uri, poll_interval_s=0.1,
                      request_timeout_s=1.0, job_timeout_s=15.0, check_interval_s=0.05)
    prn.start()
    assert prn.wait_for(lambda s: s.usable, 5)
    yield prn
    prn.stop()
    a4_emulator.fix()


def collect(terminal: Terminal, printer: PagePrinter, tmp_path: Path) -> CollectJourney:
    return CollectJourney(terminal.session(), terminal.client,
                          PageCertificatePrinter(printer, centre_name="测试政务服务中心"),
                          terminal.config.platform.base_url,
                          journal=PrintJournal(tmp_path / "prints.sqlite3"))


def jobs_since(emulator: PagePrinterEmulator, before: int) -> list[dict]:
    return emulator.printed()[before:]


def test_the_platforms_pdf_prints_on_a4_once_and_its_qr_verifies(
        running: Terminal, page_printer: PagePrinter, a4_emulator: PagePrinterEmulator,
        tmp_path: Path) -> None:
    issued = issue_certificate(running.citizen_view(), Store(running.platform_db))
    before = len(a4_emulator.printed())
    journey = collect(running, page_printer, tmp_path)
    (listed,) = journey.certificates()
    preview = journey.choose(listed.certificate_id)
    assert preview.paper == "a4"
    picture = Image.open(io.BytesIO(preview.png))
    assert picture.height / picture.width == pytest.approx(297 / 210, rel=0.01)
    done = journey.print_certificate()
    assert (done.outcome, done.recorded) == ("printed", True)
    (job,) = jobs_since(a4_emulator, before)
    assert job["outcome"] == "completed" and job["printed_pages"] == job["pages"] == 1
    page = read_back(a4_emulator.spooled(job["job_id"]))
    (qr,) = page["qr"]
    code = qr.rsplit("/", 1)[-1]
    assert qr == f"{running.config.platform.base_url}/verify/{code}"
    verified = running.client.verify_certificate(code)
    assert (verified.status, verified.title) == ("valid", listed.title["zh-CN"])
    assert listed.receipt_no == issued
    assert [c["reprint_reason"] for c in collections(running)] == [None]
    # printing again needs a reason; the reason reaches the platform, the page is stamped
    journey2 = collect(running, page_printer, tmp_path)
    journey2.certificates()
    journey2.choose(listed.certificate_id, "damaged")
    again = journey2.print_certificate()
    assert again.outcome == "printed" and again.recorded
    assert [c["reprint_reason"] for c in collections(running)] == [None, "damaged"]
    (first, second) = jobs_since(a4_emulator, before)
    spooled = a4_emulator.spooled(second["job_id"]).read_bytes()
    assert spooled != a4_emulator.spooled(first["job_id"]).read_bytes()  # the stamp


def test_paper_out_mid_certificate_is_told_then_one_whole_copy_prints(
        running: Terminal, page_printer: PagePrinter, a4_emulator: PagePrinterEmulator,
        tmp_path: Path) -> None:
    issue_certificate(running.citizen_view(), Store(running.platform_db))
    before = len(a4_emulator.printed())
    journey = collect(running, page_printer, tmp_path)
    (listed,) = journey.certificates()
    journey.choose(listed.certificate_id)
    a4_emulator.paper_after(0)  # the tray runs dry as the page is drawn in
    cut = journey.print_certificate()
    assert (cut.outcome, cut.reason, cut.recorded) == ("paper_out", "paper_out", False)
    assert collections(running) == []  # the platform was not told
    a4_emulator.fix()
    assert page_printer.wait_for(lambda s: s.usable, 5)
    whole = journey.print_certificate()
    assert (whole.outcome, whole.recorded) == ("printed", True)
    assert [(j["outcome"], j["printed_pages"]) for j in jobs_since(a4_emulator, before)] == [
        ("canceled", 0), ("completed", 1)]
    assert len(collections(running)) == 1


def test_after_a_kill_the_page_printer_settles_what_it_completed_and_nothing_else(
        page_printer: PagePrinter, a4_emulator: PagePrinterEmulator, tmp_path: Path) -> None:
    """Two prints a killed process left `started`: the printer completed one of them whole
    (its job carries the action id), the other never reached it. The first is settled as
    confirmed; the second stays "outcome unknown" (treated as printed, shown to staff): the
    printer's silence is never read as "not printed"."""
    from kiosk.journeys.collect import resolve_interrupted_prints
    from tests.pageprinter.conftest import certificate_pdf
    journal = PrintJournal(tmp_path / "prints.sqlite3")
    journal.begin("certificate", "C1", "k1", "certificate-k1", None)
    journal.begin("certificate", "C2", "k2", "certificate-k2", None)
    page_printer.print_pdf(certificate_pdf(1), "certificate-k1").result(15)
    resolve_interrupted_prints(journal, None, None, page_printer.completed_whole)
    done, lost = journal.get("certificate-k1"), journal.get("certificate-k2")
    assert done is not None and (done.state, done.unknown) == ("confirmed", 0)
    assert lost is not None and (lost.state, lost.unknown) == ("outcome_unknown", 1)
    assert journal.first_print("certificate", "C2") is not None  # never a second first copy
