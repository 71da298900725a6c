"""QR codes shown to a camera (phone screens, printed slips): frames in, CODE_SCANNED out.

The driver thread reads the freshest frame every poll, decodes it, and reports each code once
while it is held in view (see RecentCodes). A read that fails closes the stream; the next poll
opens it again, and `missed_polls_to_offline` failures in a row take the device offline, after
which the device model reopens it every `reopen_interval` seconds (unplug/replug, a camera
that went silent, a restarted stream server). Frames are never kept beyond one poll.

CODE_SCANNED data: {"text", "format", "source", "encoding", "center"}; a code that was read but
refused by payload rules gives {"text": None, "refused": reason, "format", "source"} so the
screen can say the code cannot be used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from drivers.camera.capture import CameraError, FrameSource
from drivers.device import Device, DeviceState, DeviceStatus, EventKind
from drivers.qr.decode import DECODERS, DEFAULT_FORMATS, decode_frame
from drivers.qr.payload import MAX_PAYLOAD_BYTES, PayloadError, scanned_code
from drivers.qr.recent import RecentCodes

log = logging.getLogger(__name__)


class QrCameraScanner(Device):
    kind = "qr_camera"

    def __init__(self, name: str = "qr_camera", *, source: str, width: int = 0, height: int = 0,
                 decoder: str = "zxing", formats: Sequence[str] = DEFAULT_FORMATS,
                 poll_interval: float = 0.2, repeat_suppress_s: float = 3.0,
                 missed_polls_to_offline: int = 3, reopen_interval: float = 1.0,
                 read_timeout_s: float = 1.5, open_timeout_s: float = 3.0,
                 max_payload_bytes: int = MAX_PAYLOAD_BYTES):
        super().__init__(name, poll_interval=poll_interval,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval)
        if decoder not in DECODERS:
            raise ValueError(f"unknown decoder {decoder!r}; use one of {', '.join(DECODERS)}")
        self.decoder = decoder
        self.formats = tuple(formats)
        self.max_payload_bytes = max_payload_bytes
        self._frames = FrameSource(source, width, height, open_timeout_s=open_timeout_s,
                                   read_timeout_s=read_timeout_s, grey=True)  # all it reads
        self._recent = RecentCodes(repeat_suppress_s)
        self.frames_read = 0
        self.last_decode_ms: float | None = None

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"decoder": self.decoder, "formats": list(self.formats),
                "source_kind": self._frames.kind}

    def clear_recent(self) -> None:
        """Report the next sighting of any code, even one just reported (a new session)."""
        self._recent.clear()

    # ---- Device -------------------------------------------------------------------------

    def _open(self) -> None:
        self._frames.open()

    def _close(self) -> None:
        self._frames.close()

    def _poll(self) -> DeviceStatus:
        if not self._frames.is_open:
            self._frames.open()  # the previous read failed and closed the stream
        try:
            frame = self._frames.read_latest()
        except CameraError:
            self._frames.close()  # a VideoCapture never recovers by itself: reopen next poll
            raise
        self.frames_read += 1
        started = time.perf_counter()
        codes = decode_frame(frame, self.decoder, self.formats)
        self.last_decode_ms = (time.perf_counter() - started) * 1000
        del frame
        for code in codes:
            if self._recent.should_report((code.format, code.raw)):
                self._report(code.raw, code.format, list(code.center))
        return DeviceStatus(DeviceState.ONLINE)

    def _report(self, raw: bytes, fmt: str, center: list[int]) -> None:
        try:
            scanned = scanned_code(raw, fmt, self.name, self.max_payload_bytes)
        except PayloadError as exc:
            log.warning("%s: %s code refused: %s", self.name, fmt, exc)
            self._emit(EventKind.CODE_SCANNED, {"text": None, "refused": exc.reason,
                                                "format": fmt, "source": self.name})
            return
        log.info("%s: %s code read: %s", self.name, fmt, scanned.masked())
        self._emit(EventKind.CODE_SCANNED, {**scanned.as_event(), "center": center})
