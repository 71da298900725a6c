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
            for fd in (self._master, self._slave):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._master = self._slave = None
            try:
                if self.link_path.is_symlink():
                    self.link_path.unlink()
            except OSError:
                pass

    def read(self, timeout: float) -> bytes:
        """Whatever arrived within `timeout` seconds (b"" if nothing or closed)."""
        fd = self._master
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

    def write(self, data: bytes) -> None:
        fd = self._master
        if fd is None:
            return
        chunk = 64
        for i in range(0, len(data), chunk):
            part = data[i:i + chunk]
            started = time.perf_counter()
            try:
                os.write(fd, part)
            except OSError:
                return
            if self.baudrate:
                wire = len(part) * 10 / self.baudrate  # 8N1: 10 bits per byte
                left = wire - (time.perf_counter() - started)
                if left > 0:
                    time.sleep(left)
