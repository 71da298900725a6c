"""Start, watch and stop a pcscd with vsmartcard's vpcd reader, for tests and `kiosk sim`.

Two modes:
- system: the daemon every PC/SC client finds at /run/pcscd/pcscd.comm, with Debian's
  /etc/reader.conf.d/vpcd (vpcd listens on TCP 35963). A usable running pcscd is reused and never
  stopped by us. Only for machines where private mode is impossible (not root): 35963 lies in
  the kernel's ephemeral port range, so a busy machine's outgoing connection (or its TIME_WAIT)
  can hold it and vpcd then fails with "address already in use".
- private: a pcscd of our own that touches nothing shared. libpcsclite (the client) reads
  PCSCLITE_CSOCK_NAME, but Debian's pcscd 1.9.9 does not (its socket and pid file are compiled in
  as /run/pcscd/...; `strings /usr/sbin/pcscd` shows no PCSCLITE_CSOCK_NAME). So the daemon runs
  in a private mount namespace (`unshare --mount`, needs root) where a directory under run_dir is
  bind-mounted over /run/pcscd, with its own reader.conf.d (`-c`) putting vpcd on a private port.
  Clients reach it by setting PCSCLITE_CSOCK_NAME before their first PC/SC call (libpcsclite
  caches the name per process): see `client_env()`.

pcscd's `-a` (APDU log) is off unless asked for: READ BINARY answers carry personal data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from drivers.smartcard.watcher import use_pcscd_socket

log = logging.getLogger(__name__)

SYSTEM_SOCKET = Path("/run/pcscd/pcscd.comm")
SYSTEM_VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
VPCD_LIB = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_VPCD_PORT = 35963  # Debian's; inside the ephemeral range, so any client may hold it
UNIX_PATH_MAX = 108  # sun_path, including the NUL


class PcscdError(RuntimeError):
    """pcscd could not be started or did not answer in time."""


def socket_answers(path: Path, timeout: float = 0.5) -> bool:
    """True when a process accepts connections on the pcscd unix socket at `path`."""
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


def tcp_listening(port: int) -> bool:
    """True when something LISTENs on `port`, read from /proc so that nothing connects to vpcd
    (a connection to vpcd's port is a card insertion)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if len(parts) > 3 and parts[3] == "0A" and (
                        int(parts[1].rsplit(":", 1)[1], 16) == port):
                    return True
    return False


