"""SQLite behind the reference platform: WAL, one connection per unit of work, versioned schema.

Every request opens its own connection (`read()` or `write()`), so the threaded server never
shares a connection between threads. `write()` starts with `BEGIN IMMEDIATE`: it takes the
database's write lock before the first read, so a check and the effect it guards (an
idempotency key and the application it files, a slot's remaining capacity and the booking)
happen in one serialised step. busy_timeout makes a second writer wait its turn instead of
failing.

Migrations are a list of SQL scripts; `PRAGMA user_version` says how many have run.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_S = 30.0

MIGRATIONS: list[str] = [
    # 1: the whole first schema.
    """
    CREATE TABLE kiosks (
        kiosk_id TEXT PRIMARY KEY,
        salt BLOB NOT NULL,
        credential_hash BLOB NOT NULL,
        enrolled_at TEXT NOT NULL
    );
    CREATE TABLE services (
        service_id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE TABLE citizens (
        id_number TEXT PRIMARY KEY,
        doc TEXT NOT NULL
    );
    CREATE TABLE idempotency (
        kiosk_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (kiosk_id, operation, key)
    );
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE applications (
        receipt_no TEXT PRIMARY KEY,
        service_id TEXT NOT NULL REFERENCES services(service_id),
        kiosk_id TEXT NOT NULL,
        id_kind TEXT NOT NULL,
        id_number TEXT NOT NULL,
        name TEXT NOT NULL,
        mobile TEXT,
        form TEXT NOT NULL,
        client_reference TEXT NOT NULL,
        status TEXT NOT NULL,
        acceptance TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        due_date TEXT,
        fee_fen INTEGER NOT NULL,
        paid INTEGER NOT NULL DEFAULT 0,
        awaiting TEXT,
        seq INTEGER NOT NULL
    );
    CREATE INDEX applications_by_citizen ON applications(id_number, seq);
    CREATE TABLE timeline (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        receipt_no TEXT NOT NULL REFERENCES applications(receipt_no),
        status TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT
    );
    CREATE TABLE materials (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        receipt_no TEXT NOT NULL REFERENCES applications(receipt_no),
        material_id TEXT NOT NULL,
        source TEXT NOT NULL,
        elicence_id TEXT,
        promised_by TEXT,
        received INTEGER NOT NULL,
        submitted_at TEXT NOT NULL
    );
    CREATE TABLE pages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        material_row INTEGER NOT NULL REFERENCES materials(id),
        seq INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        content BLOB NOT NULL
    );
    CREATE TABLE certificates (
        certificate_id TEXT PRIMARY KEY,
        receipt_no TEXT NOT NULL REFERENCES applications(receipt_no),
        id_number TEXT NOT NULL,
        title TEXT NOT NULL,
        holder_name TEXT NOT NULL,
        holder_masked TEXT NOT NULL,
        issuer TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        verification_code TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'valid',
        collected_at TEXT,
        print_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX certificates_by_citizen ON certificates(id_number);
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        certificate_id TEXT NOT NULL REFERENCES certificates(certificate_id),
        kiosk_id TEXT NOT NULL,
        at TEXT NOT NULL,
        reprint_reason TEXT
    );
    CREATE TABLE payments (
        payment_id TEXT PRIMARY KEY,
        receipt_no TEXT NOT NULL REFERENCES applications(receipt_no),
        amount_fen INTEGER NOT NULL,
        status TEXT NOT NULL,
        qr_content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        paid_at TEXT
    );
    CREATE TABLE slots (
        slot_id TEXT PRIMARY KEY,
        service_id TEXT NOT NULL REFERENCES services(service_id),
        hall TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        UNIQUE (service_id, starts_at)
    );
    CREATE TABLE appointments (
        appointment_id TEXT PRIMARY KEY,
        booking_code TEXT NOT NULL,
        service_id TEXT NOT NULL,
        slot_id TEXT NOT NULL REFERENCES slots(slot_id),
        status TEXT NOT NULL,
        id_number TEXT NOT NULL,
        holder_masked TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX appointments_by_citizen ON appointments(id_number);
    CREATE TABLE evaluations (
        evaluation_id TEXT PRIMARY KEY,
        receipt_no TEXT NOT NULL UNIQUE REFERENCES applications(receipt_no),
        kiosk_id TEXT NOT NULL,
        score INTEGER NOT NULL,
        comment TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE heartbeats (
        kiosk_id TEXT PRIMARY KEY,
        received_at TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE TABLE events (
        kiosk_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        detail TEXT,
        received_at TEXT NOT NULL,
        PRIMARY KEY (kiosk_id, event_id)
    );
    """,
    # 2: what the applicant agreed to be told (NULL: not asked).
    """
    ALTER TABLE applications ADD COLUMN notify_sms INTEGER;
    """,
    # 3: citizen sessions, holder codes, the SMS gateway emulator, filing grants, and the record
    # of every read of a citizen's data.
    """
    CREATE TABLE citizen_sessions (
        session_id TEXT PRIMARY KEY,
        token_hash BLOB NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        id_number TEXT NOT NULL,
        evidence TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        holder_verified_at TEXT,
        holder_factor TEXT,
        card_challenge BLOB,
        ended_at TEXT
    );
    CREATE TABLE holder_codes (
        session_id TEXT PRIMARY KEY REFERENCES citizen_sessions(session_id),
        salt BLOB NOT NULL,
        code_hash BLOB NOT NULL,
        expires_at TEXT NOT NULL,
        tries_left INTEGER NOT NULL,
        sends INTEGER NOT NULL
    );
    CREATE TABLE sms_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        to_mobile TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE TABLE filing_grants (
        grant_hash BLOB PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES citizen_sessions(session_id),
        kiosk_id TEXT NOT NULL,
        id_number TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE grant_uses (
        grant_hash BLOB NOT NULL REFERENCES filing_grants(grant_hash),
        idempotency_key TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (grant_hash, idempotency_key)
    );
    CREATE TABLE citizen_reads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kiosk_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        id_number TEXT NOT NULL,
        operation TEXT NOT NULL,
        subject TEXT
    );
    CREATE INDEX citizen_reads_by_citizen ON citizen_reads(id_number, at);
    CREATE TABLE progress_tokens (
        token_hash BLOB PRIMARY KEY,
        receipt_no TEXT NOT NULL REFERENCES applications(receipt_no),
        created_at TEXT NOT NULL
    );
    CREATE TABLE eid_uses (
        jti TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        used_at TEXT NOT NULL
    );
    """,
    # 4: the audit-trail heads each terminal reported in its heartbeats (contract 1.2), and
    # the inconsistent ones flagged for the operations console. No personal data in either.
    """
    CREATE TABLE audit_heads (
        kiosk_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
    );
    CREATE TABLE audit_alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kiosk_id TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        reported_seq INTEGER NOT NULL,
        reported_hash TEXT NOT NULL,
        known_seq INTEGER NOT NULL,
        known_hash TEXT NOT NULL
    );
    CREATE INDEX audit_alerts_by_kiosk ON audit_alerts(kiosk_id, id);
    """,
    # 5: help requests (contract 1.3): a citizen touched 呼叫工作人员 at a terminal. Where they
    # are (screen, journey, step) and when, never who they are.
    """
    CREATE TABLE help_requests (
        help_request_id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        screen TEXT NOT NULL,
        journey TEXT,
        step INTEGER,
        steps INTEGER,
        raised_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by TEXT,
        closed_at TEXT,
        closed_by TEXT
    );
    CREATE INDEX help_requests_by_status ON help_requests(status, received_at);
    """,
    # 6: help requests (contract 1.4): staff say they are on their way (the operations console).
    """
    ALTER TABLE help_requests ADD COLUMN on_the_way_at TEXT;
    ALTER TABLE help_requests ADD COLUMN on_the_way_by TEXT;
    """,
    # 7: console commands (contract 1.4): envelopes the operations console signed, kept as they
    # came (the platform holds no key and cannot make one), and what the terminal reported.
    """
    CREATE TABLE kiosk_commands (
        command_id TEXT PRIMARY KEY,
        kiosk_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        payload TEXT NOT NULL,
        signature TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        outcome TEXT,
        reason TEXT,
        result_at TEXT,
        screenshot BLOB
    );
    CREATE INDEX kiosk_commands_pending ON kiosk_commands(kiosk_id, outcome, seq);
    """,
    # 8: a command the console took back before its terminal decided it: no longer handed out
    # (what the terminal reports afterwards is still recorded: it may have fetched it first).
    """
    ALTER TABLE kiosk_commands ADD COLUMN revoked_at TEXT;
    """,
    # 9: 好差评 by indicator (contract 1.5): efficiency, competence and attitude beside the
    # overall score, each 1-5 or NULL when the citizen gave the overall score alone.
    """
    ALTER TABLE evaluations ADD COLUMN efficiency INTEGER;
    ALTER TABLE evaluations ADD COLUMN competence INTEGER;
    ALTER TABLE evaluations ADD COLUMN attitude INTEGER;
    """,
    # 10: timeline notes by code (contract 1.6): the platform's own notes carry a stable code
    # and parameters (JSON) a terminal words in its language; an officer's words the code
    # 'officer'. Entries written before have neither (a terminal shows their text as it is).
    """
    ALTER TABLE timeline ADD COLUMN note_code TEXT;
    ALTER TABLE timeline ADD COLUMN note_params TEXT;
    """,
    # 11: a certificate's name and issuer in English (contract 1.8) beside the Chinese ones,
    # fixed when it is issued (a service renamed later does not rename it). Certificates issued
    # before have none (a terminal shows the Chinese).
    """
    ALTER TABLE certificates ADD COLUMN title_en TEXT;
    ALTER TABLE certificates ADD COLUMN issuer_en TEXT;
    """,
]


class Store:
    """The platform's database file; cheap to construct, safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        _private(Path(self.path))
        with self._open() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")  # a 201 promises the filing survives a power cut
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One serialised transaction (BEGIN IMMEDIATE): commit on success, roll back on error."""
        conn = self._open()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for reads (WAL readers never wait for the writer)."""
        conn = self._open()
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def _migrate(self) -> None:
        with self.write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")

    @property
    def schema_version(self) -> int:
        with self.read() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # --- reference data --------------------------------------------------------------------

    def has_catalogue(self) -> bool:
        with self.read() as conn:
            return conn.execute("SELECT 1 FROM services LIMIT 1").fetchone() is not None

    def seed(self, services: Iterable[dict[str, Any]],
             citizens: dict[str, dict[str, Any]] | None = None) -> None:
        """Put services (in display order) and citizens in, replacing rows with the same id."""
        with self.write() as conn:
            start = conn.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM services").fetchone()[0]
            for offset, service in enumerate(services):
                conn.execute(
                    "INSERT INTO services(service_id, position, doc) VALUES (?, ?, ?) "
                    "ON CONFLICT(service_id) DO UPDATE SET doc = excluded.doc",
                    (service["service_id"], start + offset, json.dumps(service, ensure_ascii=False)))
            for id_number, citizen in (citizens or {}).items():
                conn.execute(
                    "INSERT INTO citizens(id_number, doc) VALUES (?, ?) "
                    "ON CONFLICT(id_number) DO UPDATE SET doc = excluded.doc",
                    (id_number, json.dumps(citizen, ensure_ascii=False)))


def _private(path: Path) -> None:
    """Citizens' data: the database file is the owner's alone (0600), made so before SQLite
    opens it; SQLite gives its -wal and -shm files the database file's mode."""
    if path.exists():
        path.chmod(0o600)
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # a umask can only narrow it


def _statements(script: str) -> list[str]:
    """Split a migration script on `;` (the scripts hold no `;` inside literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def next_counter(conn: sqlite3.Connection, name: str) -> int:
    """A gap-free counter inside the caller's write transaction."""
    conn.execute("INSERT INTO counters(name, value) VALUES (?, 1) "
                 "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
    return conn.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]
