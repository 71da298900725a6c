"""Staff accounts, failed logins (throttling) and the console's audit trail.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("hall", sa.String(64), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=False),
        sa.Column("last_totp_step", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("remote", sa.String(64), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
    )
    op.create_index("login_failures_by_name", "login_failures", ["username", "at"])
    op.create_index("login_failures_by_remote", "login_failures", ["remote", "at"])
    op.create_table(
        "console_audit",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("console_audit_by_time", "console_audit", ["at"])
    op.create_index("console_audit_by_terminal", "console_audit", ["kiosk_id", "at"])


def downgrade() -> None:
    op.drop_table("console_audit")
    op.drop_table("login_failures")
    op.drop_table("staff")
