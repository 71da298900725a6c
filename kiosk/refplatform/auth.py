"""Terminal credentials: HTTP Basic with the kiosk id and a random credential, stored hashed.

`enrol` makes the credential once and keeps only a salted scrypt hash, so a copy of the
database does not let anyone act as a terminal. Checking compares with `hmac.compare_digest`,
and an unknown kiosk id costs the same scrypt as a known one, so timing tells nothing either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import threading

from kiosk.refplatform.ids import stamp, system_clock
from kiosk.refplatform.store import Store

KIOSK_ID = re.compile(r"\A[A-Za-z0-9_.-]{1,64}\Z")
# scrypt at n=2**14, r=8: ~16 MB and some tens of ms per check.
_N, _R, _P = 2 ** 14, 8, 1
_DUMMY_SALT = b"\0" * 16
# Checks already passed, keyed by the stored hash and a fast digest of the credential: a
# terminal's every call then costs one SHA-256, not one scrypt. Re-enrolling changes the
# stored hash, so an old credential stops matching at once.
# Bounded to a province's fleet (about 20 MB at the bound): with fewer entries than terminals
# the set keeps clearing and every heartbeat pays a scrypt (~37 ms here; 10,000 terminals at one
# heartbeat a minute would then need ~6 cores for this alone: bench/console_bench.py).
PASSED_MAX = 100_000
_passed: set[tuple[bytes, bytes]] = set()
_passed_lock = threading.Lock()


class EnrolError(ValueError):
    pass


def _hash(credential: str, salt: bytes) -> bytes:
    return hashlib.scrypt(credential.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)


def enrol(store: Store, kiosk_id: str) -> str:
    """Make (or replace) a terminal's credential and return it; it is never stored in clear."""
    if not KIOSK_ID.match(kiosk_id):
        raise EnrolError("a kiosk id is 1-64 letters, digits, '.', '_' or '-'")
    credential = secrets.token_urlsafe(32)
    salt = secrets.token_bytes(16)
    digest = _hash(credential, salt)
    with store.write() as conn:
        conn.execute(
            "INSERT INTO kiosks(kiosk_id, salt, credential_hash, enrolled_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(kiosk_id) DO UPDATE SET salt = excluded.salt, "
            "credential_hash = excluded.credential_hash, enrolled_at = excluded.enrolled_at",
            (kiosk_id, salt, digest, stamp(system_clock())))
    return credential


def verify(store: Store, kiosk_id: str, credential: str) -> bool:
    with store.read() as conn:
        row = conn.execute("SELECT salt, credential_hash FROM kiosks WHERE kiosk_id = ?",
                           (kiosk_id,)).fetchone()
    salt, expected = (row["salt"], row["credential_hash"]) if row else (_DUMMY_SALT, b"")
    memo = (bytes(expected), hashlib.sha256(salt + credential.encode("utf-8")).digest())
    with _passed_lock:
        if row is not None and memo in _passed:
            return True
    # The hash is computed for an unknown id too, so an answer's time does not tell which
    # kiosk ids exist.
    computed = _hash(credential, salt)
    ok = row is not None and hmac.compare_digest(computed, expected)
    if ok:
        with _passed_lock:
            if len(_passed) >= PASSED_MAX:
                _passed.clear()
            _passed.add(memo)
    return ok


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an `Authorization: Basic …` header, or None if absent or garbled."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def authenticate(store: Store, header: str | None) -> str | None:
    """The kiosk id a request is made by, or None."""
    parsed = parse_basic(header)
    if parsed is None or not KIOSK_ID.match(parsed[0]):
        return None
    return parsed[0] if verify(store, *parsed) else None
