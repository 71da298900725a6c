"""The audit signer (`kiosk audit serve`), a real process on a real unix socket: it alone holds
the key and writes the trail; the UI's user appends through it and can reach neither. A trail
that cannot be written — `/dev/null`, a signer that is gone or never answered — puts the
terminal out of service with a reason for staff, and it comes back once entries are written."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.admin.service import AdminService
from kiosk.audit import AuditTrail
from kiosk.audit.entry import AuditError
from kiosk.audit.keyfile import load_key
from kiosk.audit.signer import SignerClient
from kiosk.config import KioskConfig, load_config
from kiosk.session import EndReason
from kiosk.sim import Simulation
from kiosk.terminal import Terminal
from tests.support import process_state, wait_until

ROOT = Path(__file__).resolve().parents[2]
SIGNER, UI, UI_GROUP, STRANGER = 61001, 61002, 61000, 61003
_MAIN = "from kiosk.cli import main\nmain(prog_name='kiosk')\n"


class Signer:
    """`kiosk audit serve` as uid SIGNER: state dir 0700 its own, socket dir setgid UI_GROUP
    (as kiosk-audit.service lays them out)."""

    def __init__(self, base: Path) -> None:
        self.state, self.run = base / "state", base / "run"
        self.trail, self.key = self.state / "audit.sqlite3", self.state / "audit.key"
        self.socket = self.run / "signer.sock"
        self.proc: subprocess.Popen | None = None
        for path, group, mode in ((self.state, SIGNER, 0o700), (self.run, UI_GROUP, 0o2750)):
            path.mkdir()
            os.chown(path, SIGNER, group)
            os.chmod(path, mode)

    def start(self) -> None:
        # Some of kiosk-audit.service's sandbox as plain tools can give it (no systemd here):
        # no network or IPC namespace shared (PrivateNetwork, PrivateIPC), no new privileges,
        # no capabilities, its own uid; the seccomp filter and W^X memory only statically.
        self.proc = subprocess.Popen(
            ["unshare", "--net", "--ipc", "--uts", "--",
             "setpriv", f"--reuid={SIGNER}", f"--regid={SIGNER}", "--clear-groups",
             "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all",
             sys.executable, "-c", _MAIN, "audit", "serve", "--socket", str(self.socket),
             "--trail", str(self.trail), "--key-file", str(self.key)],
            cwd=ROOT, stderr=subprocess.PIPE, text=True)
        assert wait_until(self.answers, timeout=20, interval=0.1), self.proc.stderr

    def answers(self) -> bool:
        try:
            SignerClient(self.socket).close()
            return True
        except AuditError:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            assert self.proc.wait(10) == 0  # SIGTERM: a clean stop


@pytest.fixture
def signer() -> Iterator[Signer]:
    base = Path(tempfile.mkdtemp(prefix="audit-signer-"))  # not under pytest's 0700 tmp
    os.chmod(base, 0o755)
    s = Signer(base)
    s.start()
    yield s
    s.stop()
    shutil.rmtree(base)


def as_user(uid: int, code: str, *groups: int) -> subprocess.CompletedProcess:
    extra = [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
    return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", *extra,
                           sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_the_ui_user_appends_through_the_signer_and_reaches_neither_key_nor_trail(
        signer: Signer) -> None:
    code = f"""
import sqlite3
from kiosk.audit.signer import SignerClient
with SignerClient({str(signer.socket)!r}) as c:
    print(c.append("staff", "staff-007", "admin.login").seq)
for attempt in (lambda: open({str(signer.key)!r}, "rb").read(),
                lambda: sqlite3.connect({str(signer.trail)!r}).execute("DELETE FROM audit"),
                lambda: open({str(signer.trail)!r}, "ab")):
    try:
        attempt()
        print("REACHED")
    except (PermissionError, sqlite3.OperationalError) as exc:
        print("refused", type(exc).__name__)
