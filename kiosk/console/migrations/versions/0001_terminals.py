"""Terminals, their heartbeats and events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "terminals",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("hall", sa.String(64), nullable=False, server_default=""),
        sa.Column("ring", sa.String(64), nullable=False, server_default=""),
        sa.Column("first_seen", UTC_TIME, nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
        sa.Column("heartbeat", sa.JSON, nullable=True),
    )
    op.create_table(
        "heartbeats",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("doc", sa.JSON, nullable=False),
    )
    op.create_index("heartbeats_by_terminal", "heartbeats", ["kiosk_id", "received_at"])
    op.create_table(
        "events",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.UniqueConstraint("kiosk_id", "event_id", name="events_once"),
    )
    op.create_index("events_by_kind", "events", ["kind", "at"])
    op.create_index("events_by_terminal", "events", ["kiosk_id", "at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("heartbeats")
    op.drop_table("terminals")
