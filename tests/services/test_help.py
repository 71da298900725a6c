"""呼叫工作人员 over a real reference platform on loopback with the real client: a double tap
raises one request, staff's acknowledgement is read back, and a platform that is down is told
truthfully; the request the platform keeps says where the citizen is and nothing of who."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.client.platform import PlatformClient
from kiosk.refplatform import operator
from kiosk.refplatform.server import ServerHandle, start_in_thread
from kiosk.refplatform.store import Store
from kiosk.services.help import HelpDesk, HelpPlace
from tests.support import enrolled_terminal_config

KIOSK_ID = "HELP-0001"
FORM = HelpPlace("apply_form", "apply", 3, 6)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[ServerHandle, Store]]:
    db = tmp_path / "platform.sqlite3"
    handle = start_in_thread(db, validate_responses=True)
    yield handle, Store(db)
    handle.stop()
    assert not handle.app.extensions["refplatform"].violations


@pytest.fixture
def client(platform: tuple[ServerHandle, Store], tmp_path: Path) -> Iterator[PlatformClient]:
    handle, store = platform
    config = enrolled_terminal_config(tmp_path, handle.url, store, KIOSK_ID)
    with PlatformClient.from_config(config) as client:
        yield client


def test_a_double_tap_raises_one_request_and_staff_answer_is_read_back(platform, client,
                                                                       caplog) -> None:
    _, store = platform
    desk = HelpDesk(client)
    caplog.set_level(logging.INFO)
    first = desk.call(FORM)
    again = desk.call(HelpPlace("apply_review", "apply", 5, 6))  # the second tap, elsewhere
    assert first.state == "sent" and first.help_request_id
    assert again == first
    held = operator.list_help_requests(store)
    assert len(held) == 1
    assert {k: held[0][k] for k in ("kiosk_id", "screen", "journey", "step", "steps",
                                    "status")} == {
        "kiosk_id": KIOSK_ID, "screen": "apply_form", "journey": "apply", "step": 3,
        "steps": 6, "status": "open"}
    assert desk.refresh().state == "sent"
    operator.acknowledge_help(store, first.help_request_id, "S0001")
    seen = desk.refresh()
    assert (seen.state, seen.acknowledged_by) == ("acknowledged", "S0001")
    operator.close_help(store, first.help_request_id, "S0001")
    assert desk.refresh().state == "closed"
    later = desk.call(HelpPlace("home"))  # closed: a tap now is a new call
    assert later.help_request_id != first.help_request_id
    assert [r["screen"] for r in operator.list_help_requests(store)] == ["apply_form", "home"]
    events = [r.getMessage() for r in caplog.records if "event=help_request" in r.getMessage()]
    assert any("disposition=success" in e for e in events)
    assert any("help_request_acknowledged" in e for e in events)


def test_a_platform_that_is_down_is_said_and_the_retry_raises_one(platform, client) -> None:
    handle, store = platform
    port = int(handle.url.rsplit(":", 1)[1].split("/")[0])
    handle.stop()
    desk = HelpDesk(client)
    failed = desk.call(FORM)
    assert (failed.state, failed.failure, failed.help_request_id) == ("failed", "unreachable",
                                                                      None)
    assert desk.refresh() == failed
    again = start_in_thread(store.path, port=port, validate_responses=True)
    try:
        first = desk.call(FORM)
        assert first.state == "sent"
        desk.forget()
        assert desk.current is None
        assert len(operator.list_help_requests(store)) == 1
    finally:
        again.stop()


def test_without_a_platform_link_the_call_fails_at_once() -> None:
    call = HelpDesk(None).call(HelpPlace("home"))
    assert (call.state, call.failure) == ("failed", "no_link")


def test_what_the_platform_keeps_names_no_citizen(platform, client) -> None:
    _, store = platform
    HelpDesk(client).call(FORM)
    with store.read() as conn:
        row = dict(conn.execute("SELECT * FROM help_requests").fetchone())
        keys = conn.execute("SELECT body FROM idempotency WHERE operation = 'raiseHelpRequest'"
                            ).fetchall()
    assert json.loads(keys[0]["body"])["screen"] == "apply_form"
    assert set(row) == {"help_request_id", "kiosk_id", "screen", "journey", "step", "steps",
                        "raised_at", "received_at", "status", "acknowledged_at",
                        "acknowledged_by", "closed_at", "closed_by", "on_the_way_at",
                        "on_the_way_by"}


def test_a_call_left_unanswered_for_the_window_is_a_new_call_on_the_next_tap(platform,
                                                                            client) -> None:
    _, store = platform
    clock = [0.0]
    desk = HelpDesk(client, monotonic=lambda: clock[0], repeat_after_s=300)
    first = desk.call(FORM)
    clock[0] = 299.0
    assert desk.call(FORM) == first  # still live: staff may be on their way
    clock[0] = 301.0
    second = desk.call(HelpPlace("review", "apply", 6, 7))
    assert second.help_request_id != first.help_request_id
    assert [r["screen"] for r in operator.list_help_requests(store)] == ["apply_form", "review"]


def test_staff_on_their_way_in_the_console_reach_the_citizen_as_their_own_state(platform,
                                                                                client) -> None:
    """Contract 1.4: "On my way" in the operations console sets on_the_way_at; the terminal
    reads it as a state of its own (a 1.3 terminal still reads `acknowledged`)."""
    from kiosk.refplatform import help_requests

    _, store = platform
    desk = HelpDesk(client)
    sent = desk.call(FORM)
    with store.write() as conn:
        help_requests.acknowledge(conn, sent.help_request_id, "S0001",
                                  dt.datetime.now(dt.timezone.utc))
    assert desk.refresh().state == "acknowledged"
    with store.write() as conn:
        answer = help_requests.on_my_way(conn, sent.help_request_id, "S0002",
                                         dt.datetime.now(dt.timezone.utc))
    assert answer["status"] == "acknowledged" and "on_the_way_at" in answer
    seen = desk.refresh()
    assert (seen.state, seen.acknowledged_by) == ("on_the_way", "S0001")
