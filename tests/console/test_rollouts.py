"""Rollouts from the console: a layer goes ring by ring through the signed fleet repository,
and a ring halts by itself once more than its share of terminals took the new version back or
went unhealthy on it; nothing is promoted from a halted ring until it is rolled back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.console import db, rollouts
from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.scopes import Scope

T0 = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.timezone.utc)
LAYER = b'[ui]\nlanguage = "en"\n'


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def repo(tmp_path: Path) -> FleetRepository:
    repository = FleetRepository(tmp_path / "repo", root_keys_dir=tmp_path / "offline")
    repository.init()
    return repository


def beat(engine: sa.Engine, kiosk_id: str, ring: str, config: str, health: str = "ok",
         at: dt.datetime = T0, rolled_back: str = "") -> None:
    """A terminal's latest heartbeat as the console's ingest keeps it."""
    versions = {"app": "0.1.0", "config": config,
                **({"config_rolled_back": rolled_back} if rolled_back else {})}
    doc = {"health": health, "versions": versions,
           "outbox_depth": 0, "paper": "ok", "devices": {}}
    with engine.begin() as conn:
        conn.execute(db.terminals.delete().where(db.terminals.c.kiosk_id == kiosk_id))
        conn.execute(db.terminals.insert().values(kiosk_id=kiosk_id, hall="A", ring=ring,
                                                  first_seen=T0, last_seen=at, heartbeat=doc))


def rolled_back(engine: sa.Engine, kiosk_id: str, at: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(db.events.insert().values(
            kiosk_id=kiosk_id, event_id=f"e-{kiosk_id}", at=at, received_at=at,
            kind="config_rolled_back", severity="warning", detail={"version": 2}))


def test_a_ring_halts_when_more_than_its_share_fails_and_promotion_stops(engine, repo) -> None:
    for position, ring in enumerate(("lab", "canary", "district")):
        rollouts.plan_ring(engine, ring, position, actor="fm", halt_share=0.2, now=T0)
    first = repo.publish(Scope("ring", "lab"), LAYER).version
    for i in range(10):
        beat(engine, f"C-{i:02d}", "canary", "")
    version = rollouts.promote(engine, repo, source="lab", actor="fm", now=T0)
    assert version > first
    assert repo.current()["config/ring/canary.toml"].version == version  # signed and served

    later = T0 + dt.timedelta(minutes=5)
    for i in range(10):
        beat(engine, f"C-{i:02d}", "canary", str(version), at=later)
    beat(engine, "C-00", "canary", str(version), "degraded", at=later)
    beat(engine, "C-01", "canary", str(version), "out_of_service", at=later)
    beat(engine, "C-02", "canary", str(version - 1), "degraded", at=later)  # not on it: not counted
    assert rollouts.evaluate(engine, later) == []  # 2 of 10 is not more than 20 %

    # a third took it back by itself, and says so in its heartbeat
    beat(engine, "C-03", "canary", str(version - 1), at=later, rolled_back=str(version))
    halted = rollouts.evaluate(engine, later)
    assert halted == [rollouts.Halt("canary", 3, 10)]
    canary = {r["ring"]: r for r in rollouts.rings(engine)}["canary"]
    assert canary["status"] == "halted" and "3 of 10" in canary["halt_reason"]
    with pytest.raises(rollouts.RolloutError, match="halted"):
        rollouts.promote(engine, repo, source="canary", actor="fm", now=later)
    assert "config/ring/district.toml" not in repo.current()
    assert rollouts.evaluate(engine, later) == []  # halted once

    rollouts.rollback(engine, repo, ring="canary", actor="fm", now=later)
    assert "config/ring/canary.toml" not in repo.current()  # it had none before: withdrawn
    assert {r["ring"]: r["status"] for r in rollouts.rings(engine)}["canary"] == "open"
    assert [e["action"] for e in rollouts.log_entries(engine)][:3] == [
        "rollback", "halt", "promote"]
    assert rollouts.log_entries(engine)[1]["actor"] == "system"


def test_a_rollback_event_counts_as_well(engine, repo) -> None:
    rollouts.plan_ring(engine, "lab", 0, actor="fm", now=T0)
    rollouts.plan_ring(engine, "canary", 1, actor="fm", halt_share=0.0, now=T0)
    repo.publish(Scope("ring", "lab"), LAYER)
    beat(engine, "C-1", "canary", "")
    beat(engine, "C-2", "canary", "")
    rollouts.promote(engine, repo, source="lab", actor="fm", now=T0)
    rolled_back(engine, "C-1", T0 - dt.timedelta(minutes=1))  # before the promotion: not it
    assert rollouts.evaluate(engine, T0) == []
    rolled_back(engine, "C-2", T0 + dt.timedelta(minutes=1))
    assert rollouts.evaluate(engine, T0) == [rollouts.Halt("canary", 1, 2)]


def test_rolling_back_a_ring_publishes_its_earlier_layer_again(engine, repo) -> None:
    rollouts.plan_ring(engine, "lab", 0, actor="fm", now=T0)
    rollouts.plan_ring(engine, "canary", 1, actor="fm", now=T0)
    old = repo.publish(Scope("ring", "canary"), b'[ui]\nlanguage = "zh-CN"\n')
    repo.publish(Scope("ring", "lab"), LAYER)
    rollouts.promote(engine, repo, source="lab", actor="fm", now=T0)
    assert repo.bundle(repo.current()["config/ring/canary.toml"]) == LAYER
    again = rollouts.rollback(engine, repo, ring="canary", actor="fm", now=T0)
    now_in_force = repo.current()["config/ring/canary.toml"]
    assert again == now_in_force.version > old.version  # going back is going forward
    assert repo.bundle(now_in_force) == b'[ui]\nlanguage = "zh-CN"\n'


def test_which_terminal_runs_which_layer(engine) -> None:
    beat(engine, "A-1", "lab", "7")
    beat(engine, "A-2", "canary", "", "degraded")
    assert [(t["kiosk_id"], t["ring"], t["config"], t["health"])
            for t in rollouts.layer_map(engine)] == [
        ("A-2", "canary", "", "degraded"), ("A-1", "lab", "7", "ok")]


def test_the_consoles_background_round_halts_a_ring_with_nobody_on_its_page(engine, repo) -> None:
    from kiosk.console.alert_loop import AlertLoop
    from kiosk.console.alerts import AlertRules

    for position, ring in enumerate(("lab", "canary")):
        rollouts.plan_ring(engine, ring, position, actor="fm", halt_share=0.2, now=T0)
    repo.publish(Scope("ring", "lab"), LAYER)
    for i in range(4):
        beat(engine, f"C-{i}", "canary", "")
    version = rollouts.promote(engine, repo, source="lab", actor="fm", now=T0)
    later = T0 + dt.timedelta(minutes=5)
    for i in range(4):
        beat(engine, f"C-{i}", "canary", str(version), "degraded" if i < 2 else "ok", at=later)
    AlertLoop(engine, AlertRules(), [], clock=lambda: later).round()
    assert {r["ring"]: r["status"] for r in rollouts.rings(engine)}["canary"] == "halted"
