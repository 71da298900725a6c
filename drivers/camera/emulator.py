"""A camera on the network: an MJPEG stream over HTTP that cv2.VideoCapture opens by URL.

This is the route IP cameras and many USB-camera bridges use (multipart/x-mixed-replace, one
JPEG per part), and OpenCV's FFmpeg backend reads it through a real TCP socket, so the driver
under test runs exactly the code it runs against a real stream. Steering:
  show_image(path)  the camera sees this image (fitted into the frame, grey around it)
  show_frame(array) a BGR frame (Python only; tests build degraded frames this way)
  blank()           an empty grey scene
  silent(enabled)   connections stay open but no frames are sent (a hung camera)
  unplug()          the server closes every connection and refuses new ones
  replug()          the server listens again on the same port (the URL stays valid)
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from drivers.emulation.base import Emulator
from drivers.image_limits import ImageRefused, imdecode_capped

log = logging.getLogger(__name__)

BOUNDARY = "kioskframe"
BLANK_GREY = 128


def fit_into(image: np.ndarray, size: tuple[int, int], background: int = BLANK_GREY) -> np.ndarray:
    """`image` scaled to fit a (width, height) frame, centred on grey: what a camera would see."""
    width, height = size
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image.copy()
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST
    resized = cv2.resize(image, (new_w, new_h), interpolation=interp)
    canvas = np.full((height, width, 3), background, dtype=np.uint8)
    x, y = (width - new_w) // 2, (height - new_h) // 2
    canvas[y:y + new_h, x:x + new_w] = resized
    return canvas


class CameraEmulator(Emulator):
    def __init__(self, run_dir: Path, name: str = "camera", port: int = 0, fps: float = 10,
                 size: tuple[int, int] = (1920, 1080), jpeg_quality: int = 90):
        self.run_dir = Path(run_dir)
        self.name = name
        self.fps = fps
        self.size = (int(size[0]), int(size[1]))
        self.jpeg_quality = jpeg_quality
        self._port = port
        self._lock = threading.Lock()
        self._jpeg = b""
        self._frame_no = 0
        self._silent = False
        self._server: ThreadingHTTPServer | None = None
        self._serving: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._plugged = threading.Event()
        self.frames_sent = 0
        self.streams_served = 0  # connections to /stream.mjpg: a reconnecting driver adds one

    # ---- Emulator -----------------------------------------------------------------------

    def start(self) -> None:
        if self._server is not None:
            return
        if not self._jpeg:
            self.blank()
        self._listen()

    def stop(self) -> None:
        self.unplug()

    def endpoints(self) -> dict[str, Any]:
        return {"url": self.url, "snapshot": f"http://127.0.0.1:{self._port}/snapshot.jpg",
                "plugged": self._plugged.is_set(), "silent": self._silent}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"show_image": self.show_image, "blank": self.blank, "silent": self.silent,
                "unplug": self.unplug, "replug": self.replug}

    @property
    def streams_open(self) -> int:
        """Clients being sent frames now (a driver standing by holds none)."""
        with self._lock:
            return len(self._connections)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/stream.mjpg"

    # ---- steering -----------------------------------------------------------------------

    def show_image(self, path: str) -> dict[str, Any]:
        try:
            data = np.fromfile(str(path), dtype=np.uint8)
        except OSError as exc:
            raise ValueError(f"{path!r} cannot be read: {exc.strerror or type(exc).__name__}"
                             ) from None
        try:
            image = imdecode_capped(data, cv2.IMREAD_COLOR) if data.size else None
        except ImageRefused as exc:
            raise ValueError(f"{path!r} is not a readable image" if exc.reason == "unreadable"
                             else f"{path!r}: {exc}") from None
        if image is None:
            raise ValueError(f"{path!r} is not a readable image")
        self._set_frame(fit_into(image, self.size))
        return {"shown": str(path)}

    def show_frame(self, frame: np.ndarray) -> None:
        """Send `frame` (BGR or grey) as is when it has the camera's size, else fitted into it.

        A camera streams one resolution; OpenCV's FFmpeg reader keeps the size of the first
        frame it saw and rescales later frames of another size.
        """
        self._set_frame(fit_into(frame, self.size))

    def blank(self) -> dict[str, Any]:
        width, height = self.size
        self._set_frame(np.full((height, width, 3), BLANK_GREY, dtype=np.uint8))
        return {"shown": "blank"}

    def silent(self, enabled: bool = True) -> dict[str, Any]:
        self._silent = bool(enabled)
        return {"silent": self._silent}

    def unplug(self) -> dict[str, Any]:
        self._plugged.clear()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._serving is not None:
            self._serving.join(2)
            self._serving = None
        return {"plugged": False}

    def replug(self) -> dict[str, Any]:
        if self._server is None:
            self._listen()
        return {"plugged": True, "url": self.url}

    # ---- internals ----------------------------------------------------------------------

    def _set_frame(self, frame: np.ndarray) -> None:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ValueError("frame could not be encoded as JPEG")
        with self._lock:
            self._jpeg = buf.tobytes()
            self._frame_no += 1

    def _current(self) -> bytes:
        with self._lock:
            return self._jpeg

    def _listen(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        self._plugged.set()
        self._serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                         name=f"emu-{self.name}", daemon=True)
        self._serving.start()

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        """Send frames at `fps` until the client leaves or the camera is unplugged."""
        conn = handler.connection
        with self._lock:
            self._connections.add(conn)
            self.streams_served += 1
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            handler.send_header("Cache-Control", "no-cache")
            handler.send_header("Connection", "close")
            handler.end_headers()
            period = 1.0 / self.fps
            next_at = time.monotonic()
            while self._plugged.is_set():
                if not self._silent:
                    jpeg = self._current()
                    head = (f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                            f"Content-Length: {len(jpeg)}\r\n\r\n").encode("ascii")
                    handler.wfile.write(head + jpeg + b"\r\n")
                    handler.wfile.flush()
                    self.frames_sent += 1
                next_at += period
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_at = time.monotonic()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client went away or we were unplugged
        finally:
            with self._lock:
                self._connections.discard(conn)


def _handler_for(emulator: CameraEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/stream.mjpg":
                emulator._stream(self)
            elif path == "/snapshot.jpg":
                jpeg = emulator._current()
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(jpeg)))
                self.end_headers()
                self.wfile.write(jpeg)
            else:
                self.send_error(404)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s: " + format, emulator.name, *args)

    return Handler
