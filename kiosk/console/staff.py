"""Staff accounts: a name, a role (hall staff of one hall, or the fleet manager), an argon2
password hash and a TOTP secret; and the failed logins that throttle guessing.

Passwords are never stored or logged; a TOTP code is accepted once (its time step is kept, so
a code seen over a shoulder cannot be replayed within its 30 s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.console.db import UTC_TIME, metadata

ROLES = ("hall_staff", "fleet_manager")
HASHER = PasswordHasher()
# A hash to verify against when the name is unknown, so that a wrong name costs the same time
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = HASHER.hash("not a password of anyone")

staff = sa.Table(
    "staff", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("hall", sa.String(64), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("totp_secret", sa.String(64), nullable=False),
    sa.Column("last_totp_step", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", UTC_TIME, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
)

login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("remote", sa.String(64), nullable=False),
    sa.Column("at", UTC_TIME, nullable=False),
    sa.Index("login_failures_by_name", "username", "at"),
    sa.Index("login_failures_by_remote", "remote", "at"),
)


class StaffError(Exception):
    """The account cannot be made or changed as asked."""


@dataclass(frozen=True)
class Staff:
    username: str
    role: str
    hall: str

    @property
    def sees_all(self) -> bool:
        return self.role == "fleet_manager"


def add(engine: sa.Engine, username: str, password: str, role: str, hall: str,
        now: dt.datetime) -> str:
    """Make an account; answer its new TOTP secret (shown once, for the authenticator app)."""
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if role == "hall_staff" and not hall:
        raise StaffError("hall staff belong to a hall")
    if not 1 <= len(username) <= 64 or not username.isprintable() or " " in username:
        raise StaffError("a user name is 1-64 printable characters without spaces")
    if len(password) < 12:
        raise StaffError("a password has at least 12 characters")
    secret = pyotp.random_base32()
    try:
        with engine.begin() as conn:
            conn.execute(staff.insert().values(
                username=username, role=role, hall=hall if role == "hall_staff" else "",
                password_hash=HASHER.hash(password), totp_secret=secret, created_at=now))
    except sa.exc.IntegrityError as exc:
        raise StaffError(f"{username} exists already") from exc
    return secret


def find(engine: sa.Engine, username: str) -> Staff | None:
    """The enabled account of that name."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(staff.c.username, staff.c.role, staff.c.hall).where(
            staff.c.username == username, staff.c.disabled == sa.false())).first()
    return Staff(row.username, row.role, row.hall) if row else None


def disable(engine: sa.Engine, username: str) -> bool:
    with engine.begin() as conn:
        return conn.execute(staff.update().where(staff.c.username == username)
                            .values(disabled=True)).rowcount > 0


def list_staff(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff.c.username, staff.c.role, staff.c.hall,
                                      staff.c.disabled, staff.c.created_at)
                            .order_by(staff.c.username))
        return [dict(r._mapping) for r in rows]


def authenticate(engine: sa.Engine, username: str, password: str, code: str,
                 now: dt.datetime) -> Staff | None:
    """The account if the password and a not yet used TOTP code (±1 step) both match."""
    with engine.begin() as conn:
        row = conn.execute(sa.select(staff).where(staff.c.username == username,
                                                  staff.c.disabled == sa.false())).first()
        try:
            HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        step = _totp_step(row.totp_secret, code, now)
        if step is None or step <= row.last_totp_step:
            return None
        # Only the first login with this step wins (a concurrent replay updates nothing).
        won = conn.execute(staff.update().where(staff.c.username == username,
                                                staff.c.last_totp_step < step)
                           .values(last_totp_step=step)).rowcount
        if not won:
            return None
        if HASHER.check_needs_rehash(row.password_hash):
            conn.execute(staff.update().where(staff.c.username == username)
                         .values(password_hash=HASHER.hash(password)))
        return Staff(row.username, row.role, row.hall)


def _totp_step(secret: str, code: str, now: dt.datetime) -> int | None:
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(candidate), code):
            return candidate
    return None


def current_code(engine: sa.Engine, username: str, now: dt.datetime) -> str:
    """The TOTP code of that account now: for the demo's printed login and for tests."""
    with engine.connect() as conn:
        secret = conn.execute(sa.select(staff.c.totp_secret)
                              .where(staff.c.username == username)).scalar_one()
    return pyotp.TOTP(secret).at(now)


def record_failure(engine: sa.Engine, username: str, remote: str, now: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(login_failures.insert().values(username=username[:64], remote=remote[:64],
                                                    at=now))


def throttled(engine: sa.Engine, username: str, remote: str, now: dt.datetime, *,
              max_failures: int, window_s: int) -> bool:
    """Too many failures lately for this name or from this address: refuse without checking."""
    since = now - dt.timedelta(seconds=window_s)
    with engine.begin() as conn:
        conn.execute(login_failures.delete().where(login_failures.c.at < since))
        count = sa.select(sa.func.count()).select_from(login_failures).where(
            login_failures.c.at >= since)
        by_name = conn.execute(count.where(login_failures.c.username == username)).scalar_one()
        by_remote = conn.execute(count.where(login_failures.c.remote == remote)).scalar_one()
    return by_name >= max_failures or by_remote >= max_failures * 4


def clear_failures(engine: sa.Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(login_failures.delete().where(login_failures.c.username == username))
