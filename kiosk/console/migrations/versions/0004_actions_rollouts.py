"""Remote commands the console signed, and rollouts (rings, their state, their log).

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
SERIAL = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "remote_commands",
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
        sa.Column("screenshot", sa.LargeBinary, nullable=True),
        sa.UniqueConstraint("kiosk_id", "seq", name="remote_commands_seq_once"),
    )
    op.create_index("remote_commands_by_terminal", "remote_commands", ["kiosk_id", "issued_at"])
    op.create_table(
        "rollout_rings",
        sa.Column("ring", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("halt_share", sa.Float, nullable=False, server_default="0.2"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("previous_version", sa.Integer, nullable=True),
        sa.Column("since", UTC_TIME, nullable=True),
        sa.Column("halt_reason", sa.String(200), nullable=False, server_default=""),
    )
    op.create_table(
        "rollout_log",
        sa.Column("id", SERIAL, primary_key=True, autoincrement=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("ring", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(300), nullable=False, server_default=""),
    )
    op.create_index("rollout_log_by_ring", "rollout_log", ["ring", "at"])


def downgrade() -> None:
    op.drop_index("rollout_log_by_ring", "rollout_log")
    op.drop_table("rollout_log")
    op.drop_table("rollout_rings")
    op.drop_index("remote_commands_by_terminal", "remote_commands")
    op.drop_table("remote_commands")
