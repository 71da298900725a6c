"""The remote-action and rollout pages in a real browser (Debian's Chromium through
Playwright), end to end: the fleet manager puts a terminal out of service from the page, the
terminal (its real remote-actions loop and platform client) fetches, checks and carries it
out, the page shows the outcome; back in service revoked from the page is never run; then
promotes a ring and rolls it back. A hall's staff member
sees neither another hall's terminals nor the rollout buttons."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from kiosk.console import rollouts
from kiosk.fleet.scopes import Scope
from tests.console.actions_world import actions_world
from tests.console.conftest import signed_in

KIOSK_ID = "BROWSER-01"
STAFF = {"fm": ("fleet_manager", ""), "bob": ("hall_staff", "hall-b")}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SimpleNamespace]:
    with actions_world(tmp_path, KIOSK_ID, {KIOSK_ID: "hall-a"}, STAFF, fleet_repo=True) as w:
        server = make_server("127.0.0.1", 0, w.app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        w.url = f"http://127.0.0.1:{server.server_port}"
        try:
            yield w
        finally:
            server.shutdown()


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
