"""A document camera (高拍仪) over drivers.camera's FrameSource, driven from its own thread.

Every poll reads the freshest frame and finds the page outline on it, so a screen can draw a
live outline from `preview` without touching the camera. `capture()` processes the freshest
full-resolution frame into a Page. With auto-capture on, a page whose outline holds still for
`stable_frames` polls is captured once and announced as PAGE_CAPTURED; it re-arms when the
page is taken away. A read failure counts as a missed poll; after N the camera is offline and
the base thread reopens it (VideoCapture does not recover from an unplug by itself).

`stream(False)` stands the camera by while no screen shows its preview (issue 16: streaming
at home cost the terminal 24 MB of decoder and frame buffers, and a core's share decoding
frames nobody looked at): the capture is released, and each poll only asks whether the camera
is there (`FrameSource.probe`), so its status stays true for the tiles, the admin screen and
the heartbeat; a capture then opens the stream for that one frame.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from drivers.camera.capture import CameraError, FrameSource
from drivers.device import (
    Device,
    DeviceError,
    DeviceState,
    DeviceStatus,
    EventKind,
    new_action_id,
)
from drivers.document import enhance, page_detect, quality
from drivers.document.page import ImageError, Page

log = logging.getLogger(__name__)

PREVIEW_MAX_SIDE = 960  # preview frames are kept small: they are for drawing an outline


class CaptureError(DeviceError):
    """A capture produced no page; `reason` is a quality code ("no_page") or an I/O reason."""


@dataclass(frozen=True)
class Preview:
    """The latest frame (downscaled) and the page outline scaled to it, for a live overlay."""

    frame: np.ndarray = field(repr=False)
    quad: tuple[tuple[float, float], ...] | None  # TL,TR,BR,BL in preview pixels
    frame_size: tuple[int, int]  # the camera's full frame size (w, h)
    at: float


def quad_tuple(quad: np.ndarray | None, scale: float = 1.0) -> tuple[tuple[float, float], ...] | None:
    if quad is None:
        return None
    return tuple((round(float(x) * scale, 1), round(float(y) * scale, 1)) for x, y in quad)


def quad_moved(a: np.ndarray, b: np.ndarray, frame_shape: tuple[int, ...], tolerance: float
               ) -> bool:
    """True when any corner moved more than `tolerance` of the frame diagonal."""
    diag = float(np.hypot(frame_shape[0], frame_shape[1]))
    return float(np.max(np.linalg.norm(a - b, axis=1))) > tolerance * diag


def process_frame(frame: np.ndarray, mode: enhance.Mode = "text") -> Page:
    """Detect, warp, judge and enhance one full-resolution frame (pure; raises on no page)."""
    frame = page_detect.check_image(frame)
    quad = page_detect.detect_page(frame)
    if quad is None:
        report = quality.assess(frame, None)
        raise CaptureError("no_page", report.issues[0].message)
    flat = enhance.warp(frame, quad)
    report = quality.assess(frame, quad, flat)
    return Page(enhance.enhance(flat, mode), "camera", quad_tuple(quad), report.issues)


class DocumentCamera(Device):
    kind = "doc_camera"

    def __init__(self, name: str = "doc_camera", *, source: str, width: int = 0, height: int = 0,
                 mode: enhance.Mode = "text", auto_capture: bool = False, stable_frames: int = 3,
                 stable_tolerance: float = 0.01, poll_interval: float = 0.5,
                 missed_polls_to_offline: int = 3, reopen_interval: float = 1.0,
                 frame_source: FrameSource | None = None):
        super().__init__(name, poll_interval=poll_interval,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval)
        self.source = source
        self.mode = mode
        self.auto_capture = auto_capture
        self.stable_frames = max(1, stable_frames)
        self.stable_tolerance = stable_tolerance
        self._frames = frame_source or FrameSource(source, width, height)
        self._preview: Preview | None = None
        self._preview_lock = threading.Lock()
        self._last_quad: np.ndarray | None = None
        self._stable = 0
        self._armed = True
        self._frame_size = (0, 0)
        self._streaming = True  # read on the driver thread; set by stream()

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"frame_size": self._frame_size, "mode": self.mode,
                "auto_capture": self.auto_capture, "streaming": self._streaming}

    @property
    def preview(self) -> Preview | None:
        """The latest preview frame and outline (None before the first frame)."""
        with self._preview_lock:
            return self._preview

    def stream(self, on: bool) -> None:
        """Stream frames (preview, outline, auto-capture) or stand by (see the module's doc);
        the driver thread follows at once, not at its next poll. Never blocks."""
        self._streaming = on
        if self._thread is not None:
            self._submit(self._poll_now)

    def capture(self, action_id: str | None = None, mode: enhance.Mode | None = None
                ) -> Future[Page]:
        """Capture and process the freshest frame; Future[Page] (issues say blurry/glare/...)."""
        aid = action_id or new_action_id()
        return self._submit(lambda: self._do_capture(aid, mode or self.mode), aid)

    # ---- Device -------------------------------------------------------------------------

    def _open(self) -> None:
        if self._streaming:
            self._open_stream()
        else:
            self._frames.probe()

    def _close(self) -> None:
        self._frames.close()
        with self._preview_lock:
            self._preview = None

    def _poll(self) -> DeviceStatus:
        if not self._streaming:
            if self._frames.is_open:
                self._close()  # the decoder and its frames go with the last screen
            self._frames.probe()
            return self._standing_status()
        if not self._frames.is_open:
            self._open_stream()
        frame = self._read()
        self._frame_size = (int(frame.shape[1]), int(frame.shape[0]))
        h, w = frame.shape[:2]
        scale = min(1.0, PREVIEW_MAX_SIDE / max(h, w))
        small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) \
            if scale < 1.0 else frame.copy()
        try:  # the outline on the preview copy is enough for the overlay and for stillness
            quad = page_detect.detect_page(small, refine=False)
        except ImageError as exc:  # a garbage frame is the camera's problem, not ours
            raise CameraError(f"unusable frame: {exc.reason}") from None
        with self._preview_lock:
            self._preview = Preview(small, quad_tuple(quad), (w, h), time.time())
        if self.auto_capture:
            self._track(frame, quad, small.shape)
        if self.status.state is DeviceState.BUSY:
            return self.status
        return DeviceStatus(DeviceState.ONLINE, None, f"{w}x{h}")

    # ---- internals ----------------------------------------------------------------------

    def _open_stream(self) -> None:
        self._frames.open()
        self._last_quad, self._stable, self._armed = None, 0, True

    def _standing_status(self) -> DeviceStatus:
        if self.status.state is DeviceState.BUSY:
            return self.status
        w, h = self._frame_size
        return DeviceStatus(DeviceState.ONLINE, None, f"{w}x{h}" if w else None)

    def _poll_now(self) -> None:
        """Follow `stream()` now: what the driver loop's next poll would do."""
        if not self._is_open:
            return  # away: the loop reopens it, streaming or not
        try:
            self._set_status(self._poll())
            self._note_success()
        except Exception as exc:  # noqa: BLE001 (a failed poll counts as a miss, as in the loop)
            self._note_failure(exc)

    def _read(self) -> np.ndarray:
        return self._frames.read_latest()

    def _track(self, frame: np.ndarray, quad: np.ndarray | None,
                preview_shape: tuple[int, ...]) -> None:
        """Auto-capture: a still outline for `stable_frames` polls, once per placement."""
        if quad is None:
            self._last_quad, self._stable, self._armed = None, 0, True
            return
        if self._last_quad is not None and not quad_moved(quad, self._last_quad, preview_shape,
                                                          self.stable_tolerance):
            self._stable += 1
        else:
            self._stable = 1
        self._last_quad = quad
        if self._armed and self._stable >= self.stable_frames:
            self._armed = False
            action_id = new_action_id()
            try:
                page = self._process(frame)
            except (CaptureError, ImageError) as exc:
                log.info("%s: auto-capture found no usable page (%s)", self.name,
                         getattr(exc, "reason", type(exc).__name__))
                self._armed = True
                return
            self._emit(EventKind.PAGE_CAPTURED, {"auto": True, "page": page, **page.describe()},
                       action_id)

    def _process(self, frame: np.ndarray, mode: enhance.Mode | None = None) -> Page:
        return process_frame(frame, mode or self.mode)

    def _do_capture(self, action_id: str, mode: enhance.Mode) -> Page:
        self._require_usable()
        standing_by = not self._frames.is_open  # open the stream for this one frame
        try:
            if standing_by:
                self._frames.open()
            frame = self._read()
        except CameraError as exc:
            self._note_failure(exc)
            raise CaptureError("no_answer", f"{self.name} gave no frame") from None
        finally:
            if standing_by and not self._streaming:
                self._frames.close()
        self._note_success()
        page = self._process(frame, mode)
        self._emit(EventKind.PAGE_CAPTURED, {"auto": False, "page": page, **page.describe()},
                   action_id)
        return page
