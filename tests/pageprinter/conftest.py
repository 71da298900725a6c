"""An emulated A4 printer (ippeveprinter) shared by a module, and certificate PDFs to print."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import cache

import pikepdf
import pytest

from drivers.pageprinter.emulator import PagePrinterEmulator
from drivers.pageprinter.printer import PagePrinter
from kiosk.refplatform.certificates import render_pdf
from drivers.pageprinter.ipp import IppClient
from tests.support import EventRecorder, wait_until


@cache
def certificate_pdf(pages: int = 1, code: str = "A4TEST01") -> bytes:
    """The reference platform's certificate PDF, its page repeated to `pages` pages."""
    one = render_pdf({"title": "参保证明", "holder_name": "张三",
                      "holder_masked": "张* 110101********123X", "receipt_no": "SL0042",
                      "issuer": "测试人社局", "issued_at": "2026-12-01",
                      "verification_code": code}, f"http://platform.test/verify/{code}")
    if pages == 1:
        return one
    src = pikepdf.open(io.BytesIO(one))
    out = pikepdf.new()
    for _ in range(pages):
        out.pages.extend(src.pages)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory) -> Iterator[PagePrinterEmulator]:
    emu = PagePrinterEmulator(tmp_path_factory.mktemp("a4"), page_seconds=0.1)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def a4(emulator) -> Iterator[tuple[PagePrinter, EventRecorder]]:
    emulator.fix()
    prn = PagePrinter("page_printer", emulator.uri, poll_interval_s=0.1,
                      reopen_interval_s=0.1, request_timeout_s=0.5, job_timeout_s=10.0,
                      check_interval_s=0.05)
    events = EventRecorder()
    prn.subscribe(events)
    prn.start()
    assert prn.wait_for(lambda s: s.usable, 5.0), prn.status
    yield prn, events
    prn.stop()
    emulator.wake()
    emulator.fix()
    # a job the test gave up on (a silent printer) finishes now, not in the next test
    client = IppClient(emulator.uri)
    assert wait_until(lambda: client.printer_attributes(["printer-state"]).get(
        "printer-state") == "idle", 15)
