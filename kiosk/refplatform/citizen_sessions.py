"""Citizen sessions: the platform serves a citizen's data only to the terminal where that citizen
was identified and proved to hold the identity, and only that citizen's data.

A terminal opens a session with the identity it read (`open_session`); the platform answers a
bearer token bound to that terminal and that citizen, kept only as a SHA-256 hash. The session
reaches nothing personal until the holder is verified: today by a one-time code sent by SMS to
the mobile number the platform already holds (6 digits, 5 minutes, 5 tries, 3 sends per
session). A session lives at most `ABSOLUTE` and dies after `IDLE` without use; the terminal
ends it when its own session ends.

On verification the platform also hands out a filing grant: the outbox's way to deliver, after
the citizen has left, what they filed while present (applications, supplements, ratings,
certificate collections). A grant is bound to the terminal and the citizen, lives `GRANT_TTL`
and is good for `GRANT_USES` deliveries, so a stolen terminal credential cannot file for a
citizen who never verified at that terminal, and for one who did only within those bounds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from drivers.idcard.idnumber import mask_id_number
from drivers.smartcard.card_auth import HOLDER_CONTEXT, CardNotAuthentic, verify_card
from kiosk.refplatform.ids import opaque_id, parse_stamp, secret_digest, stamp
from kiosk.refplatform.problems import Problem

IDLE = dt.timedelta(minutes=15)
ABSOLUTE = dt.timedelta(minutes=60)
CODE_TTL = dt.timedelta(minutes=5)
CODE_TRIES = 5
CODE_SENDS_PER_SESSION = 3
GRANT_TTL = dt.timedelta(days=7)
GRANT_USES = 20
SESSION_HEADER = "Citizen-Session"
GRANT_HEADER = "Filing-Grant"


@dataclass(frozen=True)
class CitizenSession:
    """A live session as a request sees it (never the token)."""

    session_id: str
    kiosk_id: str
    id_number: str


def _mobile(conn: sqlite3.Connection, id_number: str) -> str | None:
    row = conn.execute("SELECT doc FROM citizens WHERE id_number = ?", (id_number,)).fetchone()
    if row is None:
        return None
    mobile = json.loads(row["doc"]).get("prefill", {}).get("mobile")
    return mobile if isinstance(mobile, str) and mobile else None


def masked_mobile(mobile: str) -> str:
    """`138****0001`: enough for a citizen to recognise their phone."""
    return mobile[:3] + "*" * max(len(mobile) - 7, 0) + mobile[-4:]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _document(conn: sqlite3.Connection, row: sqlite3.Row, token: str | None = None
              ) -> dict[str, Any]:
    mobile = _mobile(conn, row["id_number"])
    factors: list[dict[str, Any]] = []
    if row["card_challenge"] is not None:  # a smart card, and an issuer root to check it
        factors.append({"factor": "card_pin"})
    if mobile:
        factors.append({"factor": "sms_code", "to": masked_mobile(mobile)})
    doc: dict[str, Any] = {
        "session_id": row["session_id"],
        "holder_verified": row["holder_verified_at"] is not None,
        "expires_at": row["expires_at"],
        "idle_timeout_s": int(IDLE.total_seconds()),
        "holder_factors": factors,
        "citizen_masked": mask_id_number(row["id_number"]),
    }
    if token is not None:
        doc["token"] = token
        if row["card_challenge"] is not None:
            doc["card_challenge"] = _b64(row["card_challenge"])
    return doc


def open_session(conn: sqlite3.Connection, kiosk_id: str, body: dict[str, Any],
                 now: dt.datetime, card_root: x509.Certificate | None = None) -> dict[str, Any]:
    """A new session for the identity the terminal read; the token is in this answer only.
    A smart card's session also gets the nonce its holder proof signs (with `card_root`, the
    card issuer's root the platform checks that proof against)."""
    if body["evidence"] == "eid_qr":
        jti = body.get("evidence_id")
        if not jti:
            raise Problem(400, "validation_failed", "an e-ID session names its code",
                          errors=[{"path": "evidence_id", "message": "required for eid_qr"}])
        if conn.execute("SELECT 1 FROM eid_uses WHERE jti = ?", (jti,)).fetchone():
            raise Problem(409, "eid_replayed", "this e-ID code has been used already")
        conn.execute("INSERT INTO eid_uses(jti, kiosk_id, used_at) VALUES (?, ?, ?)",
                     (jti, kiosk_id, stamp(now)))
    token = secrets.token_urlsafe(32)
    session_id = opaque_id("CS")
    conn.execute(
        "INSERT INTO citizen_sessions(session_id, token_hash, kiosk_id, id_number, evidence, "
        "created_at, last_used_at, expires_at, card_challenge) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, secret_digest(token), kiosk_id, body["id_number"], body["evidence"],
         stamp(now), stamp(now), stamp(now + ABSOLUTE),
         secrets.token_bytes(32) if body["evidence"] == "smartcard" and card_root else None))
    row = conn.execute("SELECT * FROM citizen_sessions WHERE session_id = ?",
                       (session_id,)).fetchone()
    return _document(conn, row, token)


