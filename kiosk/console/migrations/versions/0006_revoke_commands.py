"""Remote commands the console took back before their terminal decided them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_commands") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("remote_commands") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
