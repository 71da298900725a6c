"""sd_notify on a real AF_UNIX datagram socket standing in for systemd, and the point of it all:
a process whose main loop hangs stops pinging while its other threads run on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.admin.watchdog import Watchdog

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    """What systemd listens on: NOTIFY_SOCKET's datagram socket."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(2)
    yield path, sock
    sock.close()


def test_ready_status_ping_stopping_arrive(systemd) -> None:
    path, sock = systemd
    wd = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    assert wd.enabled and wd.watchdog_s == 30 and wd.interval_s == 15
    assert wd.ready("home screen")
    assert sock.recv(4096) == b"READY=1\nSTATUS=home screen"
    assert wd.ping()
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert wd.status("printing")
    assert sock.recv(4096) == b"STATUS=printing"
    assert wd.stopping()
    assert sock.recv(4096) == b"STOPPING=1"
    wd.close()


def test_an_abstract_socket_address(tmp_path: Path) -> None:
    name = f"kiosk-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert Watchdog({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(100) == b"READY=1"


def test_pings_from_every_frame_are_thinned(systemd) -> None:
    path, sock = systemd
    now = [0.0]
    wd = Watchdog({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}, clock=lambda: now[0])
    sock.setblocking(False)
    received = 0
    for _ in range(600):  # ten seconds of frames at 60 fps
        now[0] += 1 / 60
        assert wd.ping()
        try:
            received += sock.recv(100) == b"WATCHDOG=1"
        except BlockingIOError:
            pass
    assert 35 <= received <= 41  # every interval/4 = 0.25 s, not 600


def test_a_full_queue_never_blocks_the_main_loop(systemd) -> None:
    """Nobody reads the socket (systemd stuck): sends fail at once instead of blocking."""
    path, _ = systemd
    wd = Watchdog({"NOTIFY_SOCKET": path})
    start = time.monotonic()
    results = [wd.status(f"frame {i}") for i in range(2000)]
    assert time.monotonic() - start < 2
    assert results[0] and not results[-1]


def test_without_systemd_everything_is_a_no_op(tmp_path: Path) -> None:
    wd = Watchdog({})
    assert not wd.enabled and not wd.ready() and not wd.ping() and not wd.stopping()
    gone = Watchdog({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert gone.enabled and not gone.ping() and not gone.ping()  # never raises


def test_watchdog_pid_of_another_process_is_not_ours(systemd) -> None:
    path, _ = systemd
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"}
    assert Watchdog(env | {"WATCHDOG_PID": "1"}).watchdog_s is None
    assert Watchdog(env | {"WATCHDOG_PID": str(os.getpid())}).watchdog_s == 30
    assert Watchdog(env | {"WATCHDOG_PID": str(os.getppid())}).watchdog_s == 30  # cage


HANGING_UI = r"""
import sys, threading, time
from kiosk.admin.watchdog import Watchdog

wd = Watchdog()
wd.ready("up")
busy = threading.Thread(target=lambda: [time.sleep(0.01) for _ in iter(int, 1)], daemon=True)
busy.start()                       # other threads keep running after the main loop hangs
hang_at = time.monotonic() + float(sys.argv[1])
while True:                        # the "main loop": one frame every 20 ms, pinging
    wd.ping()
    time.sleep(0.02)
    if time.monotonic() > hang_at:
        threading.Event().wait()   # a frame that never returns (a deadlock, a blocking call)
"""


def test_a_hung_main_loop_stops_the_pings(systemd) -> None:
    path, sock = systemd
    env = os.environ | {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}  # WatchdogSec=0.4
    proc = subprocess.Popen([sys.executable, "-c", HANGING_UI, "1.5"], cwd=ROOT, env=env)
    try:
        sock.settimeout(10)
        assert sock.recv(100) == b"READY=1\nSTATUS=up"
        start = time.monotonic()
        pings = []
        sock.settimeout(0.5)
        while time.monotonic() - start < 3.5:
            try:
                if sock.recv(100) == b"WATCHDOG=1":
                    pings.append(time.monotonic() - start)
            except TimeoutError:
                pass
        alive = proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
    assert alive, "the process hangs, it does not exit: only the watchdog can tell"
    assert len(pings) >= 8, pings
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    assert max(gaps) < 0.3, f"while the loop ran, pings came every ~0.1 s: {gaps}"
    silence = 3.5 - pings[-1]
    assert silence > 1.5, f"after the hang no ping for {silence:.2f} s (WatchdogSec is 0.4 s)"
    assert pings[-1] < 2.2  # the hang began ~1.5 s after READY
