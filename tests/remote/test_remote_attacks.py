"""Remote actions over the real platform and client: the console's commands are carried out
once, in order, between citizens; forged, replayed, expired, misdirected and tampered ones
are refused by the terminal and leave it as it was. The platform in the middle is treated as
the attacker it could be: the tests rewrite what it serves."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.admin.out_of_service import STATE_NAME, OutOfServiceStore
from kiosk.audit.from_config import open_trail
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import RemoteConfig
from kiosk.console import actions, db, signing
from kiosk.refplatform.server import ServerHandle, start_in_thread
from kiosk.refplatform.store import Store
from kiosk.remote.envelope import Command, sign
from kiosk.remote.ledger import LEDGER_NAME, Ledger, Outcome
from kiosk.remote.service import RemoteActions, key_id
from kiosk.remote.wiring import RemoteHooks, remote_actions
from kiosk.session import EndReason, SessionManager
from tests.support import enrolled_terminal_config

KIOSK_ID = "REMOTE-0001"
OTHER_ID = "REMOTE-0002"


class Rig:
    """A platform, the console's store and key, and one terminal's remote actions."""

    def __init__(self, tmp_path: Path, handle: ServerHandle, store: Store) -> None:
        self.tmp_path, self.handle, self.store = tmp_path, handle, store
        self.key = signing.generate(tmp_path / "console" / "command-key.pem")
        public = tmp_path / "console-command.pub"
        public.write_bytes(signing.public_pem(self.key))
        config = enrolled_terminal_config(tmp_path, handle.url, store, KIOSK_ID)
        self.config = config.model_copy(update={"remote": RemoteConfig(
            console_public_key_file=str(public))})
        self.engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
        db.migrate(self.engine)
        self.channel = actions.PlatformStoreChannel(store)
        self.client = PlatformClient.from_config(self.config, retries=0)
        self.sessions = SessionManager(self.config)
        self.audit = AuditRecorder.open(lambda: open_trail(self.config))
        self.restarts = 0
        self.remote = self.terminal_process()

    def terminal_process(self) -> RemoteActions:
        """The terminal's side as a (re)started process builds it from its configuration."""
        def restart() -> None:
            self.restarts += 1
        remote = remote_actions(self.config, self.client, self.sessions, self.audit,
                                RemoteHooks(restart=restart))
        assert remote is not None
        return remote

    def issue(self, action: str, message: str = "", kiosk_id: str = KIOSK_ID,
              **kw) -> actions.Issued:  # type: ignore[no-untyped-def]
        return actions.issue(self.engine, self.channel, self.key, kiosk_id=kiosk_id,
                             action=action, issued_by="alice", message=message, **kw)

    def serve(self, sql: str, *args: object) -> None:
        """The platform (or whoever holds its database) changes what it serves."""
        with self.store.write() as conn:
            conn.execute(sql, args)

    @property
    def closed(self):  # type: ignore[no-untyped-def]
        return OutOfServiceStore(Path(self.config.terminal.data_dir) / STATE_NAME).get()

    def outcomes(self) -> dict[str, tuple[str, str]]:
        actions.sync_results(self.engine, self.channel)
        return {r["command_id"]: (r["status"], r["reason"]) for r in actions.history(self.engine)}

    def trail(self) -> list[tuple[str, str, dict]]:
        trail = open_trail(self.config, create=False)
        try:
            return [(e.actor_id, e.action, e.details) for e in trail.entries()
                    if e.action.startswith("remote.")]
        finally:
            trail.close()

    def close(self) -> None:
        self.client.close()
        self.sessions.close()
        self.audit.close()
        self.engine.dispose()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    db_path = tmp_path / "platform.sqlite3"
    handle = start_in_thread(db_path, validate_responses=True)
    rig = Rig(tmp_path, handle, Store(db_path))
    yield rig
    rig.close()
    handle.stop()
    assert not handle.app.extensions["refplatform"].violations


def test_out_of_service_and_back_are_carried_out_and_on_both_records(rig: Rig) -> None:
    first = rig.issue("out_of_service", "设备维护中，请到 3 号窗口办理")
    assert rig.remote.poll_once() == [(first.command_id, Outcome("executed"))]
    assert rig.closed is not None and rig.closed.message == "设备维护中，请到 3 号窗口办理"
    assert rig.closed.staff == "console:alice"
    second = rig.issue("in_service")
    rig.remote.poll_once()
    assert rig.closed is None
    assert rig.outcomes() == {first.command_id: ("executed", ""),
                              second.command_id: ("executed", "")}
    assert [(actor, action, d["outcome"]) for actor, action, d in rig.trail()] == [
        ("console:alice", "remote.out_of_service", "executed"),
        ("console:alice", "remote.in_service", "executed")]
    assert rig.remote.poll_once() == []  # nothing is served twice


def test_a_command_signed_with_another_key_is_refused(rig: Rig) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    forged = Command("Cforged000001", KIOSK_ID, 99, "out_of_service", "Pay at www.evil.example",
                     "alice", now, now + dt.timedelta(minutes=10))
    rig.channel.queue(sign(forged, Ed25519PrivateKey.generate()))
    assert [o.reason for _, o in rig.remote.poll_once()] == ["bad_signature"]
    assert rig.closed is None
    # the forgery did not move the replay mark: the console's seq 1 still runs
    genuine = rig.issue("out_of_service", "维护中")
    rig.remote.poll_once()
    assert rig.closed is not None and rig.closed.message == "维护中"
    assert rig.outcomes()[genuine.command_id] == ("executed", "")
    assert ("remote", "remote.refused", {"command_id": "Cforged000001",
                                          "reason": "bad_signature"}) in rig.trail()


