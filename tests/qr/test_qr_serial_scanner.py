"""The serial QR scanner end to end on a pseudo-terminal, like a USB-serial module."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import wait_until

from drivers.device import DeviceEvent, DeviceState, EventKind
from drivers.qr.serial_emulator import QrSerialEmulator
from drivers.qr.serial_scanner import QrSerialScanner




def scans(events: list[DeviceEvent]) -> list[dict]:
    return [dict(e.data) for e in events if e.kind == EventKind.CODE_SCANNED]


def texts(events: list[DeviceEvent]) -> list[str | None]:
    return [s["text"] for s in scans(events)]


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[QrSerialEmulator]:
    emu = QrSerialEmulator(tmp_path, baudrate=115200)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def events() -> list[DeviceEvent]:
    return []


def make_scanner(emulator: QrSerialEmulator, events: list[DeviceEvent], **kw: object
                 ) -> QrSerialScanner:
    options: dict = {"baudrate": emulator.baudrate, "repeat_suppress_s": 1.0,
                     "reopen_interval": 0.1, **kw}
    dev = QrSerialScanner(port=emulator.port, **options)
    dev.subscribe(events.append)
    dev.start()
    assert dev.wait_for(lambda s: s.state == DeviceState.ONLINE, 3), dev.status
    return dev


@pytest.fixture
def scanner(emulator: QrSerialEmulator, events: list[DeviceEvent]) -> Iterator[QrSerialScanner]:
    dev = make_scanner(emulator, events)
    yield dev
    dev.stop()


def test_each_scan_is_one_event_with_the_text(emulator: QrSerialEmulator,
                                              scanner: QrSerialScanner,
                                              events: list[DeviceEvent]) -> None:
    emulator.scan("预约号:A0123")
    emulator.scan("https://zwfw.example.gov.cn/q/1")
    assert wait_until(lambda: len(scans(events)) == 2, 3)
    first = scans(events)[0]
    assert first == {"text": "预约号:A0123", "format": "unknown", "source": "qr_serial",
                     "encoding": "utf-8"}
    assert texts(events)[1] == "https://zwfw.example.gov.cn/q/1"


def test_the_same_code_scanned_twice_in_a_row_is_reported_once(
        emulator: QrSerialEmulator, scanner: QrSerialScanner, events: list[DeviceEvent]) -> None:
    emulator.scan("TICKET-1")
    emulator.scan("TICKET-1")
    emulator.scan("TICKET-2")
    assert wait_until(lambda: len(scans(events)) == 2, 3)
    time.sleep(0.3)
    assert texts(events) == ["TICKET-1", "TICKET-2"]
    time.sleep(1.1)  # after the suppression window the same code counts again
    emulator.scan("TICKET-1")
    assert wait_until(lambda: texts(events) == ["TICKET-1", "TICKET-2", "TICKET-1"], 3)


def test_gbk_from_an_older_module_is_read(emulator: QrSerialEmulator, scanner: QrSerialScanner,
                                         events: list[DeviceEvent]) -> None:
    emulator.scan("居住证签注预约", encoding="gb18030")
    assert wait_until(lambda: scans(events), 3)
    assert scans(events)[0]["text"] == "居住证签注预约"
    assert scans(events)[0]["encoding"] == "gb18030"


@pytest.mark.parametrize("raw_hex, reason", [
    ("1b5b324a68690d", "control_character"),  # ESC [2J hi CR
    ("fffefd0d", "bad_encoding"),
    ("e280ae6578650d", "control_character"),  # RLO exe CR
])
def test_garbage_lines_are_refused_and_the_next_code_still_reads(
        emulator: QrSerialEmulator, scanner: QrSerialScanner, events: list[DeviceEvent],
        raw_hex: str, reason: str) -> None:
    emulator.send_raw(raw_hex)
    emulator.scan("GOOD")
    assert wait_until(lambda: len(scans(events)) == 2, 3)
    assert scans(events)[0] == {"text": None, "refused": reason, "format": "unknown",
                                "source": "qr_serial"}
    assert texts(events)[1] == "GOOD"
    assert scanner.status.state == DeviceState.ONLINE


def test_an_oversize_line_is_refused_without_swallowing_the_next(
        emulator: QrSerialEmulator, scanner: QrSerialScanner, events: list[DeviceEvent]) -> None:
    emulator.scan("x" * 6000)
    emulator.scan("NEXT")
    assert wait_until(lambda: len(scans(events)) == 2, 5)
    assert scans(events)[0]["refused"] == "too_long"
    assert texts(events)[1] == "NEXT"


def test_crlf_and_no_suffix_modules_work(tmp_path: Path, events: list[DeviceEvent]) -> None:
    for suffix in ("CRLF", "LF", "NONE"):
        emu = QrSerialEmulator(tmp_path / suffix, baudrate=115200, suffix=suffix)
        emu.start()
        seen: list[DeviceEvent] = []
        dev = make_scanner(emu, seen, no_terminator=suffix == "NONE", idle_s=0.2)
        try:
            emu.scan(f"CODE-{suffix}")
            want = [f"CODE-{suffix}"]
            assert wait_until(lambda s=seen, w=want: texts(s) == w, 3), (suffix, scans(seen))
        finally:
            dev.stop()
            emu.stop()


def test_aim_ids_give_the_symbology(tmp_path: Path) -> None:
    emu = QrSerialEmulator(tmp_path, baudrate=115200, aim_ids=True)
    emu.start()
    seen: list[DeviceEvent] = []
    dev = make_scanner(emu, seen, aim_ids=True)
    try:
        emu.scan("SLIP-1", format="Code128")
        emu.scan("hello", format="QRCode")
        assert wait_until(lambda: len(scans(seen)) == 2, 3)
        assert [(s["format"], s["text"]) for s in scans(seen)] == [("Code128", "SLIP-1"),
                                                                   ("QRCode", "hello")]
    finally:
        dev.stop()
        emu.stop()


def test_unplug_goes_offline_and_replug_reads_again_with_the_same_driver(
        emulator: QrSerialEmulator, scanner: QrSerialScanner, events: list[DeviceEvent]) -> None:
    emulator.unplug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3)
    emulator.replug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.ONLINE, 3)
    emulator.scan("AFTER-REPLUG")
    assert wait_until(lambda: texts(events) == ["AFTER-REPLUG"], 3)
    states = [e.data["status"]["state"] for e in events if e.kind == EventKind.STATUS_CHANGED]
    assert states == ["online", "offline", "online"]


def test_a_half_sent_code_is_refused_and_does_not_glue_onto_the_next(
        emulator: QrSerialEmulator, events: list[DeviceEvent]) -> None:
    dev = make_scanner(emulator, events, idle_s=0.2)
    try:
        emulator.send_raw(b"HALF-".hex())
        assert wait_until(lambda: scans(events), 3)
        assert scans(events)[0]["refused"] == "incomplete"
        emulator.scan("WHOLE")
        assert wait_until(lambda: texts(events) == [None, "WHOLE"], 3)
    finally:
        dev.stop()


def test_a_half_sent_code_lost_in_an_unplug_does_not_glue_onto_the_next(
        emulator: QrSerialEmulator, scanner: QrSerialScanner, events: list[DeviceEvent]) -> None:
    emulator.send_raw(b"HALF-".hex())
    time.sleep(0.05)
    emulator.unplug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.OFFLINE, 3)
    emulator.replug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.ONLINE, 3)
    emulator.scan("WHOLE")
    assert wait_until(lambda: "WHOLE" in texts(events), 3)
    assert "HALF-WHOLE" not in texts(events)


def test_a_port_that_is_not_there_is_no_device(tmp_path: Path) -> None:
    dev = QrSerialScanner(port=str(tmp_path / "nothing.tty"), reopen_interval=0.1)
    dev.start()
    try:
        assert dev.wait_for(lambda s: s.state == DeviceState.NO_DEVICE, 3)
    finally:
        dev.stop()


def test_a_silent_module_stays_online(emulator: QrSerialEmulator, scanner: QrSerialScanner,
                                      events: list[DeviceEvent]) -> None:
    """A passive module cannot be told from an idle one: the line is there, so it is online."""
    emulator.silent(True)
    emulator.scan("DROPPED")
    time.sleep(0.5)
    assert scans(events) == [] and scanner.status.state == DeviceState.ONLINE
    emulator.silent(False)
    emulator.scan("HEARD")
    assert wait_until(lambda: texts(events) == ["HEARD"], 3)


def test_9600_baud_pacing_is_respected(tmp_path: Path) -> None:
    """At 9600 baud a 200-byte code takes ~0.2 s on the wire; the driver still gets it whole."""
    emu = QrSerialEmulator(tmp_path, baudrate=9600)
    emu.start()
    seen: list[DeviceEvent] = []
    dev = make_scanner(emu, seen, baudrate=9600)
    try:
        started = time.monotonic()
        emu.scan("Z" * 200)
        assert wait_until(lambda: texts(seen) == ["Z" * 200], 3)
        assert time.monotonic() - started >= 0.18
    finally:
        dev.stop()
        emu.stop()


def test_logs_never_carry_the_code_content(emulator: QrSerialEmulator, scanner: QrSerialScanner,
                                           events: list[DeviceEvent],
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    emulator.scan("身份证号110101199003071234")
    emulator.send_raw(b"\x1b110101199003071235\r".hex())
    assert wait_until(lambda: len(scans(events)) == 2, 3)
    assert scans(events)[0]["text"] == "身份证号110101199003071234"  # the consumer gets it
    assert "code read" in caplog.text and "code refused" in caplog.text
    assert "1990030712" not in caplog.text and "身份证号1101" not in caplog.text
