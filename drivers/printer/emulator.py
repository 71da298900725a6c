"""A thermal ESC/POS printer on a pseudo-terminal and on TCP (port 9100 style), in-process.

It parses what it receives with the same parser the tests use, answers DLE EOT with status
bytes for its current condition, answers GS ( H process-ID requests once everything before
them has "printed", and renders each job (up to a cut) to run_dir/printer/jobs/NNNN.png.

Like a real printer that ran out of paper, it stops printing: data arriving while the paper is
out or the cover is open is dropped (a real one holds it in its buffer; the driver clears that
buffer with DLE DC4 8 after a failed job), while real-time status requests are still answered.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from drivers.emulation.pty_link import PtyLink
from drivers.printer import escpos_parser as p
from drivers.printer.render import JobRenderer, RenderedJob
from drivers.printer.status import encode_replies

log = logging.getLogger(__name__)

Reply = Callable[[bytes], None]


class _Stream:
    """Parser and renderer state of one connection (the pty, or one TCP client)."""

    def __init__(self, dots: int):
        self.parser = p.EscPosParser()
        self.renderer = JobRenderer(dots)


_SLICE = 32  # bytes taken in at a time on a paced line (33 ms at 9600 baud)


class PrinterEmulator(Emulator):
    name = "printer"

    def __init__(self, run_dir: Path, paper_width_mm: int = 80, tcp_port: int = 0,
                 dots_per_line: int | None = None, baudrate: int | None = None):
        """`baudrate`: take in pty bytes no faster than a serial wire at that rate would
        deliver them (8N1), so a job's end-to-end time includes the real wire time."""
        if paper_width_mm not in (58, 80):
            raise ValueError("paper_width_mm must be 58 or 80")
        self.run_dir = Path(run_dir)
        self.paper_width_mm = paper_width_mm
        self.dots = dots_per_line or (576 if paper_width_mm == 80 else 384)
        self.jobs_dir = self.run_dir / "printer" / "jobs"
        self.link = PtyLink(self.run_dir / "printer.tty")
        self.baudrate = baudrate
        self._requested_port = tcp_port
        self.tcp_port = 0
        self._lock = threading.RLock()
        self._running = threading.Event()
        self._plugged = False
        self._listener: socket.socket | None = None
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._pty_stream = _Stream(self.dots)
        self._streams: list[_Stream] = [self._pty_stream]
        # condition
        self._paper_out = False
        self._paper_out_after: int | None = None
        self._near_end = False
        self._cover_open = False
        self._silent = False
        self._garbage = False
        self._ignore_process_id = False
        # records
        self._jobs: list[dict[str, Any]] = []
        self.dropped_bytes = 0
        self.unknown: list[bytes] = []
        self.status_requests = 0

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._running.is_set():
            return
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        self._running.set()
        self._plug()
        self._spawn(self._pty_loop, "printer-emu-pty")
        self._spawn(self._accept_loop, "printer-emu-tcp")

    def stop(self) -> None:
        self._running.clear()
        self._unplug()
        for t in self._threads:
            t.join(2.0)
        self._threads.clear()

    def endpoints(self) -> dict[str, Any]:
        return {"pty": str(self.link.link_path), "host": "127.0.0.1", "tcp_port": self.tcp_port,
                "jobs_dir": str(self.jobs_dir), "paper_width_mm": self.paper_width_mm,
                "dots_per_line": self.dots}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"paper_out": self.paper_out, "paper_near_end": self.paper_near_end,
                "reload_paper": self.reload_paper, "cover_open": self.cover_open,
                "silent": self.silent, "garbage": self.garbage, "unplug": self.unplug,
                "replug": self.replug, "drop_connections": self.drop_connections,
                "jobs": self.jobs, "job_log": self.job_log,
                "ignore_process_id": self.ignore_process_id}

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    # ---- controls ------------------------------------------------------------------------

    def paper_out(self, after_bytes: int | None = None) -> None:
        """Run out of paper now, or after `after_bytes` more bytes of print data."""
        with self._lock:
            if after_bytes is None:
                self._set_paper_out()
            else:
                self._paper_out_after = max(0, int(after_bytes))

    def paper_near_end(self, enabled: bool = True) -> None:
        with self._lock:
            self._near_end = bool(enabled)

    def reload_paper(self) -> None:
        with self._lock:
            self._paper_out = False
            self._paper_out_after = None
            self._near_end = False

    def cover_open(self, enabled: bool = True) -> None:
        with self._lock:
            self._cover_open = bool(enabled)
            if enabled:
                self._cut_short_all()

    def silent(self, enabled: bool = True) -> None:
        """Stop answering anything (a hung or powered-off printer whose cable is still in)."""
        with self._lock:
            self._silent = bool(enabled)

    def ignore_process_id(self, enabled: bool = True) -> None:
        """Print but never answer GS ( H, like the many clones that do not implement it."""
        with self._lock:
            self._ignore_process_id = bool(enabled)

    def garbage(self, enabled: bool = True) -> None:
        """Answer status requests with 0xFF (a wrong device, or a wrong baud rate)."""
        with self._lock:
            self._garbage = bool(enabled)

    def drop_connections(self) -> None:
        """Close every TCP client connection but keep listening (what printers do when idle)."""
        with self._lock:
            for client in self._clients:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def unplug(self) -> None:
        self._unplug()

    def replug(self) -> None:
        if self._running.is_set():
            self._plug()

    def jobs(self) -> list[str]:
        with self._lock:
            return [j["path"] for j in self._jobs]

    def job_log(self) -> list[dict[str, Any]]:
        """Every job: path, text lines, QR contents, whether it was cut short."""
        with self._lock:
            return [dict(j) for j in self._jobs]

    # ---- plugging ------------------------------------------------------------------------

    def _plug(self) -> None:
        with self._lock:
            if self._plugged:
                return
            self._streams = [s for s in self._streams if s is not self._pty_stream]
            self._pty_stream = _Stream(self.dots)
            self._streams.append(self._pty_stream)
            self.link.open()
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.tcp_port or self._requested_port))
            listener.listen(4)
            listener.settimeout(0.1)
            self.tcp_port = listener.getsockname()[1]
            self._listener = listener
            self._plugged = True

    def _unplug(self) -> None:
        with self._lock:
            self._plugged = False
            self.link.close()
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for client in self._clients:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                client.close()
            self._clients.clear()

    # ---- I/O loops -----------------------------------------------------------------------

    def _pty_loop(self) -> None:
        while self._running.is_set():
            data = self.link.read(0.05)
            if not data:
                continue
            if not self.baudrate:
                self._receive(self._pty_stream, data, self.link.write)
                continue
            # Honest at any baud rate: a byte is acted on only once it has crossed the wire
            # (8N1), so "job done" and status replies come after the bytes before them.
            clock = time.perf_counter()
            for at in range(0, len(data), _SLICE):
                piece = data[at:at + _SLICE]
                clock += len(piece) * 10 / self.baudrate
                left = clock - time.perf_counter()
                if left > 0:
                    time.sleep(left)
                self._receive(self._pty_stream, piece, self.link.write)

    def _accept_loop(self) -> None:
        while self._running.is_set():
            listener = self._listener
            if listener is None:
                threading.Event().wait(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                threading.Event().wait(0.05)
                continue
            client.settimeout(0.1)
            with self._lock:
                self._clients.append(client)
            threading.Thread(target=self._client_loop, args=(client,), daemon=True,
                             name="printer-emu-client").start()

    def _client_loop(self, client: socket.socket) -> None:
        stream = _Stream(self.dots)
        with self._lock:
            self._streams.append(stream)

        def reply(data: bytes) -> None:
            try:
                client.sendall(data)
            except OSError:
                pass

        try:
            while self._running.is_set():
                try:
                    data = client.recv(65536)
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    break
                if not data:
                    break
                self._receive(stream, data, reply)
        finally:
            with self._lock:
                if client in self._clients:
                    self._clients.remove(client)
                if stream in self._streams:
                    self._streams.remove(stream)
            client.close()

    # ---- the printer mechanism -----------------------------------------------------------

    def _receive(self, stream: _Stream, data: bytes, reply: Reply) -> None:
        with self._lock:
            if self._silent:
                self.dropped_bytes += len(data)
                return
            for command, size in stream.parser.feed_sized(data):
                try:
                    self._obey(stream, command, size, reply)
                except Exception:  # garbage must never stop the emulator
                    log.exception("printer emulator: command %r failed", type(command).__name__)

    def _blocked(self) -> bool:
        return self._paper_out or self._cover_open

    def _obey(self, stream: _Stream, command: p.Command, size: int, reply: Reply) -> None:
        if isinstance(command, p.StatusRequest):
            self.status_requests += 1
            replies = encode_replies(cover_open=self._cover_open, paper_out=self._paper_out,
                                     near_end=self._near_end)
            reply(b"\xff" if self._garbage else bytes([replies[command.n]]))
            return
        if isinstance(command, p.ClearBuffers):
            reply(b"\x37\x25\x00")
            return
        if self._paper_out_after is not None and not self._blocked():
            self._paper_out_after -= size
            if self._paper_out_after < 0:
                self._paper_out_after = None
                self._set_paper_out()
        if self._blocked():
            self.dropped_bytes += size
            return
        if isinstance(command, p.Unknown):
            self.unknown.append(command.raw[:32])
        if isinstance(command, p.ProcessIdRequest):
            if self._ignore_process_id:
                return
            reply(b"\x37\x22" + command.process_id + b"\x00")
            return
        job = stream.renderer.apply(command)
        if job is not None:
            self._save(job)

    def _set_paper_out(self) -> None:
        self._paper_out = True
        self._cut_short_all()

    def _cut_short_all(self) -> None:
        """What was printed of an unfinished job comes out as a short, uncut piece."""
        for stream in self._streams:
            if not stream.renderer.empty:
                self._save(stream.renderer.finish(truncated=True))

    def _save(self, job: RenderedJob) -> None:
        number = len(self._jobs) + 1
        path = self.jobs_dir / f"{number:04d}.png"
        job.image.save(path)
        self._jobs.append({"path": str(path), "lines": job.lines, "qr_codes": job.qr_codes,
                           "rasters": job.rasters, "cut": job.cut, "truncated": job.truncated,
                           "unknown": [u.hex() for u in job.unknown]})
        log.info("printer emulator: job %04d rendered (%d lines%s)", number, len(job.lines),
                 ", cut short" if job.truncated else "")
