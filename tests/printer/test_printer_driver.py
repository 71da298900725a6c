"""What a citizen and a technician see from the printer, on a pty and on TCP 9100."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from drivers.device import DeviceError, DeviceState, OutcomeUnknown
from drivers.printer.document import Cut, Document, Text
from drivers.printer.samples import sample_receipt
from tests.printer.conftest import make_printer

RECEIPT = sample_receipt(number="SL0042")


def test_receipt_prints_and_the_job_png_shows_it(printer, emulator):
    prn, events = printer
    result = prn.print(RECEIPT, "job-1").result(5)
    assert result.confirmed_by == "process_id" and result.paper == "ok"
    assert events.kinds("job-1") == ["job_done"]
    (job,) = emulator.job_log()
    assert job["cut"] and not job["truncated"]
    assert "受理编号：SL0042" in job["lines"]
    path = Path(job["path"])
    assert path.name == "0001.png" and path.exists()
    image = Image.open(path).convert("L")
    assert image.width == 576
    ink = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink is not None and ink[1] < 40  # the heading is inked at the top


def test_same_action_id_twice_prints_once(printer, emulator):
    prn, events = printer
    first = prn.print(RECEIPT, "once")
    second = prn.print(RECEIPT, "once")
    assert second is first
    first.result(5)
    prn.print(RECEIPT, "once").result(5)
    assert len(emulator.jobs()) == 1
    assert events.kinds("once") == ["job_done"]


def test_paper_out_before_the_job_refuses_and_prints_nothing(printer, emulator):
    prn, events = printer
    emulator.paper_out()
    with pytest.raises(DeviceError) as err:
        prn.print(RECEIPT, "refused").result(5)
    assert err.value.reason == "paper_out"
    assert emulator.jobs() == []
    assert events.kinds("refused") == ["job_failed"]
    assert "paper_out" in events.kinds()
    assert prn.status.state == DeviceState.USER_ERROR and prn.status.reason == "paper_out"


def test_paper_out_mid_job_fails_the_job_and_reload_prints_the_next(printer, emulator):
    prn, events = printer
    emulator.paper_out(after_bytes=150)
    with pytest.raises(DeviceError) as err:
        prn.print(RECEIPT, "mid").result(5)
    assert err.value.reason == "paper_out"
    assert events.kinds("mid") == ["job_failed"]  # never job_done
    log = emulator.job_log()
    assert len(log) == 1 and log[0]["truncated"] and not log[0]["cut"]
    emulator.reload_paper()
    assert prn.wait_for(lambda s: s.usable, 2.0)
    prn.print(RECEIPT, "mid").result(5)  # a failed id may be retried: nothing was completed
    assert events.kinds("mid") == ["job_failed", "job_done"]
    assert emulator.job_log()[-1]["cut"]


def test_cover_open_refuses_then_closing_it_prints(printer, emulator):
    prn, events = printer
    emulator.cover_open(True)
    assert prn.wait_for(lambda s: s.reason == "cover_open", 2.0)
    with pytest.raises(DeviceError) as err:
        prn.print(RECEIPT, "c1").result(5)
    assert err.value.reason == "cover_open"
    emulator.cover_open(False)
    assert prn.wait_for(lambda s: s.usable, 2.0)
    prn.print(RECEIPT, "c2").result(5)
    assert len(emulator.jobs()) == 1


def test_paper_near_end_warns_once_but_still_prints(printer, emulator):
    prn, events = printer
    emulator.paper_near_end(True)
    assert events.wait("paper_low", timeout=2.0)
    time.sleep(0.3)  # several more polls: still one warning
    assert events.kinds().count("paper_low") == 1
    assert prn.status.usable and prn.status.reason == "paper_near_end"
    assert prn.print(RECEIPT, "low").result(5).paper == "paper_near_end"


def test_silent_printer_goes_offline_after_missed_polls_not_paper_ok(printer, emulator):
    prn, events = printer
    emulator.silent(True)
    assert prn.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3.0), prn.status
    assert prn.status.reason == "no_answer"
    with pytest.raises(DeviceError):
        prn.print(RECEIPT, "s1").result(5)
    emulator.silent(False)
    assert prn.wait_for(lambda s: s.usable, 3.0)
    prn.print(RECEIPT, "s2").result(5)
    assert len(emulator.jobs()) == 1


def test_one_missed_poll_is_not_offline(emulator, link):
    prn = make_printer(emulator, link, missed_polls_to_offline=50)
    prn.start()
    try:
        assert prn.wait_for(lambda s: s.usable, 3.0)
        emulator.silent(True)
        time.sleep(0.5)
        assert prn.status.usable  # debounced
    finally:
        emulator.silent(False)
        prn.stop()


def test_unplug_and_replug_are_recovered(printer, emulator):
    prn, events = printer
    emulator.unplug()
    assert prn.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3.0), prn.status
    emulator.replug()
    assert prn.wait_for(lambda s: s.usable, 3.0), prn.status
    prn.print(RECEIPT, "after-replug").result(5)
    assert len(emulator.jobs()) == 1


def test_garbage_status_bytes_do_not_kill_the_driver(printer, emulator):
    prn, events = printer
    emulator.garbage(True)
    assert prn.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3.0)
    assert "BadStatusByte" in (prn.status.detail or "")
    with pytest.raises(DeviceError):
        prn.print(RECEIPT, "g").result(5)
    assert emulator.jobs() == []
    emulator.garbage(False)
    assert prn.wait_for(lambda s: s.usable, 3.0)
    prn.print(Document((Text("ok"), Cut())), "g").result(5)


def test_status_fallback_mode_never_reports_done_after_paper_ran_out(emulator, link):
    prn = make_printer(emulator, link, confirm="status")
    prn.start()
    try:
        assert prn.wait_for(lambda s: s.usable, 3.0)
        assert prn.print(RECEIPT, "st1").result(5).confirmed_by == "status"
        emulator.paper_out(after_bytes=100)
        with pytest.raises(DeviceError):
            prn.print(RECEIPT, "st2").result(5)
    finally:
        prn.stop()


def test_actions_never_block_the_caller(printer):
    prn, _ = printer
    started = time.monotonic()
    futures = [prn.print(RECEIPT, f"q{i}") for i in range(5)]
    _ = prn.status
    assert time.monotonic() - started < 0.05
    for f in futures:
        f.result(10)


def test_network_printer_dropping_the_connection_is_reconnected_without_going_offline(
        emulator):
    prn = make_printer(emulator, "tcp", missed_polls_to_offline=1)
    states = []
    prn.subscribe(lambda e: states.append(e.data.get("status", {}).get("state")))
    prn.start()
    try:
        assert prn.wait_for(lambda s: s.usable, 3.0)
        for _ in range(3):
            emulator.drop_connections()
            time.sleep(0.15)
        assert "offline" not in states and prn.status.usable
        prn.print(RECEIPT, "net").result(5)
        assert len(emulator.jobs()) == 1
    finally:
        prn.stop()


def test_a_job_the_printer_never_confirms_is_not_done_and_never_printed_twice(printer, emulator):
    """A clone that ignores GS ( H: the bytes went out, nobody knows if it printed whole."""
    prn, events = printer
    emulator.ignore_process_id()
    with pytest.raises(OutcomeUnknown) as err:
        prn.print(RECEIPT, "job-u").result(10)
    assert err.value.reason == "unconfirmed"
    (failed,) = events.of("job_failed")
    assert failed.data["outcome_unknown"] is True
    assert len(emulator.job_log()) == 1
    with pytest.raises(OutcomeUnknown):  # the same id is spent: no second copy
        prn.print(RECEIPT, "job-u").result(10)
    assert len(emulator.job_log()) == 1
    assert events.kinds("job-u") == ["job_failed"]
