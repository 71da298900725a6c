"""The console in a real browser (headless Debian Chromium through Playwright) beside a real
reference platform that real terminal clients talk to: log in with password and TOTP, the
board, a terminal's page, a help request answered in the browser and read back by the
terminal, hall scope, CSRF and session expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from kiosk.client.platform import PlatformClient
from kiosk.console import staff
from kiosk.console.beside import console_parts
from kiosk.console.config import ConsoleConfig
from kiosk.console.server import ConsoleHandle, start_in_thread as start_console
from kiosk.refplatform.server import ServerHandle, start_in_thread as start_platform
from kiosk.refplatform.store import Store
from kiosk.services.help import HelpDesk, HelpPlace
from tests.console.conftest import PASSWORD, add_staff
from tests.support import enrolled_terminal_config

CONFIG = ConsoleConfig(heartbeat_interval_s=60, offline_after_missed=30, idle_timeout_s=600,
                       help_poll_s=1)


@dataclass
class Fleet:
    """A platform, the console beside it, two terminals' clients (hall A and hall B)."""

    platform: ServerHandle
    console: ConsoleHandle
    engine: sa.Engine
    clients: dict[str, PlatformClient]
    offset: list[float] = field(default_factory=lambda: [0.0])

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=self.offset[0])

    def url(self, path: str = "") -> str:
        return f"{self.console.url}/{path.lstrip('/')}"

    def login(self, page: Any, username: str, code: str | None = None) -> Any:
        """Log in through the form; each login moves the console's clock to a fresh TOTP step
        (a code is accepted once)."""
        self.offset[0] += 30
        page.goto(self.url("/"))
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.fill("#code", code or staff.current_code(self.engine, username, self.now()))
        page.click("#login")
        # the next page, before anything is read off it: the click returns once the form is
        # sent, and under a loaded suite the board was read while the login page still showed
        page.wait_for_selector("#logout, #login-error")
        return page


def heartbeat(paper: str, hall: str) -> dict[str, Any]:
    return {"health": "ok", "versions": {"app": "1.4.0", "base": "12"}, "outbox_depth": 2,
            "paper": paper, "devices": {"printer": "online", "idcard": "online"},
            "uptime_s": 300, "site": {"hall": hall, "ring": "canary"}}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    tmp = tmp_path_factory.mktemp("console")
    offset = [0.0]
    parts = console_parts(f"sqlite:///{tmp / 'console.sqlite3'}",
                          platform_db=tmp / "platform.sqlite3", config=CONFIG)
    parts.app.extensions["console"].clock = \
        lambda: dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=offset[0])
    platform = start_platform(tmp / "platform.sqlite3", validate_responses=True,
                              console_sink=parts.sink)
    console = start_console(parts.app)
    store = Store(tmp / "platform.sqlite3")
    clients = {}
    for kiosk_id in ("A-0001", "B-0001"):
        (tmp / kiosk_id).mkdir()
        config = enrolled_terminal_config(tmp / kiosk_id, platform.url, store, kiosk_id)
        clients[kiosk_id] = PlatformClient.from_config(config)
    add_staff(parts.engine, "manager", "fleet_manager")
    add_staff(parts.engine, "staff.a", "hall_staff", "Hall A")
    add_staff(parts.engine, "guessed", "fleet_manager")
    clients["A-0001"].post_heartbeat(heartbeat("low", "Hall A"))
    clients["B-0001"].post_heartbeat(heartbeat("ok", "Hall B"))
    yield Fleet(platform, console, parts.engine, clients, offset)
    for client in clients.values():
        client.close()
    console.stop()
    platform.stop()
    assert not platform.app.extensions["refplatform"].violations
    parts.engine.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_log_in_with_password_and_code_then_the_board_and_a_terminal(fleet, page) -> None:
    fleet.login(page, "manager", code="000000")
    assert page.inner_text("#login-error") == "The name, password or code is wrong."
    fleet.login(page, "manager")
    assert page.url == fleet.url("/")
    rows = page.locator("table.board tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(rows.count())] == [
        "row-A-0001", "row-B-0001"]  # amber (paper low) before green
    assert page.get_attribute("#row-A-0001", "data-level") == "amber"
    assert "paper low" in page.inner_text("#row-A-0001 .problems")
    assert "printer: online" in page.inner_text("#row-A-0001 .devices")
    page.select_option("#filter-hall", "Hall B")
    page.click("text=Filter")
    assert page.locator("table.board tbody tr").count() == 1
    page.goto(fleet.url("/"))
    page.click("#row-A-0001 a")
    assert page.inner_text("#terminal-title").startswith("A-0001")
    assert page.inner_text("#terminal-paper") == "low"
    assert "paper low" in page.inner_text("#terminal-problems")


