"""sd_notify over `$NOTIFY_SOCKET` (a plain AF_UNIX datagram socket) and the UI's watchdog.

systemd restarts kiosk-ui.service when WATCHDOG=1 stops arriving for `WatchdogSec`. The point
is that *the Kivy main loop* pings (`Clock.schedule_interval(lambda dt: wd.ping(), wd.interval_s)`):
a hung main loop then stops the pings even while other threads run on, and the frozen screen
is restarted. Never ping from another thread. Without NOTIFY_SOCKET (a developer's shell, the
tests, the demo) everything here is a no-op. Sending never raises: supervision must not be
what crashes the UI.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Datagrams to systemd's notification socket (a path, or `@name` for an abstract one)."""

    def __init__(self, address: str | None) -> None:
        self.address: str | bytes | None = None
        if address:
            self.address = "\0" + address[1:] if address.startswith("@") else address
        self._sock: socket.socket | None = None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *assignments: str) -> bool:
        """Send e.g. "READY=1", "STATUS=idle" in one datagram; False if it could not go."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            # Never block the main loop on a full queue: a lost ping is harmless, a stall is not.
            self._sock.sendto("\n".join(assignments).encode("utf-8"), socket.MSG_DONTWAIT,
                              self.address)
            return True
        except BlockingIOError:
            return False
        except OSError as exc:
            if not self._warned:  # once: a missing socket would otherwise log at every ping
                log.warning("sd_notify to %s failed: %s", self.address, exc)
                self._warned = True
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            return False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class Watchdog:
    """READY/STATUS/STOPPING and the watchdog ping, configured from systemd's environment.

    `interval_s` is half of WatchdogSec (systemd's advice). WATCHDOG_PID is honoured when it
    names this process or its parent: under `cage -- python -m screens` systemd's main PID is
    the compositor, which starts us (the unit then needs NotifyAccess=all).
    """

    def __init__(self, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        env = os.environ if environ is None else environ
        self.notifier = Notifier(env.get("NOTIFY_SOCKET"))
        self._clock = clock
        self._last_ping = float("-inf")
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        ours = not pid or pid in (str(os.getpid()), str(os.getppid()))
        self.watchdog_s: float | None = int(usec) / 1e6 if usec.isdigit() and ours else None
        self.interval_s = self.watchdog_s / 2 if self.watchdog_s else 5.0
        # Called from every frame would flood systemd: at most 4 pings per interval.
        self._min_gap = self.interval_s / 4

    @property
    def enabled(self) -> bool:
        return self.notifier.enabled

    def ready(self, status: str = "") -> bool:
        return self.notifier.send("READY=1", *( [f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.notifier.send(f"STATUS={text}")

    def ping(self) -> bool:
        """WATCHDOG=1, from the main loop only. Cheap when called more often than needed."""
        if not self.notifier.enabled:
            return False
        now = self._clock()
        if now - self._last_ping < self._min_gap:
            return True
        sent = self.notifier.send("WATCHDOG=1")
        if sent:
            self._last_ping = now
        return sent

    def stopping(self, status: str = "") -> bool:
        return self.notifier.send("STOPPING=1", *([f"STATUS={status}"] if status else []))

    def close(self) -> None:
        self.notifier.close()
