"""Pages for the materials screen: the document camera's live preview and captures, and the
flatbed scanner, as the screens need them (JPEG bytes and quality codes, never a driver object).

Auto-capture: the camera reports a page that lay still; the service passes it on only while a
screen is waiting for one (`want_pages`), so a page left on the platen between citizens never
lands in the next citizen's application. Frames are not kept here: the preview is the driver's
latest (overwritten every poll), a captured page lives only as the bytes handed to the journey,
which writes them into the session directory.

The camera streams only while a screen shows its preview (`watch_preview`): the rest of the
time it stands by, present and checked but with no decoder or frames held (issue 16).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from drivers.device import Device, DeviceError, DeviceEvent, EventKind
from drivers.document.output import encode_jpeg
from drivers.document.page import Page
from kiosk.journeys.problems import WORDS, JourneyProblem
from kiosk.listeners import Listeners

log = logging.getLogger(__name__)

QUALITY_CODES = ("no_page", "cut_off", "blurry", "glare", "too_dark")


SCREEN_PREVIEW_MAX_SIDE = 640  # what a texture upload on the main loop can afford
PREVIEW_POLL_S = 0.05  # how often the preview worker looks for a new camera frame


@dataclass(frozen=True)
class PreviewFrame:
    rgba: np.ndarray  # H×W×4, top row first: the format GL uploads without converting
    outline: tuple[tuple[float, float], ...] | None  # the page's corners in frame pixels
    at: float  # when the camera took it: a screen redraws only for a newer frame


@dataclass(frozen=True)
class CapturedPage:
    """A page ready for the journey (`jpeg`), or why it should be taken again (`issues`)."""

    jpeg: bytes
    issues: tuple[str, ...]  # quality codes; empty = good
    source: str  # "camera" or "scanner"
    auto: bool  # the camera took it by itself

    @property
    def ok(self) -> bool:
        return not self.issues


class DocumentService:
    def __init__(self, devices: Iterable[Device], *, jpeg_quality: int = 85) -> None:
        self._camera: Any = None
        self._scanner: Any = None
        for device in devices:
            kind = getattr(device, "kind", "")
            if kind == "doc_camera" and self._camera is None:
                self._camera = device
            elif kind == "scanner" and self._scanner is None:
                self._scanner = device
        self._quality = jpeg_quality
        self._wanted = threading.Event()
        self._preview: PreviewFrame | None = None
        self._preview_stop: threading.Event | None = None  # set: the preview worker ends
        self._preview_lock = threading.Lock()  # a frame is kept only while watched
        self._listeners: Listeners[CapturedPage] = Listeners("documents")
        self._ways_listeners: Listeners[tuple[bool, bool]] = Listeners("document ways")
        self._ways = (self.has_camera, self.has_scanner)
        self._ways_lock = threading.Lock()
        self._unsubscribe: list[Callable[[], None]] = [
            device.subscribe(self._on_status) for device in (self._camera, self._scanner)
            if device is not None]
        if self._camera is not None:
            self._unsubscribe.append(self._camera.subscribe(self._on_camera_event))
            self._camera.stream(False)  # until a screen watches

    @property
    def has_camera(self) -> bool:
        return self._camera is not None and self._camera.status.usable

    @property
    def has_scanner(self) -> bool:
        return self._scanner is not None and self._scanner.status.usable

    def subscribe_ways(self, callback: Callable[[tuple[bool, bool]], None]
                       ) -> Callable[[], None]:
        """Call `callback` (on a driver thread) with (has_camera, has_scanner) when either
        changes: a screen offering them follows a scanner's lid closed or a camera unplugged."""
        return self._ways_listeners.add(callback)

    def subscribe(self, callback: Callable[[CapturedPage], None]) -> Callable[[], None]:
        """Pages the camera took by itself while wanted (called on the camera's thread)."""
        return self._listeners.add(callback)

    def want_pages(self, on: bool) -> None:
        self._wanted.set() if on else self._wanted.clear()

    def watch_preview(self, on: bool) -> None:
        """While a screen shows the preview, a worker prepares each new camera frame for
        drawing (downscaled, RGBA), so the main loop only uploads it (issue 16: the resize and
        conversion ran on the main loop). Off: the worker ends, the last frame is dropped and
        the camera stands by."""
        with self._preview_lock:
            if self._preview_stop is not None:
                self._preview_stop.set()
                self._preview_stop = None
            self._preview = None
        if self._camera is not None:
            self._camera.stream(on)
        if on and self._camera is not None:
            stop = self._preview_stop = threading.Event()
            threading.Thread(target=self._prepare_previews, args=(stop,),
                             name="documents-preview", daemon=True).start()

    def preview(self) -> PreviewFrame | None:
        """The latest frame the worker prepared, with the page outline (never blocks; None
        before the first one or while nobody watches)."""
        return self._preview

    def _prepare_previews(self, stop: threading.Event) -> None:
        while not stop.wait(PREVIEW_POLL_S):
            try:
                frame = self._prepare(self._preview)
            except Exception:  # a broken frame must not end the preview
                log.exception("documents: a preview frame could not be prepared")
                continue
            with self._preview_lock:
                if not stop.is_set():  # a frame prepared as the screen left is not kept
                    self._preview = frame

    def _prepare(self, last: PreviewFrame | None) -> PreviewFrame | None:
        preview = self._camera.preview if self._camera is not None else None
        if preview is None:
            return None
        if last is not None and last.at == preview.at:
            return last
        frame = preview.frame
        scale = min(1.0, SCREEN_PREVIEW_MAX_SIDE / max(frame.shape[:2]))
        if scale < 1.0:
            frame = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        outline = (tuple((x * scale, y * scale) for x, y in preview.quad)
                   if preview.quad else None)
        return PreviewFrame(cv2.cvtColor(frame, cv2.COLOR_BGR2RGBA), outline, preview.at)

    def capture(self) -> CapturedPage:
        """Take the page now. Blocking (waits for the camera): call from a worker."""
        if self._camera is None:
            raise DeviceError("missing", "no document camera")
        try:
            page = self._camera.capture().result(timeout=30)
        except DeviceError as exc:
            if exc.reason not in QUALITY_CODES:
                raise
            # nothing (usable) under the camera: a page to take again, as a poor one is, not a
            # failure (the explorer's tap on 拍照 with no page left the screen "unexpected")
            return CapturedPage(b"", (exc.reason,), "camera", auto=False)
        return self._page(page, auto=False)

    def scan(self) -> CapturedPage:
        """One page from the flatbed. Blocking (a scan takes seconds): call from a worker."""
        if self._scanner is None:
            raise scan_failed("missing")
        try:
            pages = self._scanner.scan(pages=1).result(timeout=120)
        except DeviceError as exc:  # jam, lid, timeout, I/O: the citizen is told, not a fault
            log.warning("documents: scan failed (%s)", exc.reason)
            raise scan_failed(exc.reason) from exc
        if not pages:
            raise scan_failed("no_page")
        return self._page(pages[0], auto=False)

    def close(self) -> None:
        self.watch_preview(False)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _page(self, page: Page, *, auto: bool) -> CapturedPage:
        issues = tuple(i.code for i in page.issues)
        return CapturedPage(encode_jpeg(page.image, self._quality), issues, page.source, auto)

    def _on_status(self, event: DeviceEvent) -> None:
        if event.kind != EventKind.STATUS_CHANGED:
            return
        with self._ways_lock:
            ways = (self.has_camera, self.has_scanner)
            if ways == self._ways:
                return
            self._ways = ways
        self._ways_listeners.notify(ways)

    def _on_camera_event(self, event: DeviceEvent) -> None:
        if event.kind != EventKind.PAGE_CAPTURED or not event.data.get("auto"):
            return
        if not self._wanted.is_set():
            log.info("documents: a page lay still while no screen wanted one; ignored")
            return
        page = event.data.get("page")
        if not isinstance(page, Page):
            return
        try:
            captured = self._page(page, auto=True)
        except Exception:  # a broken frame must not reach the citizen or stop the camera
            log.exception("documents: an automatic capture could not be encoded")
            return
        self._listeners.notify(captured)


def scan_failed(reason: str) -> JourneyProblem:
    """A failed scan in the citizen's words: the lid and a jam have their own, the rest (no
    scanner, a timeout, a broken link) one that points to the camera."""
    code = f"journey.scan_failed.{reason}"
    return JourneyProblem(code if code in WORDS else "journey.scan_failed", detail=reason)
