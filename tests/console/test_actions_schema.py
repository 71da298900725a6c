"""Revision 0004 creates exactly the tables kiosk.console.actions and rollouts declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiosk.console import actions, db, rollouts

MINE = {actions.remote_commands.name, rollouts.rollout_rings.name, rollouts.rollout_log.name}


def _table_of(diff) -> str:  # type: ignore[no-untyped-def]
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None) if not hasattr(part, "table") else part.table.name
        if name:
            return str(name)
    return ""


def test_the_migration_matches_the_declared_tables(tmp_path: Path) -> None:
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), db.metadata)
    engine.dispose()
    assert [d for d in diffs if _table_of(d) in MINE] == []
    assert MINE <= set(db.metadata.tables)