"""
    ui = as_user(UI, code, UI_GROUP)
    assert ui.returncode == 0, ui.stderr
    lines = ui.stdout.splitlines()
    assert lines[0] == "1" and "REACHED" not in ui.stdout and len(lines) == 4
    stranger = as_user(STRANGER, code)  # not in the UI's group: cannot even connect
    assert stranger.returncode != 0 and "PermissionError" in stranger.stderr
    assert oct(signer.key.stat().st_mode & 0o777) == "0o600"
    assert oct(signer.socket.stat().st_mode & 0o777) == "0o660"
    assert signer.socket.stat().st_gid == UI_GROUP
    with AuditTrail(signer.trail, key=load_key(signer.key)) as trail:
        [entry] = list(trail.entries())
        assert (entry.actor_id, entry.action) == ("staff-007", "admin.login")
        assert trail.verify().ok and trail.verify().mac_checked


def test_the_signer_refuses_what_the_trail_refuses_and_keeps_serving(signer: Signer) -> None:
    with SignerClient(signer.socket) as client:
        with pytest.raises(ValueError, match="personal data"):
            client.append("citizen_session", "S-1", "form.submit", {"name": "张三丰"})
        with pytest.raises(ValueError, match="never an ID number"):
            client.append("citizen_session", "110105194912310021", "session.start")
        for garbage, answer in ((b"not json\n", b"not JSON"), (b"[1]\n", b"not an object"),
                                (b"x" * 70_000 + b"\n", b"too long")):
            with socket.socket(socket.AF_UNIX) as raw:  # the signer hangs up on garbage
                raw.connect(str(signer.socket))
                raw.sendall(garbage)
                assert answer in raw.recv(1000)
        assert client.append("system", "kiosk", "still.here").seq == 1
        assert client.head()[0] == 1 and client.verify().ok
        assert [e.action for e in client.entries()] == ["still.here"]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    with Simulation(tmp_path_factory.mktemp("audit-signer") / "sim", areas=("printer",)) as s:
        yield s


def with_audit(sim: Simulation, **audit: str) -> KioskConfig:
    config = load_config(sim.site_config_path)
    return config.model_copy(update={"audit": config.audit.model_copy(update=audit)})


def out_of_service(terminal: Terminal) -> tuple[str | None, str]:
    """(the reason staff see, the health the platform hears). The heartbeat first: it is what
    tries the trail again (on its own thread; the screens only read the state)."""
    health = terminal.heartbeat_body()["health"]
    admin = AdminService(terminal, None)
    try:
        state = admin.out_of_service()
    finally:
        admin.close()
    return (state.reason if state else None), health


def test_a_terminal_writes_through_the_signer_and_stops_serving_without_it(
        sim: Simulation, signer: Signer) -> None:
    terminal = Terminal(with_audit(sim, signer_socket=str(signer.socket)))
    try:
        session = terminal.sessions.start()
        terminal.sessions.end(EndReason.EXIT)
        assert isinstance(terminal.audit.trail, SignerClient)
        assert out_of_service(terminal)[0] is None
        assert terminal.heartbeat_body()["audit_head"]["seq"] == 2

        signer.kill()  # the signer is gone: the next entry cannot be written
        terminal.sessions.start()
        reason, health = out_of_service(terminal)
        assert health == "out_of_service" and "audit" in reason and "does not answer" in reason
        assert "audit" in terminal.heartbeat_body()["last_error"]

        signer.start()  # systemd restarts it; the next heartbeat finds the trail again
        assert out_of_service(terminal) == (None, "degraded")  # devices not started here

        signer.proc.send_signal(signal.SIGSTOP)  # hung, not gone: the socket takes, nobody answers
        try:
            # stopped before the first entry: with three test workers on two cores the signer
            # answered the first entry before the stop took, and the second paid the timeout
            assert wait_until(lambda: process_state(signer.proc.pid) == "T", timeout=10)
            started = time.monotonic()
            terminal.audit.record("staff", "staff-007", "admin.login")
            first = time.monotonic() - started
            started = time.monotonic()
            terminal.audit.record("staff", "staff-007", "admin.logout")
            second = time.monotonic() - started
            assert terminal.audit.problem and "TimeoutError" in terminal.audit.problem
            assert first < 3 and second < 0.05  # the timeout is paid once, not at every touch
        finally:
            signer.proc.send_signal(signal.SIGCONT)
        assert out_of_service(terminal) == (None, "degraded")  # devices not started here
        with AuditTrail(signer.trail, key=load_key(signer.key)) as trail:
            actions = [(e.actor_id, e.action) for e in trail.entries()]
            assert trail.verify().ok
        assert actions[:2] == [(session.session_id, "session.started"),
                               (session.session_id, "session.ended")]
        # What was lost is not invented; the trail says when it was unavailable. The login the
        # hung signer had already received is written when it resumes (the UI took it as lost);
        # on a busy machine the heartbeat's probe may note the second resumption before it
        assert sorted(actions[2:]) == [("kiosk", "audit.resumed"), ("kiosk", "audit.resumed"),
                                       ("staff-007", "admin.login")]
    finally:
        terminal.stop()


@pytest.mark.parametrize("where", ["/dev/null", "signer"])
def test_no_trail_at_start_is_out_of_service_not_silence(sim: Simulation, tmp_path: Path,
                                                         where: str) -> None:
    audit = {"path": "/dev/null"} if where == "/dev/null" else \
        {"signer_socket": str(tmp_path / "nobody-listens.sock")}
    terminal = Terminal(with_audit(sim, **audit))
    try:
        assert terminal.audit.problem is not None
        reason, health = out_of_service(terminal)
        assert health == "out_of_service"
        assert ("not a regular file" if where == "/dev/null" else "does not answer") in reason
        assert not Path("/dev/audit.key").exists()  # no key made beside a trail that cannot be
    finally:
        terminal.stop()


def test_the_signer_refuses_a_trail_that_keeps_nothing(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _MAIN, "audit", "serve", "--socket",
                             str(tmp_path / "s.sock"), "--trail", "/dev/null", "--key-file",
                             str(tmp_path / "k")], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    with pytest.raises(AuditError):
        SignerClient(tmp_path / "s.sock")
