"""The board's page from SQL (standing kept at ingest, offline from last_seen at read time) is
the board computed terminal by terminal in Python: the same rows in the same order on every
page, the same counts and filters, after heartbeats change a terminal and after time passes;
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from kiosk.console import db, ingest, queries
from kiosk.console.status import LEVELS, PROBLEMS, board, heartbeat_problems, level_of

T0 = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
OFFLINE_AFTER_S = 180
HALLS = ("Hall-B", "hall a", "政务大厅")  # code-point order differs from a locale's


def doc(paper: str = "ok", health: str = "ok", devices: dict[str, str] | None = None,
        **more: Any) -> dict[str, Any]:
    return {"health": health, "versions": {"app": "1.4"}, "outbox_depth": 0, "paper": paper,
            "devices": devices or {"printer": "online", "idcard": "online"}, **more}


DOCS = [doc(), doc(paper="low"), doc(paper="out"), doc(paper="unknown"),
        doc(health="degraded"), doc(health="out_of_service"),
        doc(devices={"printer": "hardwareError", "idcard": "online"}),
        doc(devices={"printer": "userError", "idcard": "starting"}),
        doc(outbox_stuck={"count": 2, "oldest_age_s": 900}), doc(prints_unknown=1),
        doc(paper="low", devices={"scanner": "offline"}), {}, doc(), doc()]


def fleet(engine: sa.Engine) -> None:
    for i in range(60):
        site = {"hall": HALLS[i % 3], "ring": ("canary", "broad")[i % 2]}
        seen = T0 - dt.timedelta(seconds=(i * 7) % 400)  # some already offline at T0
        ingest.heartbeat(engine, f"K-{i:03d}", {**DOCS[i % len(DOCS)], "site": site}, seen)


def assert_board_matches(engine: sa.Engine, now: dt.datetime) -> None:
    everyone = board(queries.statuses(engine, now, OFFLINE_AFTER_S))
    for hall in (None, HALLS[1]):
        for problem in (None, *PROBLEMS):
            expected = [r for r in everyone if (hall is None or r.hall == hall)
                        and (problem is None or problem in r.problems)]
            shown, page, pages = [], 0, 1
            while page < pages:
                page += 1
                found = queries.board_page(engine, now, OFFLINE_AFTER_S, hall=hall,
                                           problem=problem, page=page, size=7)
                pages = found.pages
                shown += found.rows
            assert [(r.kiosk_id, r.level, r.problems) for r in shown] == \
                [(r.kiosk_id, r.level, r.problems) for r in expected], (hall, problem)
            assert found.counts == {level: sum(r.level == level for r in expected)
                                    for level in LEVELS}, (hall, problem)


def test_the_sql_board_is_the_computed_board_after_heartbeats_and_as_time_passes(
        store: sa.Engine) -> None:
    fleet(store)
    assert_board_matches(store, T0)
    # heartbeats change terminals: a paper-out one is refilled, a fine one breaks down
    ingest.heartbeat(store, "K-002", doc(), T0)
    ingest.heartbeat(store, "K-000", doc(devices={"printer": "hardwareError"}), T0)
    assert_board_matches(store, T0)
    assert queries.board_page(store, T0, OFFLINE_AFTER_S).rows[0].level == "red"
    # time passes: terminals go offline with no write at all, exactly at the threshold's edge
    assert_board_matches(store, T0 + dt.timedelta(seconds=OFFLINE_AFTER_S))
    assert_board_matches(store, T0 + dt.timedelta(seconds=OFFLINE_AFTER_S, microseconds=1))
    later = T0 + dt.timedelta(hours=1)
    assert_board_matches(store, later)
    assert queries.board_page(store, later, OFFLINE_AFTER_S).counts == \
        {"red": 60, "amber": 0, "green": 0}


def test_the_stored_standing_is_the_level_the_heartbeat_gives(store: sa.Engine) -> None:
    fleet(store)
    with store.connect() as conn:
        rows = conn.execute(sa.select(db.terminals)).all()
    for row in rows:
        problems = heartbeat_problems(row.heartbeat)
        assert row.standing == LEVELS.index(level_of(problems))
        assert [p for p in row.problems.split(",") if p] == problems


def test_the_migration_fills_the_standing_of_terminals_already_stored(store: sa.Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    with store.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    before = sa.table("terminals", sa.column("kiosk_id"), sa.column("hall"), sa.column("ring"),
                      sa.column("first_seen"), sa.column("last_seen"),
                      sa.column("heartbeat", sa.JSON))
    with store.begin() as conn:
        conn.execute(before.insert(), [
            {"kiosk_id": "K-out", "hall": "A", "ring": "r", "first_seen": T0, "last_seen": T0,
             "heartbeat": doc(paper="out")},
            {"kiosk_id": "K-low", "hall": "A", "ring": "r", "first_seen": T0, "last_seen": T0,
             "heartbeat": doc(paper="low")},
            {"kiosk_id": "K-ok", "hall": "A", "ring": "r", "first_seen": T0, "last_seen": T0,
             "heartbeat": None}])
    db.migrate(store)
    found = queries.board_page(store, T0, OFFLINE_AFTER_S)
    assert [r.kiosk_id for r in found.rows] == ["K-out", "K-low", "K-ok"]
    assert found.counts == {"red": 1, "amber": 1, "green": 1}
    assert [r.kiosk_id for r in queries.board_page(store, T0, OFFLINE_AFTER_S,
                                                   problem="paper_low").rows] == ["K-low"]


def test_the_board_keeps_code_point_order_on_a_database_with_a_locale(postgres_server) -> None:
    """PostgreSQL sorts by its database's collation ("hall a" before "Hall-B" in en-US); the
    board sorts as Python compares strings, as it did when it sorted in Python."""
    name = "console_icu_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE template0 '
                             "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"))
    admin.dispose()
    engine = db.connect(postgres_server.rsplit("/", 1)[0] + "/" + name)
    try:
        db.migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 'hall a' < 'Hall-B'")).scalar()
        fleet(engine)
        assert_board_matches(engine, T0)
    finally:
        engine.dispose()
