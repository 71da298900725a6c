"""The console's pages for remote actions and rollouts, on a small app that names the staff
member (console-core's login does that for real): hall staff act on their hall only, only the
fleet manager changes rollouts, and what is sent reaches the platform signed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from kiosk.console import actions, actions_views, db, rollouts, signing
from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.scopes import Scope
from kiosk.console.app import create_console
from kiosk.refplatform.store import Store
from tests.console.conftest import add_staff, cell, english, signed_in

STAFF = {"amy": ("hall_staff", "hall-a"), "bob": ("hall_staff", "hall-b"),
         "fm": ("fleet_manager", "")}
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[SimpleNamespace]:
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    with engine.begin() as conn:
        for kiosk_id, hall in (("A-1", "hall-a"), ("B-1", "hall-b")):
            conn.execute(db.terminals.insert().values(
                kiosk_id=kiosk_id, hall=hall, ring="canary", first_seen=NOW, last_seen=NOW,
                heartbeat={"health": "ok", "versions": {"app": "0.1", "config": "1"}}))
    store = Store(tmp_path / "platform.sqlite3")
    repo = FleetRepository(tmp_path / "repo", root_keys_dir=tmp_path / "offline")
    repo.init()
    for name, (role, hall) in STAFF.items():
        add_staff(engine, name, role, hall)
    app = create_console(engine)
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF is tested in the browser (test_browser.py)
    actions_views.install(app, actions_views.ActionsSetup(
        engine, actions.PlatformStoreChannel(store),
        signing.generate(tmp_path / "console" / "command-key.pem"), repo))
    yield SimpleNamespace(engine=engine, store=store, repo=repo, client=english(app.test_client()))
    engine.dispose()


def as_(console, who: str, method: str, path: str, **kw):  # type: ignore[no-untyped-def]
    """A request by `who` signed in (nobody: "")."""
    client = console.client
    if who:
        client.set_cookie("console_session", signed_in(client.application, who))
    else:
        client.delete_cookie("console_session")
    return getattr(client, method)(path, **kw)


def queued(console) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with console.store.read() as conn:
        return [(r["kiosk_id"], r["command_id"]) for r in conn.execute(
            "SELECT kiosk_id, command_id FROM kiosk_commands ORDER BY seq")]


def test_hall_staff_act_on_their_hall_only(console) -> None:
    page = as_(console, "amy", "get", "/actions/").get_data(as_text=True)
    assert cell("A-1") in page and cell("B-1") not in page
    sent = as_(console, "amy", "post", "/actions/A-1/out_of_service",
               data={"message": "维护中，请到 3 号窗口"})
    assert sent.status_code == 303
    assert as_(console, "amy", "post", "/actions/B-1/restart").status_code == 403
    assert as_(console, "amy", "post", "/actions/NOPE/restart").status_code == 404
    assert as_(console, "amy", "post", "/actions/A-1/shell").status_code == 404
    assert as_(console, "", "post", "/actions/A-1/restart").status_code == 401  # not signed in
    assert [k for k, _ in queued(console)] == ["A-1"]
    (row,) = actions.history(console.engine)
    assert (row["kiosk_id"], row["action"], row["issued_by"], row["seq"], row["status"]) == (
        "A-1", "out_of_service", "amy", 1, "pending")
    page = as_(console, "amy", "get", "/actions/").get_data(as_text=True)
    assert "维护中，请到 3 号窗口" in page and "pending" in page
    assert "B-1" in as_(console, "fm", "get", "/actions/").get_data(as_text=True)
    assert as_(console, "fm", "post", "/actions/B-1/restart").status_code == 303


def test_a_message_the_terminal_could_not_show_is_not_sent(console) -> None:
    answer = as_(console, "amy", "post", "/actions/A-1/out_of_service",
                 data={"message": "x" * 201}, follow_redirects=True)
    assert "at most 200" in answer.get_data(as_text=True)
    assert queued(console) == []


def test_a_screenshot_is_shown_to_its_hall_only(console) -> None:
    as_(console, "amy", "post", "/actions/A-1/screenshot")
    ((_, command_id),) = queued(console)
    png = b"\x89PNG\r\n\x1a\n-a-terminal's-attract-loop"
    with console.store.write() as conn:  # as the terminal reports it (tests/remote does so)
        conn.execute("UPDATE kiosk_commands SET outcome='executed', result_at=?, screenshot=?",
                     ("2026-12-05T10:00:00+08:00", png))
    assert f"/actions/screenshots/{command_id}.png" in as_(
        console, "amy", "get", "/actions/").get_data(as_text=True)
    shot = as_(console, "amy", "get", f"/actions/screenshots/{command_id}.png")
    assert (shot.status_code, shot.mimetype, shot.data) == (200, "image/png", png)
    assert as_(console, "bob", "get",
               f"/actions/screenshots/{command_id}.png").status_code == 403


def test_only_the_fleet_manager_promotes_and_rolls_back(console) -> None:
    for position, ring in enumerate(("lab", "canary")):
        rollouts.plan_ring(console.engine, ring, position, actor="fm")
    console.repo.publish(Scope("ring", "lab"), b'[ui]\nlanguage = "en"\n')
    page = as_(console, "amy", "get", "/rollouts/").get_data(as_text=True)
    assert "Promote" not in page and cell("A-1") in page and cell("B-1") not in page
    assert as_(console, "amy", "post", "/rollouts/lab/promote").status_code == 403
    assert "config/ring/canary.toml" not in console.repo.current()
    assert as_(console, "fm", "post", "/rollouts/lab/promote").status_code == 303
    assert "config/ring/canary.toml" in console.repo.current()
    assert as_(console, "fm", "post", "/rollouts/canary/rollback").status_code == 303
    assert "config/ring/canary.toml" not in console.repo.current()
    page = as_(console, "fm", "get", "/rollouts/").get_data(as_text=True)
    assert "rollback" in page and "promote" in page
    with console.engine.connect() as conn:
        actors = {r.actor for r in conn.execute(sa.select(rollouts.rollout_log.c.actor))}
    assert actors == {"fm"}


def test_refusals_read_in_the_staff_members_language(console) -> None:  # type: ignore[no-untyped-def]
    """A refused step says why in Chinese to a Chinese browser, in English to an English one
    (the exception's own text stays English for logs)."""
    chinese = {"Accept-Language": "zh-CN"}
    done = as_(console, "fm", "post", "/rollouts/nowhere/resume", headers=chinese,
               follow_redirects=True).get_data(as_text=True)
    assert "没有批次 nowhere" in done and '<html lang="zh-CN">' in done
    done = as_(console, "fm", "post", "/actions/A-1/out_of_service", data={"message": ""},
               headers=chinese, follow_redirects=True).get_data(as_text=True)
    assert "暂停服务需要填写给群众的提示" in done
    english = as_(console, "fm", "post", "/rollouts/nowhere/resume",
                  follow_redirects=True).get_data(as_text=True)
    assert "no ring nowhere" in english
