"""libsane in a child process of its own, so a wedged backend cannot take the kiosk with it.

Why not in-process (both seen here with the test backend, whose reader runs in sanei_thread
like many real backends'): after a scan, SIGPIPE is reset to SIG_DFL for the whole process; and
a job that ends in an error status (jam, cover open, empty feeder) leaves a reader thread that
sane_cancel() kills with asynchronous pthread cancellation, which can die holding a malloc
arena lock: the next free() in any thread of the process then blocks forever (the test suite
hung that way in gdb: main thread and the exiting reader both in _int_free on the same lock).

So: one spawned worker process per scanner, requests over a multiprocessing pipe, a deadline
on every request (a hung worker is killed and a fresh one spawned on the next request), and
after a job that failed the worker answers first and then exits without cancelling anything,
so no poisoned heap outlives the job. SANE_CONFIG_DIR is set in the worker only, which also
lifts libsane's one-config-dir-per-process limit from the kiosk process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# sane_strstatus() texts (what python-sane's _sane.error carries) -> our reason codes
STATUS_REASONS = (
    ("jammed", "paper_jam"),
    ("out of documents", "feeder_empty"),
    ("cover is open", "cover_open"),
    ("busy", "busy"),
    ("i/o", "io_error"),
    ("no memory", "io_error"),
    ("access", "access_denied"),
    ("cancelled", "cancelled"),
    ("invalid", "invalid_argument"),
)


class WorkerError(Exception):
    """A request failed; `reason` is machine-readable, `pages` were complete before it."""

    def __init__(self, reason: str, message: str, pages: list[np.ndarray] | None = None):
        super().__init__(message)
        self.reason = reason
        self.pages = list(pages or [])


def reason_for(exc: BaseException) -> str:
    text = str(exc).lower()
    for needle, reason in STATUS_REASONS:
        if needle in text:
            return reason
    return "scan_failed"


# ---- the child side --------------------------------------------------------------------------

def _pil_to_array(image: Any) -> np.ndarray:
    import cv2

    if image.mode in ("1", "L"):
        return np.asarray(image.convert("L"))
    if image.mode in ("I;16", "I"):
        return (np.asarray(image, dtype=np.uint32) >> 8).astype(np.uint8)
    return cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)


def _choices(dev: Any, option: str) -> list[str]:
    try:
        constraint = dev[option].constraint
    except (KeyError, AttributeError):
        return []
    return [str(c) for c in constraint] if isinstance(constraint, list) else []


class _Backend:
    """libsane, re-initialised for every request (finds replugged devices, reads test.conf)."""

    def __init__(self) -> None:
        import sane

        from drivers.document import sane_env

        self.sane = sane
        self.sane_env = sane_env
        self.initialised = False

    def hello(self) -> bool:
        return True

    def reinit(self) -> None:
        try:
            if self.initialised:
                self.initialised = False
                self.sane.exit()
            self.sane.init()
            self.initialised = True
        finally:
            self.sane_env.keep_sigpipe_ignored()

    def find(self, wanted: str) -> tuple[str, str]:
        devices = self.sane.get_devices()
        for name, vendor, model, _type in devices:
            if not wanted or name == wanted:
                return str(name), f"{vendor} {model}".strip()
        raise WorkerError("no_device",
                          f"SANE lists no {wanted or 'scanner'!r} ({len(devices)} device(s))")

    def probe(self, device: str) -> dict[str, Any]:
        self.reinit()
        name, model = self.find(device)
        dev = self.sane.open(name)  # an open answers: the scanner is there and free
        try:
            return {"device": name, "model": model, "sources": _choices(dev, "source"),
                    "modes": _choices(dev, "mode")}
        finally:
            dev.close()

    def scan(self, device: str, dpi: int, mode: str, source: str | None, pages: int
             ) -> list[np.ndarray]:
        """Scan up to `pages` (0 = until the feeder is empty). On failure WorkerError with the
        complete pages; the device is deliberately NOT closed then (see the module doc)."""
        self.reinit()
        name, _ = self.find(device)
        dev = self.sane.open(name)
        modes = _choices(dev, "mode")
        if modes:
            dev.mode = mode if mode in modes else ("Gray" if "Gray" in modes else modes[0])
        try:
            dev.resolution = dpi
            if source:
                dev.source = source
        except Exception as exc:  # noqa: BLE001 (_sane.error, ValueError, AttributeError)
            raise WorkerError("invalid_argument", f"scanner refused the settings: {exc}") from None
        done: list[np.ndarray] = []
        while pages == 0 or len(done) < pages:
            try:
                try:
                    image = dev.scan()
                finally:
                    self.sane_env.keep_sigpipe_ignored()
            except Exception as exc:  # noqa: BLE001 (_sane.error: mapped to a reason)
                reason = reason_for(exc)
                if reason == "feeder_empty" and pages == 0 and done:
                    break
                raise WorkerError(reason, f"scan stopped after {len(done)} page(s): {reason}",
                                  done) from None
            done.append(_pil_to_array(image))
        dev.close()
        self.sane_env.keep_sigpipe_ignored()
        return done


def _serve(conn: Connection, config_dir: str) -> None:
    """The worker's main loop: one request at a time until the pipe closes."""
    if config_dir:
        os.environ["SANE_CONFIG_DIR"] = config_dir
    backend = _Backend()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        op, kwargs = request
        try:
            result = getattr(backend, op)(**kwargs)
        except WorkerError as exc:
            conn.send(("error", exc.reason, str(exc), exc.pages))
            if op == "scan":
                os._exit(0)  # a reader thread may still run: leave, do not cancel it
            continue
        except Exception as exc:  # noqa: BLE001 (anything libsane says becomes a reason)
            conn.send(("error", reason_for(exc), f"{type(exc).__name__}: {exc}"[:200], []))
            os._exit(0)
        conn.send(("ok", result))


# ---- the parent side -------------------------------------------------------------------------

class SaneWorker:
    """The parent's handle on the worker; used from one driver thread only."""

    SPAWN_TIMEOUT = 30.0  # a cold Python start with numpy and libsane on a slow disk

    def __init__(self, config_dir: str = ""):
        self.config_dir = str(config_dir or "")
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def request(self, op: str, timeout: float, **kwargs: Any) -> Any:
        """Run `op` in the worker; WorkerError on failure, timeout or a dead worker."""
        if not self.alive:
            self._spawn()
            self.request("hello", self.SPAWN_TIMEOUT)  # start-up does not eat the job's time
        assert self._conn is not None
        try:
            self._conn.send((op, kwargs))
            if not self._conn.poll(timeout):
                self.close()
                raise WorkerError("timeout", f"scanner did not answer {op} within {timeout:g} s")
            reply = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.close()
            raise WorkerError("worker_died", f"the SANE worker died during {op}") from None
        if reply[0] == "ok":
            return reply[1]
        _, reason, message, pages = reply
        if op == "scan" or reason not in ("no_device",):
            self.close()  # the worker exits after a failed job; reap it
        raise WorkerError(reason, message, pages)

    def close(self) -> None:
        conn, proc = self._conn, self._proc
        self._conn, self._proc = None, None
        if conn is not None:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        if proc is not None:
            proc.join(0.5)
            if proc.is_alive():
                proc.kill()
                proc.join(2)

    def _spawn(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child, self.config_dir),
                                 name="sane-worker", daemon=True)
        proc.start()
        child.close()
        self._conn, self._proc = parent, proc
