"""The board's standing of each terminal, kept at ingest (what its latest heartbeat shows by
itself), so the board sorts, filters, counts and pages in SQL at 10,000 terminals.

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from kiosk.console.status import stored_standing

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("standing", sa.SmallInteger, nullable=False,
                                   server_default="2"))
        batch.add_column(sa.Column("problems", sa.String(200), nullable=False,
                                   server_default=""))
    op.create_index("terminals_board", "terminals", ["standing", "hall", "kiosk_id"])
    terminals = sa.table("terminals", sa.column("kiosk_id", sa.String),
                         sa.column("heartbeat", sa.JSON), sa.column("standing", sa.SmallInteger),
                         sa.column("problems", sa.String))
    conn = op.get_bind()
    for row in conn.execute(sa.select(terminals.c.kiosk_id, terminals.c.heartbeat)).all():
        conn.execute(terminals.update().where(terminals.c.kiosk_id == row.kiosk_id)
                     .values(**stored_standing(row.heartbeat)))


def downgrade() -> None:
    op.drop_index("terminals_board", "terminals")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("problems")
        batch.drop_column("standing")
