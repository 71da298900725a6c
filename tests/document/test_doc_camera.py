"""The document camera through cv2.VideoCapture against the emulator's MJPEG stream."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.device import DeviceEvent, DeviceState, DeviceUnavailable, EventKind
from drivers.document.doc_camera import CaptureError, DocumentCamera
from drivers.document.emulator import DocumentEmulator
from drivers.document.page_detect import jaccard


def make_camera(emulator: DocumentEmulator, **kw: object) -> DocumentCamera:
    return DocumentCamera(source=emulator.camera.url, poll_interval=0.1, reopen_interval=0.3,
                          missed_polls_to_offline=2, **kw)  # type: ignore[arg-type]


@pytest.fixture
def camera(doc_emulator: DocumentEmulator) -> Iterator[DocumentCamera]:
    cam = make_camera(doc_emulator)
    cam.start()
    assert cam.wait_for(lambda s: s.usable, 10), cam.status
    yield cam
    cam.stop()


def wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


def test_a_placed_page_is_captured_flat_and_clean(camera: DocumentCamera,
                                                  doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=4)
    assert wait_until(lambda: (p := camera.preview) is not None and p.quad is not None, 5)
    page = camera.capture("cap-1").result(10)
    assert page.source == "camera" and page.issues == ()
    assert jaccard(np.array(page.corners), doc_emulator.corners) > 0.9
    w, h = page.size
    assert h / w == pytest.approx(297 / 210, rel=0.02)
    assert page.image.ndim == 2 and set(np.unique(page.image)) <= {0, 255}


def test_the_preview_carries_the_outline_for_the_screen(camera: DocumentCamera,
                                                        doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=1)
    assert wait_until(lambda: (p := camera.preview) is not None and p.quad is not None, 5)
    preview = camera.preview
    assert preview is not None and preview.frame_size == (1280, 720)
    scale = preview.frame.shape[1] / 1280
    assert jaccard(np.array(preview.quad) / scale, doc_emulator.corners) > 0.9
    doc_emulator.remove_page()
    assert wait_until(lambda: camera.preview is not None and camera.preview.quad is None, 5)


def test_capturing_with_no_page_says_so(camera: DocumentCamera) -> None:
    with pytest.raises(CaptureError) as err:
        camera.capture("nothing").result(10)
    assert err.value.reason == "no_page"
    assert camera.status.usable  # the camera is fine; the desk is empty


def test_a_blurred_page_is_captured_with_a_blur_warning(camera: DocumentCamera,
                                                        doc_emulator: DocumentEmulator) -> None:
    doc_emulator.blur(seed=2, sigma=5)
    time.sleep(0.3)
    page = camera.capture("blurred").result(10)
    assert "blurry" in [i.code for i in page.issues]


def test_a_still_page_is_auto_captured_once_per_placement(doc_emulator: DocumentEmulator) -> None:
    cam = make_camera(doc_emulator, auto_capture=True, stable_frames=3)
    seen: list[DeviceEvent] = []
    cam.subscribe(lambda e: seen.append(e) if e.kind is EventKind.PAGE_CAPTURED else None)
    cam.start()
    try:
        assert cam.wait_for(lambda s: s.usable, 10)
        doc_emulator.place_page(seed=6)
        assert wait_until(lambda: len(seen) == 1, 5)
        time.sleep(0.6)  # the page stays: no second capture
        assert len(seen) == 1
        page = seen[0].data["page"]
        assert seen[0].data["auto"] is True
        assert jaccard(np.array(page.corners), doc_emulator.corners) > 0.9
        doc_emulator.remove_page()
        time.sleep(0.4)
        doc_emulator.place_page(seed=7)  # the next sheet
        assert wait_until(lambda: len(seen) == 2, 5)
    finally:
        cam.stop()


def test_unplug_goes_offline_and_replug_is_recovered(camera: DocumentCamera,
                                                     doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=3)
    doc_emulator.camera.unplug()
    assert camera.wait_for(lambda s: s.state is DeviceState.OFFLINE, 10), camera.status
    with pytest.raises(DeviceUnavailable):
        camera.capture("while-unplugged").result(5)
    doc_emulator.camera.replug()
    assert camera.wait_for(lambda s: s.usable, 10), camera.status
    page = camera.capture("after-replug").result(10)
    assert jaccard(np.array(page.corners), doc_emulator.corners) > 0.9


def test_a_silent_camera_goes_offline_and_comes_back(camera: DocumentCamera,
                                                     doc_emulator: DocumentEmulator) -> None:
    doc_emulator.camera.silent(True)
    assert camera.wait_for(lambda s: s.state is DeviceState.OFFLINE, 15), camera.status
    doc_emulator.camera.silent(False)
    assert camera.wait_for(lambda s: s.usable, 15), camera.status


def test_a_retried_capture_id_is_answered_from_the_first(camera: DocumentCamera,
                                                         doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=5)
    time.sleep(0.3)
    first = camera.capture("once")
    assert camera.capture("once") is first
    assert first.result(10).corners is not None


def test_the_public_api_never_blocks(camera: DocumentCamera) -> None:
    started = time.perf_counter()
    for _ in range(20):
        _ = camera.status, camera.preview, camera.capabilities
    fut = camera.capture()
    assert time.perf_counter() - started < 0.05
    try:
        fut.result(10)
    except CaptureError:
        pass


def test_a_camera_that_is_not_there_is_no_device() -> None:
    cam = DocumentCamera(source="http://127.0.0.1:9/none.mjpg", poll_interval=0.1,
                         reopen_interval=0.3)
    cam.start()
    try:
        assert cam.wait_for(lambda s: s.state is DeviceState.NO_DEVICE, 10), cam.status
    finally:
        cam.stop()


# -- standing by while no screen shows the preview (issue 16) -------------------------------

@pytest.fixture
def standing_by(doc_emulator: DocumentEmulator) -> Iterator[DocumentCamera]:
    cam = make_camera(doc_emulator)
    cam.stream(False)  # before it starts: it never streams until asked
    cam.start()
    assert cam.wait_for(lambda s: s.usable, 10), cam.status
    yield cam
    cam.stop()


def test_standing_by_the_camera_is_checked_without_a_stream(standing_by: DocumentCamera,
                                                            doc_emulator: DocumentEmulator) -> None:
    """No decoder and no frames held while no screen shows the preview, yet its status stays
    true for the tiles and the heartbeat: online while it answers, offline when unplugged."""
    time.sleep(0.5)  # several polls
    assert doc_emulator.camera.streams_served == 0 and standing_by.preview is None
    assert standing_by.capabilities["streaming"] is False
    doc_emulator.camera.unplug()
    assert standing_by.wait_for(lambda s: s.state is DeviceState.OFFLINE, 10), standing_by.status
    doc_emulator.camera.replug()
    assert standing_by.wait_for(lambda s: s.usable, 10), standing_by.status
    assert doc_emulator.camera.streams_served == 0


def test_a_screen_streams_the_camera_and_leaving_releases_it(standing_by: DocumentCamera,
                                                             doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=4)
    standing_by.stream(True)
    assert wait_until(lambda: (p := standing_by.preview) is not None and p.quad is not None, 5)
    assert doc_emulator.camera.streams_open == 1
    standing_by.stream(False)
    assert wait_until(lambda: standing_by.preview is None
                      and doc_emulator.camera.streams_open == 0, 5)
    assert standing_by.status.usable
    standing_by.stream(True)  # the next citizen's camera screen
    assert wait_until(lambda: (p := standing_by.preview) is not None and p.quad is not None, 5)
    assert doc_emulator.camera.streams_served == 2


def test_a_capture_while_standing_by_opens_the_stream_for_that_frame(
        standing_by: DocumentCamera, doc_emulator: DocumentEmulator) -> None:
    """The admin screen's device test captures with no preview on the glass."""
    doc_emulator.place_page(seed=5)
    page = standing_by.capture("standing-by").result(10)
    assert jaccard(np.array(page.corners), doc_emulator.corners) > 0.9
    assert doc_emulator.camera.streams_served == 1
    assert wait_until(lambda: doc_emulator.camera.streams_open == 0, 5)
    assert standing_by.preview is None and standing_by.status.usable
