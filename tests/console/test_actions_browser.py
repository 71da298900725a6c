"""The remote-action and rollout pages in a real browser (Debian's Chromium through
Playwright), end to end: the fleet manager puts a terminal out of service from the page, the
terminal (its real remote-actions loop and platform client) fetches, checks and carries it
out, the page shows the outcome; back in service revoked from the page is never run; then
promotes a ring and rolls it back. A hall's staff member
sees neither another hall's terminals nor the rollout buttons."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from kiosk.admin.out_of_service import STATE_NAME, OutOfServiceStore
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import RemoteConfig
from kiosk.console import actions, actions_views, db, rollouts, signing
from kiosk.console.app import create_console
from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.scopes import Scope
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from kiosk.remote.wiring import remote_actions
from kiosk.session import SessionManager
from tests.console.conftest import add_staff, signed_in
from tests.support import enrolled_terminal_config

KIOSK_ID = "BROWSER-01"
STAFF = {"fm": ("fleet_manager", ""), "bob": ("hall_staff", "hall-b")}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SimpleNamespace]:
    platform_db = tmp_path / "platform.sqlite3"
    platform = start_in_thread(platform_db, validate_responses=True)
    store = Store(platform_db)
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(db.terminals.insert().values(
            kiosk_id=KIOSK_ID, hall="hall-a", ring="canary", first_seen=now, last_seen=now,
            heartbeat={"health": "ok", "versions": {"app": "0.1", "config": ""}}))
    key = signing.generate(tmp_path / "console" / "command-key.pem")
    repo = FleetRepository(tmp_path / "repo", root_keys_dir=tmp_path / "offline")
    repo.init()
    for name, (role, hall) in STAFF.items():
        add_staff(engine, name, role, hall)
    app = create_console(engine)
    actions_views.install(app, actions_views.ActionsSetup(
        engine, actions.PlatformStoreChannel(store), key, repo))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    public = tmp_path / "console-command.pub"
    public.write_bytes(signing.public_pem(key))
    config = enrolled_terminal_config(tmp_path, platform.url, store, KIOSK_ID).model_copy(
        update={"remote": RemoteConfig(console_public_key_file=str(public))})
    client = PlatformClient.from_config(config, retries=0)
    sessions = SessionManager(config)
    audit = AuditRecorder(None)
    terminal = remote_actions(config, client, sessions, audit)
    assert terminal is not None
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app,
                              terminal=terminal,
                              engine=engine, repo=repo,
                              closed=OutOfServiceStore(Path(config.terminal.data_dir)
                                                       / STATE_NAME))
    finally:
        server.shutdown()
        client.close()
        sessions.close()
        engine.dispose()
        platform.stop()
    assert not platform.app.extensions["refplatform"].violations


def page_as(browser, world, who: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "console_session", "value": signed_in(world.app, who),
                          "url": world.url}])
    return context.new_page()


def test_out_of_service_from_the_page_reaches_the_terminal_and_a_ring_rolls_back(
        browser, world) -> None:
    page = page_as(browser, world, "fm")
    page.goto(world.url + "/actions/")
    row = page.locator(f"#terminal-{KIOSK_ID}")
    row.get_by_label("Message for citizens").fill("设备维护中，请到 3 号窗口")
    row.get_by_role("button", name="Out of service").click()
    page.wait_for_url("**/actions/")
    assert "pending" in page.locator("#commands").inner_text()

    world.terminal.poll_once()  # the terminal's next poll
    assert world.closed.get() is not None
    assert world.closed.get().message == "设备维护中，请到 3 号窗口"
    page.reload()
    sent = page.locator("#commands").inner_text()
    assert "executed" in sent and "设备维护中，请到 3 号窗口" in sent and "fm" in sent

    # back in service, revoked from the page before the terminal's next poll: never run
    row.get_by_role("button", name="Back in service").click()
    page.wait_for_url("**/actions/")
    page.locator("#commands tr", has_text="Back in service").get_by_role(
        "button", name="Revoke").click()
    page.wait_for_url("**/actions/")
    assert "the platform no longer hands it out" in page.locator("#commands").inner_text()
    assert world.terminal.poll_once() == []
    assert world.closed.get() is not None  # still out of service: the revoked one never ran

    rollouts.plan_ring(world.engine, "lab", 0, actor="fm")
    rollouts.plan_ring(world.engine, "canary", 1, actor="fm")
    world.repo.publish(Scope("ring", "lab"), b'[ui]\nlanguage = "en"\n')
    page.goto(world.url + "/rollouts/")
    page.locator("#ring-lab").get_by_role("button", name="Promote to the next ring").click()
    page.wait_for_url("**/rollouts/")
    assert "config/ring/canary.toml" in world.repo.current()
    page.locator("#ring-canary").get_by_role("button", name="Roll back").click()
    page.wait_for_url("**/rollouts/")
    assert "config/ring/canary.toml" not in world.repo.current()
    log = page.locator("#log").inner_text()
    assert "rollback" in log and "promote" in log


def test_another_halls_staff_see_neither_the_terminal_nor_the_rollout_buttons(
        browser, world) -> None:
    page = page_as(browser, world, "bob")
    page.goto(world.url + "/actions/")
    assert page.locator(f"#terminal-{KIOSK_ID}").count() == 0
    page.goto(world.url + "/rollouts/")
    assert page.get_by_role("button", name="Roll back").count() == 0