def test_a_help_request_answered_in_the_browser_is_read_back_by_the_terminal(fleet,
                                                                               page) -> None:
    fleet.login(page, "staff.a")
    page.goto(fleet.url("/help"))
    assert page.get_attribute("#help-queue", "data-chimed") is None
    desk = HelpDesk(fleet.clients["A-0001"])
    call = desk.call(HelpPlace("apply_form", "apply", 3, 6))
    assert call.state == "sent"
    row = f"#help-{call.help_request_id}"
    page.wait_for_selector(row)  # the queue's poll brought it, with a chime
    assert page.get_attribute("#help-queue", "data-chimed") == "1"
    assert "A-0001 · apply_form (apply step 3/6)" in page.inner_text(row)
    page.click(f"#acknowledge-{call.help_request_id}")
    assert desk.refresh().state == "acknowledged"
    page.click(f"#on_my_way-{call.help_request_id}")
    assert page.inner_text(f"{row} .status") == "on the way"
    seen = desk.refresh()
    assert (seen.state, seen.acknowledged_by) == ("on_the_way", "staff.a")
    page.click(f"#resolve-{call.help_request_id}")
    assert page.locator(row).count() == 0  # gone from the live queue
    assert desk.refresh().state == "closed"
    page.goto(fleet.url("/audit"))
    trail = page.inner_text("#audit")
    for action in ("help_acknowledge", "help_on_my_way", "help_resolve"):
        assert f"staff.a\t{action}\tA-0001" in trail


def test_hall_staff_neither_see_nor_act_on_another_hall(fleet, page) -> None:
    call = HelpDesk(fleet.clients["B-0001"]).call(HelpPlace("home"))
    fleet.login(page, "staff.a")
    assert page.locator("#row-A-0001").count() == 1
    assert page.locator("#row-B-0001").count() == 0
    assert page.locator("#filter-hall").count() == 0  # no other hall to choose
    answer = page.goto(fleet.url("/terminals/B-0001"))
    assert answer.status == 403
    page.goto(fleet.url("/help"))
    assert page.locator(f"#help-{call.help_request_id}").count() == 0
    token = page.get_attribute("input[name=csrf_token]", "value")
    refused = page.request.post(fleet.url(f"/help/{call.help_request_id}/resolve"),
                                form={"csrf_token": token}, max_redirects=0)
    assert refused.status == 403
    assert fleet.clients["B-0001"].get_help_request(call.help_request_id).status == "open"


def test_a_post_without_its_csrf_token_is_refused(fleet, page) -> None:
    call = HelpDesk(fleet.clients["A-0001"]).call(HelpPlace("home"))
    fleet.login(page, "manager")
    refused = page.request.post(fleet.url(f"/help/{call.help_request_id}/resolve"),
                                form={}, max_redirects=0)
    assert refused.status == 400
    forged = page.request.post(fleet.url(f"/help/{call.help_request_id}/resolve"),
                               form={"csrf_token": "forged"}, max_redirects=0)
    assert forged.status == 400
    assert fleet.clients["A-0001"].get_help_request(call.help_request_id).status == "open"


def test_an_idle_session_ends_and_the_next_page_asks_to_log_in_again(fleet, page) -> None:
    fleet.login(page, "manager")
    assert page.url == fleet.url("/")
    fleet.offset[0] += CONFIG.idle_timeout_s + 1
    poll = page.request.get(fleet.url("/help/rows"), headers={"X-Console-Poll": "1"},
                            max_redirects=0)
    assert poll.status == 401  # the queue's poll reloads the page to the login form
    page.goto(fleet.url("/terminals/A-0001"))
    assert "/login" in page.url and page.locator("#login").count() == 1


def test_guessing_is_throttled_even_when_the_guess_is_then_right(fleet, page) -> None:
    for _ in range(CONFIG.max_login_failures):
        fleet.login(page, "guessed", code="000000")
        assert page.inner_text("#login-error") == "The name, password or code is wrong."
    fleet.login(page, "guessed")
    assert page.inner_text("#login-error").startswith("Too many failed attempts")
    assert "/login" in page.url


def test_a_paper_low_alert_is_acknowledged_in_the_browser_by_whom_and_when(fleet, page) -> None:
    from kiosk.console.alerts import AlertRules, evaluate

    evaluate(fleet.engine, AlertRules(heartbeat_interval_s=60, offline_missed=30), fleet.now())
    fleet.login(page, "staff.a")
    page.click("header nav >> text=Alerts")
    row = page.locator("#alerts tbody tr", has_text="A-0001")
    assert row.count() == 1 and "paper" in row.inner_text().lower()
    row.get_by_role("button", name="Acknowledge").click()
    acked = page.locator("#alerts tbody tr", has_text="A-0001").locator(".acked")
    assert acked.inner_text().startswith("staff.a · ")
    page.goto(fleet.url("/audit"))
    assert "staff.a\talert.acknowledge\tA-0001" in page.inner_text("#audit")
