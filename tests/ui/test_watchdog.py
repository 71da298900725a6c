"""systemd's watchdog is fed from the Kivy main loop: READY=1 once the first frame is drawn
and the configuration accepted, WATCHDOG=1 while the loop runs, and silence while it hangs (so systemd restarts a hung UI).
The test plays systemd's part with a real AF_UNIX datagram socket as $NOTIFY_SOCKET."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.ui.harness import KioskUi, Xvfb

WATCHDOG_S = 2.0  # pings are due at least every second (half the interval)


class Systemd:
    """What the app tells systemd, with when it said it."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.heard: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            for line in data.decode().splitlines():
                self.heard.append((time.monotonic(), line))

    def pings(self, since: float = 0.0) -> list[float]:
        return [t for t, line in self.heard if line == "WATCHDOG=1" and t >= since]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def test_a_hung_main_loop_stops_the_watchdog_pings(xvfb: Xvfb, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    systemd = Systemd(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify.sock"))
    monkeypatch.setenv("WATCHDOG_USEC", str(int(WATCHDOG_S * 1e6)))
    app = KioskUi(tmp_path / "run", xvfb).start()
    try:
        deadline = time.monotonic() + 10
        while "READY=1" not in [line for _, line in systemd.heard]:
            assert time.monotonic() < deadline, systemd.heard
            time.sleep(0.05)
        time.sleep(2.5)
        running = systemd.pings(time.monotonic() - 2.0)
        assert len(running) >= 2  # fed while the loop runs
        started = time.monotonic()
        app.command("hang", seconds=4)  # returns when the loop runs again
        ended = time.monotonic()
        during = [t for t in systemd.pings(started) if t < ended - 0.3]
        # nothing while hung (a ping sent just before the hang began may arrive first)
        assert all(t - started < 0.3 for t in during), [round(t - started, 2) for t in during]
        assert ended - started >= 3.9 > WATCHDOG_S  # long enough for systemd to act
        time.sleep(1.5)
        assert systemd.pings(ended)  # and fed again once it runs
    finally:
        app.stop()
        systemd.close()
