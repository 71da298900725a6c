"""The shared camera capture, through cv2.VideoCapture against the emulator's MJPEG stream."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.capture import CameraError, FrameSource, source_kind
from drivers.camera.emulator import CameraEmulator, fit_into

SIZE = (640, 360)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[CameraEmulator]:
    emu = CameraEmulator(tmp_path, size=SIZE, fps=20)
    emu.start()
    yield emu
    emu.stop()


def solid(value: int, size: tuple[int, int] = SIZE) -> np.ndarray:
    return np.full((size[1], size[0], 3), value, np.uint8)


def wait_for_mean(src: FrameSource, lo: float, hi: float, timeout: float = 5.0) -> np.ndarray:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = src.read_latest()
        if lo <= frame.mean() <= hi:
            return frame
    raise AssertionError(f"no frame with mean in [{lo}, {hi}] within {timeout} s")


def test_sources_are_classified_by_what_they_name() -> None:
    assert source_kind("0") == "v4l2"
    assert source_kind("/dev/video2") == "v4l2"
    assert source_kind("http://127.0.0.1:8080/stream.mjpg") == "network"
    assert source_kind("RTSP://cam/1") == "network"
    assert source_kind("/srv/demo/qr.png") == "image"
    assert source_kind("/srv/demo/walk.mp4") == "video"
    with pytest.raises(CameraError):
        source_kind("  ")


def test_opencv_reads_the_emulated_stream_and_sees_what_it_shows(
        emulator: CameraEmulator) -> None:
    with FrameSource(emulator.url, *SIZE, read_timeout_s=1.0) as src:
        first = src.read()
        assert first.shape == (SIZE[1], SIZE[0], 3)
        assert abs(first.mean() - 128) < 3  # blank grey
        emulator.show_frame(solid(250))
        wait_for_mean(src, 240, 255)


def test_a_fresh_frame_is_read_even_when_the_reader_was_slow(emulator: CameraEmulator) -> None:
    with FrameSource(emulator.url, read_timeout_s=1.0) as src:
        src.read()
        time.sleep(1.5)  # ~30 frames queue up in the socket meanwhile
        emulator.show_frame(solid(240))
        started = time.monotonic()
        frame = src.read_latest()
        frame = frame if frame.mean() > 200 else src.read_latest()
        assert frame.mean() > 200, "read_latest returned a frame from before the change"
        assert time.monotonic() - started < 1.0


def test_show_image_fits_a_picture_into_the_frame(emulator: CameraEmulator, tmp_path: Path) -> None:
    picture = tmp_path / "white.png"
    cv2.imwrite(str(picture), np.full((100, 100, 3), 255, np.uint8))
    emulator.show_image(str(picture))
    with FrameSource(emulator.url, read_timeout_s=1.0) as src:
        frame = wait_for_mean(src, 150, 200)
        # a square picture in a 16:9 frame: white in the middle, grey at the sides
        assert frame[SIZE[1] // 2, SIZE[0] // 2].mean() > 240
        assert abs(frame[SIZE[1] // 2, 5].mean() - 128) < 5
    with pytest.raises(ValueError):
        emulator.show_image(str(tmp_path / "missing.png"))


def test_unplug_fails_reads_and_refuses_opening_then_replug_serves_the_same_url(
        emulator: CameraEmulator) -> None:
    url = emulator.url
    src = FrameSource(url, read_timeout_s=1.0, open_timeout_s=1.0)
    src.open()
    src.read()
    emulator.unplug()
    with pytest.raises(CameraError):
        for _ in range(100):  # frames already in the socket may still come out first
            src.read()
    src.close()
    with pytest.raises(CameraError, match="could not be opened"):
        src.open()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(url.split(":")[2].split("/")[0])), 1).close()
    emulator.replug()
    assert emulator.url == url
    src.open()
    assert src.read().shape[0] == SIZE[1]
    src.close()


def test_a_silent_camera_times_out_instead_of_hanging(emulator: CameraEmulator) -> None:
    src = FrameSource(emulator.url, read_timeout_s=0.5, open_timeout_s=1.0)
    src.open()
    src.read()
    emulator.silent(True)
    started = time.monotonic()
    with pytest.raises(CameraError):
        for _ in range(100):
            src.read()
    assert time.monotonic() - started < 3.0
    src.close()
    emulator.silent(False)
    src.open()
    assert src.read() is not None
    src.close()


def test_an_image_file_is_a_still_camera(tmp_path: Path) -> None:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), solid(77, (64, 48)))
    with FrameSource(str(path)) as src:
        a, b = src.read(), src.read_latest()
        assert a.shape == (48, 64, 3) and np.array_equal(a, b) and a.mean() == 77


@pytest.mark.parametrize("content", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 64])
def test_a_broken_image_file_is_a_clear_camera_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(CameraError, match="not a readable image"):
        FrameSource(str(path)).open()


def test_missing_sources_are_camera_errors_not_crashes(tmp_path: Path) -> None:
    with pytest.raises(CameraError):
        FrameSource(str(tmp_path / "nothing.png")).open()
    with pytest.raises(CameraError):
        FrameSource(str(tmp_path / "nothing.mp4")).open()
    with pytest.raises(CameraError):
        FrameSource("/dev/video99").open()
    src = FrameSource("http://127.0.0.1:9/stream.mjpg", open_timeout_s=0.5)
    with pytest.raises(CameraError):
        src.open()
    with pytest.raises(CameraError, match="not open"):
        src.read()


def test_a_video_file_loops(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for value in (20, 120, 220):
        writer.write(solid(value, (64, 48)))
    writer.release()
    with FrameSource(str(path)) as src:
        means = [round(src.read().mean(), -1) for _ in range(6)]
    assert means == [20, 120, 220, 20, 120, 220]


def test_credentials_in_a_stream_url_never_reach_messages() -> None:
    src = FrameSource("http://admin:secret@127.0.0.1:9/stream.mjpg", open_timeout_s=0.5)
    with pytest.raises(CameraError) as info:
        src.open()
    assert "secret" not in str(info.value) and "***@127.0.0.1:9" in str(info.value)


def test_fit_into_keeps_the_aspect_and_centres() -> None:
    out = fit_into(np.full((10, 40), 255, np.uint8), (200, 100))
    assert out.shape == (100, 200, 3)
    assert out[50, 100].mean() == 255 and out[5, 100].mean() == 128


def test_probe_says_whether_the_camera_is_there_without_streaming(
        emulator: CameraEmulator, tmp_path: Path) -> None:
    """What a standing-by document camera asks each poll (issue 16): no decoder, no frame."""
    FrameSource(emulator.url).probe()
    assert emulator.streams_served == 0
    emulator.unplug()
    with pytest.raises(CameraError, match="does not answer"):
        FrameSource(emulator.url).probe()
    emulator.replug()
    FrameSource(emulator.url).probe()
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), solid(90))
    FrameSource(str(still)).probe()
    for gone in (str(tmp_path / "gone.png"), "/dev/video97", "97", str(tmp_path / "gone.mp4")):
        with pytest.raises(CameraError, match="not there"):
            FrameSource(gone).probe()


def test_a_grey_reader_gets_the_streams_jpegs_decoded_to_grey(emulator: CameraEmulator,
                                                              tmp_path: Path) -> None:
    """The QR camera's source (issue 16): the same picture as the colour read, in one channel,
    decoded from each frame's JPEG (no colour frame held by FFmpeg or OpenCV)."""
    gradient = np.tile(np.linspace(0, 255, SIZE[0], dtype=np.uint8), (SIZE[1], 1))
    emulator.show_frame(cv2.merge([gradient, gradient // 2, 255 - gradient]))
    with FrameSource(emulator.url, grey=True) as grey, FrameSource(emulator.url) as colour:
        assert grey._jpegs and not colour._jpegs  # the MJPEG stream's packets, undecoded
        time.sleep(0.3)
        seen, expected = grey.read_latest(), cv2.cvtColor(colour.read_latest(), cv2.COLOR_BGR2GRAY)
        assert seen.shape == (SIZE[1], SIZE[0]) and seen.dtype == np.uint8
        assert float(np.abs(seen.astype(int) - expected.astype(int)).mean()) < 2.0
        emulator.show_frame(solid(250))
        assert wait_for_mean(grey, 240, 255).ndim == 2
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), solid(90))
    with FrameSource(str(still), grey=True) as src:
        assert src.read().shape == (SIZE[1], SIZE[0])
