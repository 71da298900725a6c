"""The console's store: one schema for SQLite and PostgreSQL, migrated by Alembic.

Tables are SQLAlchemy Core (no ORM): the console reads aggregates and lists, and the same
statements must run on both engines. Times are timezone-aware UTC. Each console part that
needs tables declares them on `metadata` in its own module and adds one Alembic revision.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

metadata = sa.MetaData()
UTC_TIME = sa.DateTime(timezone=True)

terminals = sa.Table(
    "terminals", metadata,
    sa.Column("kiosk_id", sa.String(64), primary_key=True),
    sa.Column("hall", sa.String(64), nullable=False, server_default=""),
    sa.Column("ring", sa.String(64), nullable=False, server_default=""),
    sa.Column("first_seen", UTC_TIME, nullable=False),
    sa.Column("last_seen", UTC_TIME, nullable=False),
    sa.Column("heartbeat", sa.JSON, nullable=True),  # the latest heartbeat document
    # what that heartbeat shows by itself, kept by ingest (kiosk.console.status.stored_standing)
    # so the board sorts, filters, counts and pages in SQL; offline is added at read time
    sa.Column("standing", sa.SmallInteger, nullable=False, server_default="2"),
    sa.Column("problems", sa.String(200), nullable=False, server_default=""),
    sa.Index("terminals_board", "standing", "hall", "kiosk_id"),
)

heartbeats = sa.Table(
    "heartbeats", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("received_at", UTC_TIME, nullable=False),
    sa.Column("doc", sa.JSON, nullable=False),
    sa.Index("heartbeats_by_terminal", "kiosk_id", "received_at"),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("at", UTC_TIME, nullable=False),
    sa.Column("received_at", UTC_TIME, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("detail", sa.JSON, nullable=True),
    sa.UniqueConstraint("kiosk_id", "event_id", name="events_once"),
    sa.Index("events_by_kind", "kind", "at"),
    sa.Index("events_by_terminal", "kiosk_id", "at"),
)

MIGRATIONS = Path(__file__).with_name("migrations")


def connect(url: str) -> sa.Engine:
    """An engine for `url` (sqlite:///path or postgresql+psycopg://...). SQLite gets WAL and a
    busy timeout so the platform's threads and the console's share one file."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