def _live_row(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
              now: dt.datetime) -> sqlite3.Row:
    """The session a token names, if it is this terminal's, not ended and not expired."""
    if not token:
        raise Problem(401, "citizen_session_required",
                      "this operation needs a citizen session (header Citizen-Session)")
    row = conn.execute("SELECT * FROM citizen_sessions WHERE token_hash = ?",
                       (secret_digest(token),)).fetchone()
    if row is None or row["kiosk_id"] != kiosk_id or row["ended_at"] is not None:
        raise Problem(401, "citizen_session_invalid", "no such citizen session at this terminal")
    if now >= parse_stamp(row["expires_at"]) or now - parse_stamp(row["last_used_at"]) >= IDLE:
        raise Problem(401, "citizen_session_expired", "the citizen session has expired")
    return row


def resolve(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
            now: dt.datetime) -> CitizenSession:
    """The session behind a request, touched; refused unless live and its holder verified."""
    row = _live_row(conn, kiosk_id, token, now)
    if row["holder_verified_at"] is None:
        raise Problem(403, "holder_not_verified",
                      "the holder of the identity has not been verified in this session")
    conn.execute("UPDATE citizen_sessions SET last_used_at = ? WHERE session_id = ?",
                 (stamp(now), row["session_id"]))
    return CitizenSession(row["session_id"], kiosk_id, row["id_number"])


def citizen_of(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
               now: dt.datetime) -> str:
    """The ID number of a live session's citizen (to count what is done for them)."""
    return _live_row(conn, kiosk_id, token, now)["id_number"]


def describe(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
             now: dt.datetime) -> dict[str, Any]:
    row = _live_row(conn, kiosk_id, token, now)
    return _document(conn, row)


def end(conn: sqlite3.Connection, kiosk_id: str, token: str | None, now: dt.datetime) -> None:
    """End a session (idempotent for the terminal that owns it: an ended one stays ended)."""
    if not token:
        raise Problem(401, "citizen_session_required", "no citizen session named")
    row = conn.execute("SELECT * FROM citizen_sessions WHERE token_hash = ?",
                       (secret_digest(token),)).fetchone()
    if row is None or row["kiosk_id"] != kiosk_id:
        raise Problem(401, "citizen_session_invalid", "no such citizen session at this terminal")
    if row["ended_at"] is None:
        conn.execute("UPDATE citizen_sessions SET ended_at = ? WHERE session_id = ?",
                     (stamp(now), row["session_id"]))
        conn.execute("DELETE FROM holder_codes WHERE session_id = ?", (row["session_id"],))


# -- holder verification by SMS code ---------------------------------------------------------

