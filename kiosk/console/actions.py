"""Remote actions from the console: each one signed for one terminal, queued at the platform,
and on record here with who asked, when, and what the terminal did with it.

The console signs (kiosk/remote/envelope.py); the platform keeps and serves the envelope
(kiosk/refplatform/commands.py, reached through a `Channel`); the terminal checks and acts
(kiosk/remote/service.py). Sequence numbers are per terminal and only ever go up: the
(kiosk_id, seq) pair is unique here, and the terminal refuses any seq not above the last it
decided.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.console.db import UTC_TIME, metadata
from kiosk.console.refusal import N_, Refusal
from kiosk.remote.envelope import ACTIONS, Command, CommandRefused, check_shape, plain_message, sign

LIFETIME = dt.timedelta(hours=1)  # a command not fetched within this is refused as expired
OUTCOMES = ("pending", "executed", "refused", "revoked")

remote_commands = sa.Table(
    "remote_commands", metadata,
    sa.Column("command_id", sa.String(64), primary_key=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("message", sa.String(200), nullable=False, server_default=""),
    sa.Column("issued_by", sa.String(64), nullable=False),
    sa.Column("issued_at", UTC_TIME, nullable=False),
    sa.Column("expires_at", UTC_TIME, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("reason", sa.String(40), nullable=False, server_default=""),
    sa.Column("result_at", UTC_TIME, nullable=True),
    sa.Column("screenshot", sa.LargeBinary, nullable=True),  # PNG, no citizen session open
    # taken back before the terminal reported anything: the platform hands it out no more
    sa.Column("revoked_at", UTC_TIME, nullable=True),
    sa.Column("revoked_by", sa.String(64), nullable=True),
    sa.UniqueConstraint("kiosk_id", "seq", name="remote_commands_seq_once"),
    sa.Index("remote_commands_by_terminal", "kiosk_id", "issued_at"),
)


class Channel(Protocol):
    """How envelopes reach the platform and outcomes come back."""

    def queue(self, envelope: dict[str, str]) -> None: ...

    def results(self, command_ids: list[str]) -> dict[str, dict[str, Any]]: ...

    def revoke(self, command_id: str) -> dict[str, Any]:
        """{"revoked": True}, or {"revoked": False} with the terminal's result (too late)."""
        ...


class PlatformStoreChannel:
    """The reference platform's store, opened beside it (the console runs with the platform;
    a real platform would expose the same two steps to the console over its staff API)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def queue(self, envelope: dict[str, str]) -> None:
        from kiosk.refplatform import commands
        with self.store.write() as conn:
            commands.queue(conn, envelope, dt.datetime.now(dt.timezone.utc))

    def results(self, command_ids: list[str]) -> dict[str, dict[str, Any]]:
        from kiosk.refplatform import commands
        with self.store.read() as conn:
            return commands.results(conn, command_ids)

    def revoke(self, command_id: str) -> dict[str, Any]:
        from kiosk.refplatform import commands
        with self.store.write() as conn:
            return commands.revoke(conn, command_id, dt.datetime.now(dt.timezone.utc))


class ActionRefused(Refusal):
    """The console will not send this (bad message, unknown action)."""


@dataclass(frozen=True)
class Issued:
    command_id: str
    seq: int
    action: str


def issue(engine: sa.Engine, channel: Channel, key: Ed25519PrivateKey, *, kiosk_id: str,
          action: str, issued_by: str, message: str = "",
          now: dt.datetime | None = None, lifetime: dt.timedelta = LIFETIME) -> Issued:
    """Sign `action` for `kiosk_id` under the next sequence number, record it, queue it."""
    if action not in ACTIONS:
        raise ActionRefused(N_("unknown action"))
    try:
        message = plain_message(message) if action == "out_of_service" else ""
    except CommandRefused:
        raise ActionRefused(N_("the message must be plain text of at most 200 characters")) from None
    if action == "out_of_service" and not message:
        raise ActionRefused(N_("out of service needs a message for citizens"))
    now = now or dt.datetime.now(dt.timezone.utc)
    for attempt in range(3):  # two staff members sending at once: the second takes the next seq
        try:
            return _issue_once(engine, channel, key, kiosk_id, action, issued_by, message, now,
                               lifetime)
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _issue_once(engine: sa.Engine, channel: Channel, key: Ed25519PrivateKey, kiosk_id: str,
                action: str, issued_by: str, message: str, now: dt.datetime,
                lifetime: dt.timedelta) -> Issued:
    with engine.begin() as conn:
        last = conn.execute(sa.select(sa.func.max(remote_commands.c.seq))
                            .where(remote_commands.c.kiosk_id == kiosk_id)).scalar()
        command = Command(f"C{secrets.token_hex(12)}", kiosk_id, int(last or 0) + 1, action,
                          message, issued_by, now, now + lifetime)
        try:
            check_shape(command)
        except CommandRefused as exc:
            raise ActionRefused(exc.reason) from None
        envelope = sign(command, key)
        conn.execute(remote_commands.insert().values(
            command_id=command.command_id, kiosk_id=kiosk_id, seq=command.seq, action=action,
            message=message, issued_by=issued_by, issued_at=now, expires_at=command.expires_at))
        channel.queue(envelope)  # inside the transaction: not queued, not recorded
    return Issued(command.command_id, command.seq, action)


def sync_results(engine: sa.Engine, channel: Channel, now: dt.datetime | None = None) -> int:
    """Take what terminals reported since; returns how many commands were settled. A revoked
    command is still asked about until it expires: its terminal may have fetched it before the
    revocation and carried it out (it then shows as executed, revoked too late)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    c = remote_commands.c
    with engine.begin() as conn:
        pending = [r.command_id for r in conn.execute(
            sa.select(c.command_id).where(sa.or_(
                c.status == "pending",
                sa.and_(c.status == "revoked", c.result_at.is_(None), c.expires_at > now))))]
        if not pending:
            return 0
        results = channel.results(pending)
        for command_id, result in results.items():
            _settle(conn, command_id, result)
        return len(results)


