"""The alerts' tables: the alerts themselves and one delivery row per alert, channel and
transition (raised / cleared), so a restarted console neither resends nor forgets a message.

"One open alert per (terminal, kind)" is a unique `open_key` (kiosk_id|kind) that is set while
the alert is open and NULL once cleared: both SQLite and PostgreSQL let NULLs repeat, so the
database itself refuses a second open alert, whichever console thread raises it.
"""

from __future__ import annotations

import sqlalchemy as sa

from kiosk.console.db import UTC_TIME, metadata

SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")

alerts = sa.Table(
    "alerts", metadata,
    sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
    sa.Column("kiosk_id", sa.String(64), nullable=False),
    sa.Column("hall", sa.String(64), nullable=False, server_default=""),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.JSON, nullable=True),  # whitelisted facts only (see alerts.DETAIL_KEYS)
    sa.Column("raised_at", UTC_TIME, nullable=False),
    sa.Column("cleared_at", UTC_TIME, nullable=True),
    sa.Column("open_key", sa.String(100), nullable=True, unique=True),
    sa.Column("acked_by", sa.String(64), nullable=True),
    sa.Column("acked_at", UTC_TIME, nullable=True),
    sa.Index("alerts_by_terminal", "kiosk_id", "raised_at"),
)

alert_deliveries = sa.Table(
    "alert_deliveries", metadata,
    sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
    sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
              sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),  # email | webhook
    sa.Column("transition", sa.String(16), nullable=False),  # raised | cleared
    sa.Column("state", sa.String(16), nullable=False),  # pending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_at", UTC_TIME, nullable=False),
    sa.Column("last_error", sa.String(200), nullable=True),
    sa.Column("sent_at", UTC_TIME, nullable=True),
    sa.UniqueConstraint("alert_id", "channel", "transition", name="alert_delivery_once"),
    sa.Index("alert_deliveries_due", "state", "next_at"),
)