def send_code(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
              now: dt.datetime) -> dict[str, Any]:
    """Send a fresh code to the citizen's mobile on file (through the SMS gateway)."""
    row = _live_row(conn, kiosk_id, token, now)
    mobile = _mobile(conn, row["id_number"])
    if mobile is None:
        raise Problem(409, "no_mobile_on_file",
                      "the platform holds no mobile number for this citizen")
    previous = conn.execute("SELECT sends FROM holder_codes WHERE session_id = ?",
                            (row["session_id"],)).fetchone()
    sends = (previous["sends"] if previous else 0) + 1
    if sends > CODE_SENDS_PER_SESSION:
        raise Problem(429, "too_many_codes", "no more codes can be sent in this session")
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_bytes(16)
    conn.execute(
        "INSERT INTO holder_codes(session_id, salt, code_hash, expires_at, tries_left, sends) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET salt = excluded.salt, "
        "code_hash = excluded.code_hash, expires_at = excluded.expires_at, "
        "tries_left = excluded.tries_left, sends = excluded.sends",
        (row["session_id"], salt, hashlib.sha256(salt + code.encode()).digest(),
         stamp(now + CODE_TTL), CODE_TRIES, sends))
    conn.execute("INSERT INTO sms_messages(to_mobile, body, sent_at) VALUES (?, ?, ?)",
                 (mobile, f"【政务服务】您的验证码是{code}，5分钟内有效。请勿告诉他人。", stamp(now)))
    return {"factor": "sms_code", "to": masked_mobile(mobile),
            "expires_in_s": int(CODE_TTL.total_seconds()),
            "sends_left": CODE_SENDS_PER_SESSION - sends}


def verify_holder(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
                  body: dict[str, Any], now: dt.datetime,
                  card_root: x509.Certificate | None = None) -> dict[str, Any] | Problem:
    """Check a code; on success the session is verified and a filing grant comes back.

    A wrong code is returned as a Problem, not raised: raising would roll back the try it
    spent, and codes could be guessed without end."""
    row = _live_row(conn, kiosk_id, token, now)
    if body["factor"] == "card_pin":
        problem = _card_proof_problem(row, body, card_root, now)
        if problem is not None:
            return problem
        return _verified(conn, row, kiosk_id, "card_pin", now)
    if "code" not in body:
        raise Problem(400, "validation_failed", "an sms_code proof carries the code",
                      errors=[{"path": "code", "message": "required"}])
    code_row = conn.execute("SELECT * FROM holder_codes WHERE session_id = ?",
                            (row["session_id"],)).fetchone()
    if code_row is None or code_row["tries_left"] <= 0 \
            or now >= parse_stamp(code_row["expires_at"]):
        raise Problem(409, "no_live_code", "send a new code first")
    given = str(body["code"]).encode()
    if not hmac.compare_digest(hashlib.sha256(code_row["salt"] + given).digest(),
                               code_row["code_hash"]):
        left = code_row["tries_left"] - 1
        conn.execute("UPDATE holder_codes SET tries_left = ? WHERE session_id = ?",
                     (left, row["session_id"]))
        return Problem(422, "wrong_code", "the code is not right",
                       errors=[{"path": "code", "message": "wrong code"}], tries_left=left)
    conn.execute("DELETE FROM holder_codes WHERE session_id = ?", (row["session_id"],))
    return _verified(conn, row, kiosk_id, "sms_code", now)


def _card_proof_problem(row: sqlite3.Row, body: dict[str, Any],
                        card_root: x509.Certificate | None, now: dt.datetime) -> Problem | None:
    """Why a card's holder proof is not accepted (None when it is): the card's issuer-certified
    key signed this session's nonce, which the card does only after its own PIN check."""
    if row["card_challenge"] is None or card_root is None:
        return Problem(409, "factor_not_offered", "this session has no card factor")
    certificate, signature = _unb64(body.get("certificate")), _unb64(body.get("signature"))
    try:
        verify_card(card_root, certificate, row["card_challenge"], signature,
                    id_number=row["id_number"], card_number=None, now=now,
                    context=HOLDER_CONTEXT)
    except CardNotAuthentic as exc:
        return Problem(422, "card_proof_invalid", "the card's proof is not valid",
                       errors=[{"path": "signature", "message": exc.reason}])
    return None


