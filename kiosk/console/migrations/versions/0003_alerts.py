"""Alerts and their deliveries (e-mail, webhook).

Revision ID: 0003
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("hall", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("raised_at", UTC_TIME, nullable=False),
        sa.Column("cleared_at", UTC_TIME, nullable=True),
        sa.Column("open_key", sa.String(100), nullable=True, unique=True),
        sa.Column("acked_by", sa.String(64), nullable=True),
        sa.Column("acked_at", UTC_TIME, nullable=True),
    )
    op.create_index("alerts_by_terminal", "alerts", ["kiosk_id", "raised_at"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                  sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("transition", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_at", UTC_TIME, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("alert_id", "channel", "transition", name="alert_delivery_once"),
    )
    op.create_index("alert_deliveries_due", "alert_deliveries", ["state", "next_at"])


def downgrade() -> None:
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
