"""Issue 20 item 7: at 9600 baud (an allowed setting) a job of a few kilobytes that printed
whole is reported printed, not failed with an unknown outcome; and the emulator answers "job
done" only once the job's bytes have crossed the line. The emulator on a pty paced at 9600
baud, the real driver."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.document import Cut, Document, Text
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from drivers.printer.transport import SerialTransport

BAUD = 9600


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[tuple[PrinterEmulator, ThermalPrinter]]:
    emu = PrinterEmulator(tmp_path, paper_width_mm=80, baudrate=BAUD)
    emu.start()
    printer = ThermalPrinter("printer", SerialTransport(emu.endpoints()["pty"], BAUD),
                             poll_interval_s=0.5, status_timeout_s=0.5, job_timeout_s=3.0,
                             check_interval_s=0.1)
    printer.start()
    assert printer.wait_for(lambda s: s.usable, 5.0), printer.status
    yield emu, printer
    printer.stop()
    emu.stop()


def long_job() -> Document:
    lines = [Text(f"第{n:02d}行 自助终端打印测试 slow serial line check {n:02d}") for n in range(70)]
    return Document((*lines, Cut()), title="slow")


def test_a_long_job_at_9600_baud_is_confirmed_after_its_wire_time(slow) -> None:
    emu, printer = slow
    started = time.monotonic()
    result = printer.print(long_job(), "slow-1").result(timeout=60)
    took = time.monotonic() - started
    wire = printer.transport.wire_seconds(result.bytes_sent)
    assert result.bytes_sent > 3000 and result.confirmed_by == "process_id"
    assert took >= wire * 0.9, f"'job done' after {took:.2f} s, before the {wire:.2f} s wire time"
    (job,) = emu.job_log()
    assert job["cut"] and not job["truncated"] and len(job["lines"]) >= 70
