"""The QR camera end to end: emulator MJPEG stream -> cv2.VideoCapture -> decode -> events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import wait_until

from drivers.device import DeviceEvent, DeviceState, EventKind
from drivers.qr.camera_emulator import QrCameraEmulator
from drivers.qr.camera_scanner import QrCameraScanner




@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[QrCameraEmulator]:
    emu = QrCameraEmulator(tmp_path, fps=15)  # 1920x1080, as configured by default
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def events() -> list[DeviceEvent]:
    return []


@pytest.fixture
def scanner(emulator: QrCameraEmulator, events: list[DeviceEvent]) -> Iterator[QrCameraScanner]:
    dev = QrCameraScanner(source=emulator.url, poll_interval=0.05, repeat_suppress_s=1.0,
                          missed_polls_to_offline=2, reopen_interval=0.2, read_timeout_s=0.5,
                          open_timeout_s=0.5)
    dev.subscribe(events.append)
    dev.start()
    assert dev.wait_for(lambda s: s.state == DeviceState.ONLINE, 5), dev.status
    yield dev
    dev.stop()


def scans(events: list[DeviceEvent]) -> list[dict]:
    return [dict(e.data) for e in events if e.kind == EventKind.CODE_SCANNED]


def test_a_code_shown_to_the_camera_is_reported_once_while_held(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.show_code("预约号:A0123;事项:居住证签注")
    assert wait_until(lambda: scans(events), 5)
    first = scans(events)[0]
    assert first["text"] == "预约号:A0123;事项:居住证签注"
    assert first["format"] == "QRCode" and first["source"] == "qr_camera"
    assert first["encoding"] == "utf-8"
    frames_then = scanner.frames_read
    time.sleep(2.5)  # held in view for more than twice the 1 s suppression window
    assert scanner.frames_read > frames_then + 5  # it kept looking
    assert len(scans(events)) == 1


def test_a_code_taken_away_and_shown_again_is_reported_again(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.show_code("TICKET-0001")
    assert wait_until(lambda: len(scans(events)) == 1, 5)
    emulator.blank()
    time.sleep(1.4)  # out of view longer than the suppression window
    emulator.show_code("TICKET-0001")
    assert wait_until(lambda: len(scans(events)) == 2, 5)


def test_a_new_code_is_reported_at_once(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.show_code("FIRST")
    assert wait_until(lambda: len(scans(events)) == 1, 5)
    emulator.show_code("SECOND")
    assert wait_until(lambda: [s["text"] for s in scans(events)] == ["FIRST", "SECOND"], 5)


def test_a_phone_screen_with_moire_is_read(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.show_degraded("https://zwfw.example.gov.cn/q/77", kind="moire", seed=3)
    assert wait_until(lambda: scans(events), 5)
    assert scans(events)[0]["text"] == "https://zwfw.example.gov.cn/q/77"


def test_a_code_with_terminal_escapes_is_refused_not_passed_on(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.show_code("\x1b[2Jhello")
    assert wait_until(lambda: scans(events), 5)
    assert scans(events)[0] == {"text": None, "refused": "control_character",
                                "format": "QRCode", "source": "qr_camera"}


def test_unplug_goes_offline_and_replug_scans_again_with_the_same_driver(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.unplug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.OFFLINE, 5)
    assert scanner.status.reason == "no_answer"
    assert "127.0.0.1" in (scanner.status.detail or "")
    emulator.replug()
    assert scanner.wait_for(lambda s: s.state == DeviceState.ONLINE, 5)
    emulator.show_code("AFTER-REPLUG")
    assert wait_until(lambda: [s["text"] for s in scans(events)] == ["AFTER-REPLUG"], 5)
    states = [e.data["status"]["state"] for e in events if e.kind == EventKind.STATUS_CHANGED]
    assert states == ["online", "offline", "online"]


def test_a_silent_camera_goes_offline_and_comes_back(
        emulator: QrCameraEmulator, scanner: QrCameraScanner, events: list[DeviceEvent]) -> None:
    emulator.silent(True)
    assert scanner.wait_for(lambda s: s.state == DeviceState.OFFLINE, 8)
    emulator.silent(False)
    assert scanner.wait_for(lambda s: s.state == DeviceState.ONLINE, 5)
    emulator.show_code("AWAKE")
    assert wait_until(lambda: scans(events), 5)


def test_one_lost_frame_is_not_an_outage(tmp_path: Path, emulator: QrCameraEmulator) -> None:
    """A single failed read is reopened on the next poll; the device never reports offline."""
    dev = QrCameraScanner(source=emulator.url, poll_interval=0.05, missed_polls_to_offline=3,
                          reopen_interval=0.2, read_timeout_s=0.5, open_timeout_s=0.5)
    seen: list[DeviceEvent] = []
    dev.subscribe(seen.append)
    dev.start()
    try:
        assert dev.wait_for(lambda s: s.state == DeviceState.ONLINE, 5)
        served = emulator.streams_served
        emulator.unplug()
        emulator.replug()  # a blip: the stream drops once and is back at once
        assert wait_until(lambda: emulator.streams_served > served, 5)  # it reconnected
        emulator.show_code("STILL-HERE")
        assert wait_until(lambda: any(e.kind == EventKind.CODE_SCANNED for e in seen), 5)
        assert all(e.data["status"]["state"] == "online" for e in seen
                   if e.kind == EventKind.STATUS_CHANGED)
    finally:
        dev.stop()


def test_a_camera_that_is_not_there_is_no_device(tmp_path: Path) -> None:
    dev = QrCameraScanner(source="http://127.0.0.1:9/stream.mjpg", open_timeout_s=0.5,
                          reopen_interval=0.2)
    dev.start()
    try:
        assert dev.wait_for(lambda s: s.state == DeviceState.NO_DEVICE, 5)
    finally:
        dev.stop()


def test_an_unknown_decoder_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="decoder"):
        QrCameraScanner(source="0", decoder="wechat")
