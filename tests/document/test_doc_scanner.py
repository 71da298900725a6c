"""The flatbed/ADF scanner end to end through SANE's test backend (libsane, python-sane)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.device import DeviceEvent, DeviceState, DeviceUnavailable, EventKind
from drivers.document import sane_env
from drivers.document.emulator import ScannerEmulator
from drivers.document.scanner import SaneScanner, ScanError, reason_for

pytestmark = pytest.mark.sane

MM_PER_INCH = 25.4


@pytest.fixture
def scanner(scanner_emulator: ScannerEmulator) -> Iterator[SaneScanner]:
    dev = SaneScanner(device=ScannerEmulator.DEVICE,
                      sane_config_dir=str(scanner_emulator.config_dir), dpi=100,
                      poll_interval=0.2, reopen_interval=0.2)
    dev.start()
    assert dev.wait_for(lambda s: s.usable, 10), dev.status
    yield dev
    dev.stop()


def events_of(dev: SaneScanner) -> list[DeviceEvent]:
    seen: list[DeviceEvent] = []
    dev.subscribe(seen.append)
    return seen


def test_a_flatbed_page_is_scanned_at_the_configured_resolution(scanner: SaneScanner) -> None:
    pages = scanner.scan("job-1").result(30)
    assert len(pages) == 1
    page = pages[0]
    expected = round(200 / MM_PER_INCH * 100)  # the test backend's 200 mm scan area at 100 dpi
    assert abs(page.size[0] - expected) <= 2 and abs(page.size[1] - expected) <= 2
    assert page.source == "scanner" and page.dpi == 100
    assert scanner.status.state is DeviceState.ONLINE
    assert scanner.capabilities["adf"] is True


def test_the_feeder_scans_several_pages_and_announces_each(scanner: SaneScanner) -> None:
    seen = events_of(scanner)
    pages = scanner.scan("job-adf", pages=3).result(30)
    assert len(pages) == 3
    captured = [e for e in seen if e.kind is EventKind.PAGE_CAPTURED]
    assert [e.data["page"] for e in captured] == [1, 2, 3]
    assert [e.kind for e in seen if e.kind is EventKind.JOB_DONE] == [EventKind.JOB_DONE]


def test_a_retried_job_id_does_not_scan_twice(scanner: SaneScanner) -> None:
    seen = events_of(scanner)
    first = scanner.scan("same-id", pages=2)
    again = scanner.scan("same-id", pages=2)
    assert again is first
    assert len(first.result(30)) == 2
    assert len([e for e in seen if e.kind is EventKind.JOB_DONE]) == 1


def test_a_jammed_feeder_is_a_user_error_until_reset(
        scanner: SaneScanner, scanner_emulator: ScannerEmulator) -> None:
    seen = events_of(scanner)
    scanner_emulator.jam()
    with pytest.raises(ScanError) as err:
        scanner.scan("jam-1", pages=2).result(30)
    assert err.value.reason == "paper_jam" and err.value.pages == []
    assert scanner.status.state is DeviceState.USER_ERROR
    assert scanner.status.reason == "paper_jam"
    failed = [e for e in seen if e.kind is EventKind.JOB_FAILED]
    assert failed and failed[0].data == {"reason": "paper_jam", "pages_scanned": 0}
    scanner_emulator.clear()
    assert not scanner.wait_for(lambda s: s.usable, 0.6), "a jam must not clear by itself"
    with pytest.raises(DeviceUnavailable):
        scanner.scan("jam-2").result(10)
    scanner.reset().result(10)
    assert scanner.status.state is DeviceState.ONLINE
    assert len(scanner.scan("after-jam").result(30)) == 1


def test_an_empty_feeder_scans_nothing(scanner: SaneScanner,
                                       scanner_emulator: ScannerEmulator) -> None:
    scanner_emulator.empty_feeder()
    with pytest.raises(ScanError) as err:
        scanner.scan("empty", pages=1, adf=True).result(30)
    assert err.value.reason == "feeder_empty" and err.value.pages == []
    assert scanner.status.usable  # nothing is broken: the citizen puts pages in


def test_the_feeder_running_out_midway_keeps_the_complete_pages(scanner: SaneScanner) -> None:
    with pytest.raises(ScanError) as err:  # the test backend's feeder holds 10 sheets
        scanner.scan("too-many", pages=12).result(60)
    assert err.value.reason == "feeder_empty"
    assert len(err.value.pages) == 10


def test_scan_everything_in_the_feeder(scanner: SaneScanner) -> None:
    assert len(scanner.scan("all", pages=0).result(60)) == 10


def test_an_open_cover_is_reported(scanner: SaneScanner,
                                   scanner_emulator: ScannerEmulator) -> None:
    scanner_emulator.cover_open()
    with pytest.raises(ScanError) as err:
        scanner.scan("cover").result(30)
    assert err.value.reason == "cover_open"
    assert scanner.status.state is DeviceState.USER_ERROR
    scanner_emulator.clear()  # closing the cover: the next probe finds it fine
    assert scanner.wait_for(lambda s: s.usable, 5)


def test_a_scanner_that_is_not_there_is_no_device(scanner_emulator: ScannerEmulator) -> None:
    dev = SaneScanner(device="test:7", sane_config_dir=str(scanner_emulator.config_dir),
                      poll_interval=0.2, reopen_interval=0.2)
    dev.start()
    try:
        assert dev.wait_for(lambda s: s.state is DeviceState.NO_DEVICE, 10), dev.status
        assert "test:7" in (dev.status.detail or "")
        with pytest.raises(DeviceUnavailable):
            dev.scan().result(5)
    finally:
        dev.stop()


def test_a_second_sane_config_dir_in_one_process_is_refused(
        scanner_emulator: ScannerEmulator, tmp_path: Path) -> None:
    sane_env.activate(scanner_emulator.config_dir)  # the same directory again is fine
    with pytest.raises(sane_env.SaneEnvError, match="reads it once"):
        sane_env.activate(tmp_path)


def test_sane_messages_map_to_reason_codes() -> None:
    assert reason_for(Exception("Document feeder jammed")) == "paper_jam"
    assert reason_for(Exception("Document feeder out of documents")) == "feeder_empty"
    assert reason_for(Exception("Scanner cover is open")) == "cover_open"
    assert reason_for(Exception("Error during device I/O")) == "io_error"
    assert reason_for(Exception("something new")) == "scan_failed"


def test_unknown_scanner_conditions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scanner condition"):
        sane_env.write_test_config(tmp_path, "on_fire")


def sigpipe_ignored() -> bool:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & (1 << (13 - 1)))
    raise AssertionError("no SigIgn line")


def test_a_scan_leaves_sigpipe_ignored_so_a_closed_socket_cannot_kill_the_kiosk(
        scanner: SaneScanner) -> None:
    # sanei_thread resets SIGPIPE to SIG_DFL after a scan; libsane lives in a worker process
    assert sigpipe_ignored()
    scanner.scan("sigpipe", pages=2).result(30)
    assert sigpipe_ignored()


def test_sane_worker_restores_sigpipe_itself(scanner_emulator: ScannerEmulator) -> None:
    # in-process check of the helper the worker uses after every libsane call
    sane_env.keep_sigpipe_ignored()
    assert sigpipe_ignored()


def test_a_hung_scanner_is_cut_off_and_recovered(scanner_emulator: ScannerEmulator) -> None:
    dev = SaneScanner(device=ScannerEmulator.DEVICE,
                      sane_config_dir=str(scanner_emulator.config_dir), dpi=100,
                      poll_interval=0.2, reopen_interval=0.2, page_timeout=1.0)
    dev.start()
    try:
        assert dev.wait_for(lambda s: s.usable, 10), dev.status
        scanner_emulator.slow()  # ~2 s per page against a 1 s deadline
        started = time.monotonic()
        with pytest.raises(ScanError) as err:
            dev.scan("hung").result(30)
        assert err.value.reason == "timeout" and err.value.pages == []
        assert time.monotonic() - started < 20
        scanner_emulator.clear()
        assert dev.wait_for(lambda s: s.usable, 15), dev.status  # a fresh worker took over
        assert len(dev.scan("after-hang").result(30)) == 1
    finally:
        dev.stop()