def _verified(conn: sqlite3.Connection, row: sqlite3.Row, kiosk_id: str, factor: str,
              now: dt.datetime) -> dict[str, Any]:
    """The session's holder is verified (by `factor`): its document with a filing grant."""
    conn.execute("UPDATE citizen_sessions SET holder_verified_at = ?, holder_factor = ?, "
                 "last_used_at = ? WHERE session_id = ?",
                 (stamp(now), factor, stamp(now), row["session_id"]))
    grant = secrets.token_urlsafe(32)
    conn.execute("INSERT INTO filing_grants(grant_hash, session_id, kiosk_id, id_number, "
                 "expires_at) VALUES (?, ?, ?, ?, ?)",
                 (secret_digest(grant), row["session_id"], kiosk_id, row["id_number"],
                  stamp(now + GRANT_TTL)))
    fresh = conn.execute("SELECT * FROM citizen_sessions WHERE session_id = ?",
                         (row["session_id"],)).fetchone()
    return {**_document(conn, fresh), "filing_grant": grant,
            "filing_grant_expires_at": stamp(now + GRANT_TTL)}


def resolve_filing(conn: sqlite3.Connection, kiosk_id: str, token: str | None,
                   grant: str | None, idempotency_key: str, now: dt.datetime,
                   uses: int = GRANT_USES) -> CitizenSession:
    """Who a filing is for: a verified session, or else a filing grant. A grant files at most
    `uses` things, counted by idempotency key: the outbox's retries of one item spend one."""
    if token or not grant:
        return resolve(conn, kiosk_id, token, now)
    row = conn.execute("SELECT * FROM filing_grants WHERE grant_hash = ?",
                       (secret_digest(grant),)).fetchone()
    if row is None or row["kiosk_id"] != kiosk_id or now >= parse_stamp(row["expires_at"]):
        raise Problem(401, "filing_grant_invalid", "the filing grant is not valid here")
    spent = conn.execute("SELECT 1 FROM grant_uses WHERE grant_hash = ? AND idempotency_key = ?",
                         (row["grant_hash"], idempotency_key)).fetchone()
    if spent is None:
        used = conn.execute("SELECT COUNT(*) FROM grant_uses WHERE grant_hash = ?",
                            (row["grant_hash"],)).fetchone()[0]
        if used >= uses:
            raise Problem(401, "filing_grant_invalid", "the filing grant is used up")
        conn.execute("INSERT INTO grant_uses(grant_hash, idempotency_key, at) VALUES (?, ?, ?)",
                     (row["grant_hash"], idempotency_key, stamp(now)))
    return CitizenSession(row["session_id"], kiosk_id, row["id_number"])


# -- who read what ------------------------------------------------------------------------------

def record_read(conn: sqlite3.Connection, session: CitizenSession, operation: str,
                subject: str | None, now: dt.datetime) -> None:
    """Every read or change of a citizen's data, with terminal and session (for the record)."""
    conn.execute("INSERT INTO citizen_reads(at, kiosk_id, session_id, id_number, operation, "
                 "subject) VALUES (?, ?, ?, ?, ?, ?)",
                 (stamp(now), session.kiosk_id, session.session_id, session.id_number,
                  operation, subject))


def sms_sent_to(conn: sqlite3.Connection, mobile: str | None = None) -> list[dict[str, Any]]:
    """The SMS gateway emulator's outbox for one number (None: for anyone), newest last (tests,
    the sim)."""
    return [dict(r) for r in conn.execute(
        "SELECT to_mobile, body, sent_at FROM sms_messages WHERE ? IS NULL OR to_mobile = ? "
        "ORDER BY id", (mobile, mobile))]
