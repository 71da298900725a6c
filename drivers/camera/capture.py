"""One camera source behind one small interface, so drivers never touch cv2.VideoCapture directly.

A `FrameSource` is not a thread: the Device that owns it calls `open`/`read`/`close` on its own
driver thread. OpenCV's VideoCapture does not recover from an unplug by itself, so a failed
read is reported as `CameraError` and the owner closes and reopens the source.

Sources:
  "0", "/dev/video0"          a V4L2 camera (index or device path)
  "http://...", "rtsp://..."  a network stream through OpenCV's FFmpeg backend (the emulator
                              serves MJPEG over HTTP); open and read have timeouts, so a silent
                              stream fails a read instead of hanging the driver thread
  a video file                frames in order; at the end it starts again (a looping demo)
  an image file               the same image forever (a still camera)

`grey=True` gives 8-bit grey frames, for a reader that wants nothing else (the QR camera). An
MJPEG stream through FFmpeg is then read as its JPEGs and decoded straight to grey, which
skips FFmpeg's colour frame and OpenCV's BGR copy of it (issue 16, a 1080p stream: 15 -> 6 MB
resident, 13 -> 4 ms a frame).
"""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

import cv2
import numpy as np

from drivers.image_limits import ImageRefused, imdecode_capped

# A camera that is away is retried every second for as long as it is away: FFmpeg's and
# OpenCV's own stderr lines for each attempt would flood the journal. Our status events say
# the same once. Either can be turned back on with the environment variables.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET; read at each open
if "OPENCV_LOG_LEVEL" not in os.environ:
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
NETWORK_PREFIXES = ("http://", "https://", "rtsp://", "rtsps://", "tcp://", "udp://")
DEFAULT_PORTS = {"http": 80, "https": 443, "rtsp": 554, "rtsps": 322}


class CameraError(Exception):
    """The camera could not be opened or gave no frame; the owner should close and reopen it."""


def source_kind(source: str) -> str:
    """Classify a configured source: 'v4l2', 'network', 'image' or 'video'."""
    s = source.strip()
    if not s:
        raise CameraError("empty camera source")
    if s.isdigit() or s.startswith(("/dev/video", "/dev/v4l/")):
        return "v4l2"
    if s.lower().startswith(NETWORK_PREFIXES):
        return "network"
    if Path(s).suffix.lower() in IMAGE_SUFFIXES:
        return "image"
    return "video"


