"""A command the console signed and the terminal has not carried out can be taken back from
the actions page: only by staff of the terminal's hall (or the fleet manager), only with the
form's CSRF token, on record in the console's audit trail; the platform then no longer hands
it out and the terminal (its real remote-actions loop and platform client, over HTTP to
the real reference platform) never runs it. One the terminal carried out first stays
executed, and the page says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.console import actions, actions_views, audit
from kiosk.refplatform import commands
from tests.console.actions_world import actions_world
from tests.console.conftest import english, signed_in

KIOSK_ID = "REVOKE-01"  # hall-a
OTHER = "B-1"  # hall-b
STAFF = {"amy": ("hall_staff", "hall-a"), "bob": ("hall_staff", "hall-b"),
         "fm": ("fleet_manager", "")}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[SimpleNamespace]:
    with actions_world(tmp_path, KIOSK_ID, {KIOSK_ID: "hall-a", OTHER: "hall-b"}, STAFF) as w:
        yield w


def browser_of(world, who: str):  # type: ignore[no-untyped-def]
    client = english(world.app.test_client())
    client.set_cookie("console_session", signed_in(world.app, who))
    return client


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/actions/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sent(client, kiosk_id: str, action: str, **form: str) -> str:  # type: ignore[no-untyped-def]
    """Issue from the page as that staff member; the new command's id."""
    before = {c["command_id"] for c in actions_history(client)}
    answer = client.post(f"/actions/{kiosk_id}/{action}",
                         data={"csrf_token": csrf(client), **form})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    (new,) = {c["command_id"] for c in actions_history(client)} - before
    return new


def actions_history(client) -> list[dict]:  # type: ignore[no-untyped-def]
    return actions.history(client.application.extensions[actions_views.EXTENSION].engine)


def row(world, command_id: str) -> dict:  # type: ignore[no-untyped-def]
    return next(c for c in actions.history(world.engine) if c["command_id"] == command_id)


def test_a_pending_command_revoked_from_the_page_is_never_run(world) -> None:
    amy, bob, fm = (browser_of(world, who) for who in ("amy", "bob", "fm"))
    closing = sent(amy, KIOSK_ID, "out_of_service", message="设备维护中，请到 3 号窗口")
    theirs = sent(fm, OTHER, "restart")
    page = amy.get("/actions/").get_data(as_text=True)
    assert f'/actions/commands/{closing}/revoke' in page and theirs not in page

    # another hall's command: not amy's to take back, nor is bob's to take back amy's
    assert amy.post(f"/actions/commands/{theirs}/revoke",
                    data={"csrf_token": csrf(amy)}).status_code == 403
    assert bob.post(f"/actions/commands/{closing}/revoke",
                    data={"csrf_token": csrf(bob)}).status_code == 403
    assert amy.post("/actions/commands/CNOPE/revoke",
                    data={"csrf_token": csrf(amy)}).status_code == 404
    # a page elsewhere posting in amy's name has no token: refused, nothing revoked
    assert amy.post(f"/actions/commands/{closing}/revoke").status_code == 400
    assert amy.post(f"/actions/commands/{closing}/revoke",
                    data={"csrf_token": "forged"}).status_code == 400
    assert row(world, closing)["status"] == "pending"

    taken_back = amy.post(f"/actions/commands/{closing}/revoke",
                          data={"csrf_token": csrf(amy)}, follow_redirects=True)
    assert taken_back.status_code == 200
    text = taken_back.get_data(as_text=True)
    assert "revoked" in text and "the platform no longer hands it out" in text
    assert (row(world, closing)["status"], row(world, closing)["revoked_by"]) == (
        "revoked", "amy")
    [entry] = [e for e in audit.recent(world.engine) if e["action"] == "command.revoke"]
    assert (entry["staff"], entry["kiosk_id"], entry["detail"]) == (
        "amy", KIOSK_ID, {"command_id": closing, "status": "revoked"})

    # the terminal's next polls: nothing to fetch, nothing done, nothing reported
    assert world.client.kiosk_commands().items == []
    assert world.terminal.poll_once() == []
    assert world.closed.get() is None
    assert world.terminal.ledger.outcome(closing) is None
    amy.get("/actions/")  # the page asks the platform again: still revoked, nothing reported
    assert row(world, closing)["status"] == "revoked" and row(world, closing)["result_at"] is None

    again = amy.post(f"/actions/commands/{closing}/revoke", data={"csrf_token": csrf(amy)},
                     follow_redirects=True).get_data(as_text=True)
    assert "the command is revoked already" in again

    # a later command still runs: the revoked one left no gap the terminal minds
    later = sent(amy, KIOSK_ID, "screenshot")
    assert [c for c, _ in world.terminal.poll_once()] == [later]


def test_a_command_the_terminal_carried_out_first_stays_executed(world) -> None:
    amy = browser_of(world, "amy")
    closing = sent(amy, KIOSK_ID, "out_of_service", message="维护中")
    token = csrf(amy)  # the page amy looks at still says pending
    assert [o.outcome for _, o in world.terminal.poll_once()] == ["executed"]
    late = amy.post(f"/actions/commands/{closing}/revoke", data={"csrf_token": token},
                    follow_redirects=True).get_data(as_text=True)
    assert "Too late: the terminal had already executed it; it stays executed." in late
    assert row(world, closing)["status"] == "executed"
    again = amy.post(f"/actions/commands/{closing}/revoke", data={"csrf_token": token},
                     follow_redirects=True).get_data(as_text=True)
    assert "the command is executed already; it stays executed" in again
    assert world.closed.get() is not None and world.closed.get().message == "维护中"
    assert "/revoke" not in amy.get("/actions/").get_data(as_text=True)  # nothing to take back


def test_revoked_after_the_terminal_fetched_it_shows_executed_and_too_late(world) -> None:
    """The terminal fetched the command in the same instant the revocation landed, and ran
    it: its report is recorded and the page says the revocation came too late."""
    amy = browser_of(world, "amy")
    closing = sent(amy, KIOSK_ID, "out_of_service", message="维护中")
    fetched = world.client.kiosk_commands().items  # the terminal's poll, before the revoke
    assert [c.command_id for c in fetched] == [closing]
    assert amy.post(f"/actions/commands/{closing}/revoke",
                    data={"csrf_token": csrf(amy)}).status_code == 303
    world.client.post_command_result(closing, {"outcome": "executed"})  # it ran what it had
    page = re.sub(r"<[^>]+>", "", amy.get("/actions/").get_data(as_text=True))
    assert row(world, closing)["status"] == "executed"
    assert re.search(r"executed\s*; revoked by amy at [0-9:]+, too late: the terminal had "
                     r"fetched it and it stays executed", page)
    with world.store.read() as conn:
        assert commands.pending(conn, KIOSK_ID) == {"items": []}