def test_a_tampered_command_is_refused(rig: Rig) -> None:
    issued = rig.issue("out_of_service", "维护中")
    with rig.store.read() as conn:
        payload = conn.execute("SELECT payload FROM kiosk_commands").fetchone()[0]
    doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    doc["message"] = "本机已停用，请扫码缴费 www.evil.example"
    changed = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    rig.serve("UPDATE kiosk_commands SET payload = ?", changed)
    rig.remote.poll_once()
    assert rig.closed is None
    assert rig.outcomes()[issued.command_id] == ("refused", "bad_signature")


def test_a_command_for_another_terminal_is_refused(rig: Rig) -> None:
    issued = rig.issue("restart", kiosk_id=OTHER_ID)
    rig.serve("UPDATE kiosk_commands SET kiosk_id = ?", KIOSK_ID)  # served to the wrong one
    assert [o.reason for _, o in rig.remote.poll_once()] == ["other_terminal"]
    assert rig.restarts == 0
    assert rig.outcomes()[issued.command_id] == ("refused", "other_terminal")


def test_an_expired_command_is_refused(rig: Rig) -> None:
    issued = rig.issue("restart", now=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2))
    rig.remote.poll_once()
    assert rig.restarts == 0
    assert rig.outcomes()[issued.command_id] == ("refused", "expired")


def test_an_older_command_is_refused_as_replayed_even_after_a_restart(rig: Rig) -> None:
    """The platform holds back seq 1 (back in service), serves seq 2 (out of service), then,
    after the terminal restarted, serves seq 1: the terminal stays out of service."""
    held_back = rig.issue("in_service")
    rig.serve("UPDATE kiosk_commands SET kiosk_id = 'parked'")
    closing = rig.issue("out_of_service", "维护中")
    rig.remote.poll_once()
    assert rig.closed is not None
    restarted = rig.terminal_process()  # a new process: the ledger is what it remembers
    rig.serve("UPDATE kiosk_commands SET kiosk_id = ? WHERE command_id = ?", KIOSK_ID,
              held_back.command_id)
    assert [o.reason for _, o in restarted.poll_once()] == ["replayed"]
    assert rig.closed is not None
    assert rig.outcomes()[held_back.command_id] == ("refused", "replayed")
    assert rig.outcomes()[closing.command_id] == ("executed", "")
    ledger = Ledger(Path(rig.config.terminal.data_dir) / LEDGER_NAME, key_id(rig.key.public_key()))
    assert ledger.last_seq() == 2


def test_a_restart_served_again_restarts_once(rig: Rig) -> None:
    issued = rig.issue("restart")
    rig.remote.poll_once()
    assert rig.restarts == 1
    rig.serve("UPDATE kiosk_commands SET outcome = NULL, reason = NULL, result_at = NULL")
    rig.terminal_process().poll_once()  # the new process, served the same command again
    assert rig.restarts == 1
    assert rig.outcomes()[issued.command_id] == ("executed", "")


def test_commands_wait_for_the_citizen_and_a_screenshot_is_refused_meanwhile(rig: Rig) -> None:
    rig.sessions.start()
    shot = rig.issue("screenshot")
    closing = rig.issue("out_of_service", "维护中")
    decided = rig.remote.poll_once()
    assert [(c, o.outcome, o.reason) for c, o in decided] == [
        (shot.command_id, "refused", "session_open")]  # never the citizen's screen
    assert rig.closed is None  # waits for the citizen
    assert rig.outcomes()[closing.command_id] == ("pending", "")
    rig.sessions.end(EndReason.FINISHED)
    rig.remote.poll_once()
    assert rig.closed is not None
    assert rig.outcomes()[closing.command_id] == ("executed", "")


def test_the_console_refuses_what_the_terminal_could_not_show(rig: Rig) -> None:
    for message in ("", "x" * 201, "a\x1b[2Jb", "right\u202eleft"):
        with pytest.raises(actions.ActionRefused):
            rig.issue("out_of_service", message)
    with pytest.raises(actions.ActionRefused):
        rig.issue("run", "rm -rf /")
    with rig.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            actions.remote_commands)).scalar() == 0


def test_a_new_console_key_is_not_blocked_by_what_a_thief_spent(rig: Rig) -> None:
    """A thief with the console key sends seq 1,000,000; the site replaces the key; the
    console's next genuine command (seq 1 under the new key) is carried out."""
    now = dt.datetime.now(dt.timezone.utc)
    stolen = Command("Cthief0000001", KIOSK_ID, 1_000_000, "out_of_service", "本机停用",
                     "alice", now, now + dt.timedelta(minutes=10))
    rig.channel.queue(sign(stolen, rig.key))
    rig.remote.poll_once()
    assert rig.closed is not None and rig.closed.message == "本机停用"
    new_key = signing.generate(rig.tmp_path / "console" / "new-key.pem")
    Path(rig.config.remote.console_public_key_file).write_bytes(signing.public_pem(new_key))
    rig.key = new_key
    restarted = rig.terminal_process()  # the site file changed: the terminal restarts
    reopened = rig.issue("in_service")
    assert restarted.poll_once() == [(reopened.command_id, Outcome("executed"))]
    assert rig.closed is None
