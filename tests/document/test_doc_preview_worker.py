"""The camera screen's preview is prepared off the main loop (issue 16): the document service's
worker downscales and converts each new camera frame, and the screen only uploads it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from drivers.document.doc_camera import DocumentCamera
from drivers.document.emulator import DocumentEmulator
from kiosk.services.documents import SCREEN_PREVIEW_MAX_SIDE, DocumentService


@pytest.fixture
def camera(doc_emulator: DocumentEmulator) -> Iterator[DocumentCamera]:
    cam = DocumentCamera(source=doc_emulator.camera.url, poll_interval=0.1,
                         reopen_interval=0.3, missed_polls_to_offline=2)
    cam.start()
    assert cam.wait_for(lambda s: s.usable, 10), cam.status
    yield cam
    cam.stop()


def wait_for(predicate, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    return predicate()


def preview_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "documents-preview"]


def test_the_worker_prepares_each_frame_and_the_reader_only_takes_it(
        camera: DocumentCamera, doc_emulator: DocumentEmulator) -> None:
    service = DocumentService([camera])
    doc_emulator.place_page(seed=1)
    # nobody watches: the camera stands by (no stream, no frame), nothing prepared or kept
    assert wait_for(lambda: doc_emulator.camera.streams_open == 0 and camera.preview is None)
    assert camera.status.usable and service.preview() is None
    service.watch_preview(True)
    try:
        frame = wait_for(lambda: (p := service.preview()) is not None and p.outline and p)
        assert frame, "the worker prepared no frame"
        assert len(preview_workers()) == 1
        h, w = frame.rgba.shape[:2]
        assert frame.rgba.dtype == np.uint8 and frame.rgba.shape[2] == 4
        assert max(h, w) == SCREEN_PREVIEW_MAX_SIDE
        # the same picture as the camera's, in GL's channel order
        def pair():  # the camera may move on between the two reads: take a matching pair
            prepared, source = service.preview(), camera.preview
            return prepared is not None and source is not None \
                and prepared.at == source.at and (prepared, source)
        matched = wait_for(pair)
        assert matched, "the prepared frames never matched the camera's"
        frame, source = matched
        expected = cv2.cvtColor(cv2.resize(source.frame, (w, h), interpolation=cv2.INTER_AREA),
                                cv2.COLOR_BGR2RGBA)
        assert np.array_equal(frame.rgba, expected)
        # newer frames keep coming without anybody asking for them
        assert wait_for(lambda: (p := service.preview()) is not None and p.at > frame.at)
    finally:
        service.watch_preview(False)
    assert service.preview() is None  # the citizen's page leaves with the screen
    assert wait_for(lambda: not preview_workers(), 2)
    assert wait_for(lambda: doc_emulator.camera.streams_open == 0 and camera.preview is None)
    service.close()


def test_a_capture_with_no_page_is_a_page_to_take_again_not_a_failure(
        camera: DocumentCamera) -> None:
    """拍照 with nothing under the camera (the explorer tapped it): the screen says to place a
    page, as for a poor page; before, the driver's CaptureError reached the screen as an
    unexpected failure."""
    service = DocumentService([camera])
    try:
        page = service.capture()
    finally:
        service.close()
    assert not page.ok and page.issues == ("no_page",) and page.jpeg == b""