class PcscDaemon:
    """One pcscd with the vpcd reader; `start()` returns once its socket answers and vpcd
    listens."""

    def __init__(self, run_dir: Path, *, private: bool | None = None, vpcd_port: int | None = None,
                 apdu_log: bool = False, debug: bool = False, start_timeout: float = 10.0):
        """`private=None` picks private mode when it is possible (root, unshare, and a socket path
        short enough for a unix socket), else system."""
        self.run_dir = Path(run_dir)
        if private is None:
            private = os.geteuid() == 0 and shutil.which("unshare") is not None
        self.private = private
        # a socket path holds at most 107 bytes: under a deep run folder (pytest's, under xdist)
        # the socket lives in a short folder of its own instead of falling back to the shared
        # system daemon, which another process may be starting or stopping meanwhile
        self._short_ipc_dir: Path | None = None
        if private and len(os.fsencode(self.run_dir / "pcscd" / "pcscd.comm")) >= UNIX_PATH_MAX:
            self._short_ipc_dir = Path(tempfile.mkdtemp(prefix="pcscd-"))
        self.vpcd_port = vpcd_port or (_free_port_pair() if private else SYSTEM_VPCD_PORT)
        self.apdu_log, self.debug = apdu_log, debug
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self.reused = False
        self.restarts = 0

    @property
    def ipc_dir(self) -> Path:
        if not self.private:
            return SYSTEM_SOCKET.parent
        return self._short_ipc_dir or self.run_dir / "pcscd"

    @property
    def socket_path(self) -> Path:
        return self.ipc_dir / "pcscd.comm"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def client_env(self) -> dict[str, str]:
        """Environment a PC/SC client process needs to reach this daemon."""
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def activate_in_this_process(self) -> None:
        """Point this process's libpcsclite at the daemon; only effective before its first call."""
        use_pcscd_socket(str(self.socket_path))

    def is_running(self) -> bool:
        return socket_answers(self.socket_path) and tcp_listening(self.vpcd_port)

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self.pid is not None:
            return
        if not self.private and self.is_running():
            log.info("reusing the running system pcscd (%s)", self.socket_path)
            self.reused = True
            return
        if not VPCD_LIB.exists():
            raise PcscdError(f"vsmartcard's vpcd driver is missing ({VPCD_LIB}): "
                             "install the Debian package vsmartcard-vpcd")
        if shutil.which("pcscd") is None:
            raise PcscdError("pcscd is not installed (Debian package pcscd)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "pcscd.log").unlink(missing_ok=True)  # one run's log at a time
        self._proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL,
                                      stdout=self._log_file(), stderr=subprocess.STDOUT,
                                      env={**os.environ, **self.client_env()},
                                      start_new_session=True)
        self.reused = False
        self._wait_ready()

    def _command(self) -> list[str]:
        flags = ["-f"] + (["-a"] if self.apdu_log else []) + (["-d"] if self.debug else [])
        if not self.private:
            if not SYSTEM_VPCD_CONF.exists():
                raise PcscdError(f"{SYSTEM_VPCD_CONF} is missing (package vsmartcard-vpcd)")
            return ["pcscd", *flags]
        conf_dir = self.run_dir / "reader.conf.d"
        conf_dir.mkdir(parents=True, exist_ok=True)
        # DEVICENAME /dev/null:PORT = vpcd listens (server mode) on PORT.
        (conf_dir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{self.vpcd_port:04X}\n"
            f"LIBPATH      {VPCD_LIB}\n"
            f"CHANNELID    0x{self.vpcd_port:04X}\n")
        self.ipc_dir.mkdir(parents=True, exist_ok=True)
        for stale in ("pcscd.comm", "pcscd.pid"):  # left behind by a killed daemon of ours
            (self.ipc_dir / stale).unlink(missing_ok=True)
        SYSTEM_SOCKET.parent.mkdir(parents=True, exist_ok=True)  # the mount point must exist
        script = (f'mount --bind "$1" {SYSTEM_SOCKET.parent} && shift && exec "$@"')
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                str(self.ipc_dir), "pcscd", *flags, "-c", str(conf_dir)]

    def _log_says(self, text: str) -> bool:
        with contextlib.suppress(OSError):
            return text in (self.run_dir / "pcscd.log").read_text(errors="replace")[-4000:]
        return False

    def _log_file(self) -> int:
        path = self.run_dir / "pcscd.log"
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise PcscdError(f"pcscd exited with code {self._proc.returncode}; "
                                 f"see {self.run_dir / 'pcscd.log'}")
            if self.is_running():
                return
            if self._log_says("Address already in use"):
                self.stop()
                raise PcscdError(f"vpcd could not listen on port {self.vpcd_port} or "
                                 f"{self.vpcd_port + 1}: address already in use")
            time.sleep(0.02)
        self.stop()
        raise PcscdError(f"pcscd did not answer within {self.start_timeout:.0f} s")

    def stop(self, timeout: float = 5.0, *, restarting: bool = False) -> None:
        """Stop the daemon if we started it (a reused system pcscd is left alone)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        deadline = time.monotonic() + timeout
        while self.private and socket_answers(self.socket_path) and time.monotonic() < deadline:
            time.sleep(0.02)
        if self._short_ipc_dir is not None and not restarting:
            shutil.rmtree(self._short_ipc_dir, ignore_errors=True)  # start() makes it again

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean-up by pcscd itself."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None

    def restart(self, *, crash: bool = False) -> None:
        if self.reused:
            raise PcscdError("this pcscd was already running when we came; we do not restart it")
        self.kill() if crash else self.stop(restarting=True)
        if not self.private:
            for stale in ("pcscd.comm", "pcscd.pid"):
                # a crashed pcscd leaves these; only removed when nothing answers on the socket
                if not socket_answers(SYSTEM_SOCKET):
                    (SYSTEM_SOCKET.parent / stale).unlink(missing_ok=True)
        self.restarts += 1
        self.start()

    def __enter__(self) -> PcscDaemon:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port_pair() -> int:
    """A port P with P and P+1 free on all addresses (vpcd opens one slot on each), taken below
    the kernel's ephemeral range so that no outgoing connection can grab P+1 meanwhile."""
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low - 2)
        if all(_bindable(p) for p in (port, port + 1)):
            return port
    raise PcscdError("no free pair of TCP ports for vpcd")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True