def _settle(conn: sa.Connection, command_id: str, result: dict[str, Any]) -> None:
    conn.execute(remote_commands.update()
                 .where(remote_commands.c.command_id == command_id)
                 .values(status=result["outcome"], reason=result["reason"][:40],
                         result_at=dt.datetime.fromisoformat(result["result_at"]),
                         screenshot=result.get("screenshot")))


def terminal_of(engine: sa.Engine, command_id: str) -> str | None:
    """The terminal a command was signed for (None: not one of ours)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(remote_commands.c.kiosk_id)
                            .where(remote_commands.c.command_id == command_id)).scalar()


def revoke(engine: sa.Engine, channel: Channel, command_id: str, *, revoked_by: str,
           now: dt.datetime | None = None) -> str:
    """Take back a command its terminal has not decided yet: the platform no longer hands it
    out. Returns the command's status afterwards: "revoked", or the terminal's outcome when
    it came first (an executed command stays executed: send the opposite one). ActionRefused
    for a command already settled here."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        status = conn.execute(sa.select(remote_commands.c.status)
                              .where(remote_commands.c.command_id == command_id)).scalar()
        if status is None:
            raise ActionRefused(N_("no such command"))
        if status != "pending":
            raise ActionRefused(N_("the command is %(status)s already; it stays %(status)s"),
                                status=status)
        answer = channel.revoke(command_id)
        if not answer["revoked"]:  # the terminal reported first
            _settle(conn, command_id, answer)
            return str(answer["outcome"])
        conn.execute(remote_commands.update()
                     .where(remote_commands.c.command_id == command_id)
                     .values(status="revoked", revoked_at=now, revoked_by=revoked_by[:64]))
        return "revoked"


def history(engine: sa.Engine, kiosk_ids: list[str] | None = None,
            limit: int = 100) -> list[dict[str, Any]]:
    """Newest first; `kiosk_ids` limits it (a hall's terminals)."""
    columns = [c for c in remote_commands.c if c.name != "screenshot"]
    query = sa.select(*columns, (remote_commands.c.screenshot.is_not(None)).label("has_png"))
    if kiosk_ids is not None:
        query = query.where(remote_commands.c.kiosk_id.in_(kiosk_ids))
    query = query.order_by(remote_commands.c.issued_at.desc(),
                           remote_commands.c.seq.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def screenshot(engine: sa.Engine, command_id: str) -> tuple[str, bytes] | None:
    """(kiosk_id, PNG) of an executed screenshot command."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(remote_commands.c.kiosk_id, remote_commands.c.screenshot)
                           .where(remote_commands.c.command_id == command_id)).first()
    return (row.kiosk_id, row.screenshot) if row is not None and row.screenshot else None
