"""A pseudo-terminal whose slave side is reachable under a stable symlink, like a udev name.

Closing the link is an unplug (the driver's reads fail), opening it again is a replug on a new
/dev/pts/N behind the same symlink, which is exactly what a USB-serial adapter does.
"""

from __future__ import annotations

import os
import select
import termios
import threading
import time
import tty
from pathlib import Path


class PtyLink:
    def __init__(self, link_path: str | os.PathLike[str], baudrate: int | None = None):
        """`baudrate`, when set, paces writes to the time the bytes would take on a real wire."""
        self.link_path = Path(link_path)
        self.baudrate = baudrate
        self._master: int | None = None
        self._slave: int | None = None
        self._lock = threading.Lock()
        # Reads and writes in flight: close() takes the numbers away, waits for these, and only
        # then closes them. Closed under a read, a number is free for the next open() anywhere
        # in the process, and the read went on in that file: a test's default.toml lost its
        # first bytes to the printer emulator's reader (a fleet test failed twice that way).
        self._in_flight = 0
        self._idle = threading.Condition()

    @property
    def is_open(self) -> bool:
        return self._master is not None

    @property
    def slave_name(self) -> str | None:
        return os.ttyname(self._slave) if self._slave is not None else None

    def open(self) -> None:
        with self._lock:
            if self._master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(master)
            tty.setraw(slave)
            attrs = termios.tcgetattr(slave)
            attrs[3] &= ~termios.ECHO
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            self._master, self._slave = master, slave
            self.link_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.link_path.with_name(self.link_path.name + ".new")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(os.ttyname(slave), tmp)
            os.replace(tmp, self.link_path)

    def close(self) -> None:
        """Unplug: the symlink disappears and the driver's open port stops answering."""
        with self._lock:
            with self._idle:
                fds = (self._master, self._slave)
                self._master = self._slave = None
                self._idle.wait_for(lambda: self._in_flight == 0, timeout=10)
            for fd in fds:
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            try:
                if self.link_path.is_symlink():
                    self.link_path.unlink()
            except OSError:
                pass

    def _borrow(self) -> int | None:
        """The master's number, kept open until `_give_back` (None once closed)."""
        with self._idle:
            if self._master is not None:
                self._in_flight += 1
            return self._master

    def _give_back(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def read(self, timeout: float) -> bytes:
        """Whatever arrived within `timeout` seconds (b"" if nothing or closed)."""
        fd = self._borrow()
        if fd is None:
            time.sleep(timeout)
            return b""
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return b""
            return os.read(fd, 4096)
        except (OSError, ValueError):
            return b""
        finally:
            self._give_back()

    def write(self, data: bytes) -> None:
        chunk = 64
        for i in range(0, len(data), chunk):
            part = data[i:i + chunk]
            started = time.perf_counter()
            fd = self._borrow()  # per chunk: a paced job must not hold an unplug back
            if fd is None:
                return
            try:
                os.write(fd, part)
            except OSError:
                return
            finally:
                self._give_back()
            if self.baudrate:
                wire = len(part) * 10 / self.baudrate  # 8N1: 10 bits per byte
                left = wire - (time.perf_counter() - started)
                if left > 0:
                    time.sleep(left)