class FrameSource:
    """A cv2.VideoCapture (or a still image) opened, read and closed from one owner thread."""

    def __init__(self, source: str, width: int = 0, height: int = 0, *,
                 open_timeout_s: float = 3.0, read_timeout_s: float = 1.5, grey: bool = False):
        self.source = source
        self.width = width
        self.height = height
        self.open_timeout_s = open_timeout_s
        self.read_timeout_s = read_timeout_s
        self.kind = source_kind(source)
        self.grey = grey
        self._jpegs = False  # the capture hands out each frame's JPEG undecoded (grey MJPEG)
        self._cap: cv2.VideoCapture | None = None
        self._still: np.ndarray | None = None
        self._grab_floor = math.inf  # seconds; fastest grab seen: a queued frame's decode time
        self._grabs = 0

    @property
    def is_open(self) -> bool:
        return self._cap is not None or self._still is not None

    def open(self) -> None:
        """Open the source; raises CameraError when it is not there or gives no frame."""
        self.close()
        if self.kind == "image":
            self._still = self._load_still()
            return
        cap = self._new_capture()
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"camera {self._label()} could not be opened")
        if self.kind == "v4l2":
            if self.width and self.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # fewer stale frames queued in the driver
        elif self.grey and _fourcc(cap) == "MJPG":
            self._jpegs = bool(cap.set(cv2.CAP_PROP_FORMAT, -1))  # FFmpeg: packets as they came
        self._cap = cap

    def probe(self) -> None:
        """Is the camera there, without streaming from it (no decoder, no frame buffers)?
        Raises CameraError when not: the device node or file is gone, or the stream's server
        does not accept a connection. A camera that is there but silent (hung) is only found
        by `open`/`read`."""
        if self.kind == "network":
            self._probe_server()
            return
        path = self.source.strip()
        if self.kind == "v4l2" and path.isdigit():
            path = f"/dev/video{path}"
        if not os.path.exists(path):
            raise CameraError(f"camera {self._label()} is not there")

    def read(self) -> np.ndarray:
        """The next BGR frame; raises CameraError when none came (unplugged, silent, broken)."""
        if self._still is not None:
            return self._still.copy()
        cap = self._cap
        if cap is None:
            raise CameraError(f"camera {self._label()} is not open")
        ok, frame = cap.read()
        if (not ok or frame is None) and self.kind == "video":
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # a demo video loops
            ok, frame = cap.read()
        return self._checked(ok, frame)

    def _checked(self, ok: bool, frame: np.ndarray | None) -> np.ndarray:
        """A usable BGR frame, or CameraError (OpenCV signals a lost source with ok=False)."""
        if not ok or frame is None or frame.size == 0:
            raise CameraError(f"camera {self._label()} gave no frame")
        if self._jpegs:
            return self._decoded(frame)
        if self.grey:
            return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        return frame

    def _decoded(self, jpeg: np.ndarray) -> np.ndarray:
        """One frame's JPEG as grey, refused by its header's size before decoding (a camera on
        the network is not trusted to send a sane one)."""
        try:
            frame = imdecode_capped(jpeg.reshape(-1), cv2.IMREAD_GRAYSCALE)
        except ImageRefused as exc:
            raise CameraError(f"camera {self._label()} sent an unusable frame: {exc}") from None
        if frame is None or frame.size == 0:
            raise CameraError(f"camera {self._label()} sent an unreadable frame")
        return frame

    def read_latest(self, max_skip: int = 30, max_wait_s: float = 0.6) -> np.ndarray:
        """A frame as fresh as the source has: skips frames that were already queued.

        A network stream or a V4L2 queue holds frames captured while the owner was busy
        decoding. A grab that comes back in about the time it takes to decode a frame came from
        that queue (measured here: 7-13 ms per queued 1080p MJPEG frame, 25-30 ms at 8 MP; a
        fresh one waits for the camera, up to a frame period), so keep grabbing until one took
        longer than a queued frame would, `max_skip` were dropped, or `max_wait_s` passed.
        The threshold grows with the frame size and with the fastest grab seen (a slow CPU).
        """
        cap = self._cap
        if self._still is not None or cap is None or self.kind == "video":
            return self.read()
        began = time.perf_counter()
        for _ in range(max_skip + 1):
            started = time.perf_counter()
            if not cap.grab():
                raise CameraError(f"camera {self._label()} gave no frame")
            took = time.perf_counter() - started
            self._grab_floor = min(self._grab_floor, took)
            self._grabs += 1
            if took > self._queued_limit(cap) or started - began > max_wait_s:
                break  # this one waited for the camera (or we waited long enough)
        ok, frame = cap.retrieve()
        return self._checked(ok, frame)

    def _queued_limit(self, cap: cv2.VideoCapture) -> float:
        """Seconds under which a grab is taken to have come from the queue."""
        megapixels = cap.get(cv2.CAP_PROP_FRAME_WIDTH) * cap.get(cv2.CAP_PROP_FRAME_HEIGHT) / 1e6
        by_size = 0.02 + 0.006 * max(megapixels, 0.0)
        # the fastest of many grabs is a decode; the fastest of a few may be a camera wait
        learnt = 2.0 * self._grab_floor + 0.003 if self._grabs >= 20 else 0.0
        return max(by_size, learnt)

    def close(self) -> None:
        if self._cap is not None:
            try:
                self._cap.release()
            except Exception:  # noqa: BLE001, S110 (releasing a dead capture must not raise)
                pass
        self._cap = None
        self._still = None
        self._jpegs = False

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- internals -----------------------------------------------------------------------

    def _label(self) -> str:
        """The source for messages: a URL without credentials, a path as given."""
        s = self.source
        if self.kind == "network" and "@" in s:
            scheme, _, rest = s.partition("://")
            s = f"{scheme}://***@{rest.split('@', 1)[1]}"
        return repr(s)

    def _load_still(self) -> np.ndarray:
        path = Path(self.source)
        try:
            data = np.fromfile(path, dtype=np.uint8)
        except OSError as exc:
            raise CameraError(f"camera image {self._label()} cannot be read: "
                              f"{exc.strerror or type(exc).__name__}") from None
        try:  # refused by its header's size before decoding (an image bomb)
            flags = cv2.IMREAD_GRAYSCALE if self.grey else cv2.IMREAD_COLOR
            image = imdecode_capped(data, flags) if data.size else None
        except ImageRefused as exc:
            raise CameraError(f"camera image {self._label()} is not a readable image"
                              if exc.reason == "unreadable"
                              else f"camera image {self._label()}: {exc}") from None
        if image is None:
            raise CameraError(f"camera image {self._label()} is not a readable image")
        return image

    def _probe_server(self) -> None:
        url = urlsplit(self.source.strip())
        if url.scheme == "udp":
            return  # nothing answers a connection: only reading tells
        try:
            port = url.port or DEFAULT_PORTS.get(url.scheme, 0)
            with socket.create_connection((url.hostname or "", port), self.open_timeout_s):
                pass
        except (OSError, ValueError) as exc:
            raise CameraError(f"camera {self._label()} does not answer: "
                              f"{getattr(exc, 'strerror', None) or type(exc).__name__}") from None

    def _new_capture(self) -> cv2.VideoCapture:
        if self.kind == "v4l2":
            target: str | int = int(self.source) if self.source.isdigit() else self.source
            return cv2.VideoCapture(target, cv2.CAP_V4L2)
        if self.kind == "video" and not os.path.exists(self.source):
            raise CameraError(f"camera video {self._label()} does not exist")
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(self.open_timeout_s * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(self.read_timeout_s * 1000)]
        return cv2.VideoCapture(self.source, cv2.CAP_FFMPEG, params)


def _fourcc(cap: cv2.VideoCapture) -> str:
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    return code.to_bytes(4, "little").decode("ascii", "replace")
