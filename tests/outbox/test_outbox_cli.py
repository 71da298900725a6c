"""`kiosk outbox status|list|retry|discard` against a real outbox file the kiosk has open.

The group is invoked directly with the CliContext `kiosk` would pass, until it is listed in
kiosk/cli/commands.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner, Result

from kiosk.audit import open_trail
from kiosk.cli import CliContext
from kiosk.cli.outbox_cmd import outbox_group
from kiosk.client.errors import RequestRefused, ServerFault
from kiosk.config import load_layers
from kiosk.outbox import Outbox, OutboxError, OutboxKeyError, database_path, open_outbox

from tests.outbox.conftest import FORM_VALUE, ID_NUMBER, NAME, citizen_body


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    path = tmp_path / "site.toml"
    path.write_text(tomli_w.dumps({
        "terminal": {"data_dir": str(tmp_path / "data")},
        "outbox": {"key_file": str(tmp_path / "keys" / "outbox.key"), "min_free_mb": 1}}),
        encoding="utf-8")
    return path


@pytest.fixture
def kiosk(site: Path) -> Iterator[Outbox]:
    """The kiosk process's own outbox, open while staff use the CLI."""
    outbox = open_outbox(load_layers(site).config)
    yield outbox
    outbox.close()


def run(site: Path, *args: str, as_json: bool = False) -> Result:
    return CliRunner().invoke(outbox_group, list(args), obj=CliContext(str(site), as_json))


def populate(outbox: Outbox) -> dict[str, int]:
    ids = {name: outbox.enqueue("apply", citizen_body()).id
           for name in ("delivered", "refused", "waiting", "fresh")}
    outbox.mark_delivered(ids["delivered"], {"receipt_no": "SQ2026000123"})
    outbox.mark_refused(ids["refused"], RequestRefused("no", status=422, code="form.invalid"))
    outbox.mark_failed(ids["waiting"], ServerFault("down", status=503), 4_000_000_000)
    return ids


def assert_no_pii(text: str) -> None:
    for secret in (ID_NUMBER, NAME, FORM_VALUE):
        assert secret not in text


def test_config_places_the_database_in_the_data_dir(site: Path, tmp_path: Path) -> None:
    config = load_layers(site).config
    assert database_path(config) == tmp_path / "data" / "outbox.sqlite3"


def test_staff_tools_never_create_an_outbox(site: Path, tmp_path: Path) -> None:
    result = run(site, "status")
    assert result.exit_code == 1 and "no outbox database" in result.output
    assert not (tmp_path / "data").exists() and not (tmp_path / "keys").exists()
    with pytest.raises(OutboxError):
        open_outbox(load_layers(site).config, create=False)


def test_a_missing_key_is_reported_not_regenerated(site: Path, kiosk: Outbox,
                                                   tmp_path: Path) -> None:
    (tmp_path / "keys" / "outbox.key").unlink()
    result = run(site, "list")
    assert result.exit_code == 1 and "no outbox key file" in result.output
    assert not (tmp_path / "keys" / "outbox.key").exists()


def test_a_key_in_the_data_dir_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "careless.toml"
    path.write_text(tomli_w.dumps({
        "terminal": {"data_dir": str(tmp_path / "data")},
        "outbox": {"key_file": str(tmp_path / "data" / "outbox.key")}}), encoding="utf-8")
    with pytest.raises(OutboxKeyError, match="inside the data directory"):
        open_outbox(load_layers(path).config)
    assert not (tmp_path / "data" / "outbox.key").exists()


def test_a_broken_database_is_an_error_message(site: Path, kiosk: Outbox,
                                               tmp_path: Path) -> None:
    kiosk.close()
    db = tmp_path / "data" / "outbox.sqlite3"
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    result = run(site, "status")
    assert result.exit_code == 1 and "cannot open the outbox" in result.output
    assert "Traceback" not in result.output


def test_status(site: Path, kiosk: Outbox) -> None:
    populate(kiosk)
    result = run(site, "status")
    assert result.exit_code == 0, result.output
    assert "pending:   2" in result.output and "refused:   1" in result.output
    assert "needs staff" in result.output and "delivered: 1" in result.output
    assert "ServerFault HTTP 503" in result.output
    assert_no_pii(result.output)

    data = json.loads(run(site, "status", as_json=True).output)
    assert (data["pending"], data["refused"], data["delivered"]) == (2, 1, 1)
    assert data["last_error_kind"] == "ServerFault" and data["oldest_pending_age_s"] >= 0


def test_status_of_an_empty_queue(site: Path, kiosk: Outbox) -> None:
    result = run(site, "status")
    assert result.exit_code == 0 and "pending:   0" in result.output
    assert "last error: none" in result.output


def test_list_shows_metadata_only(site: Path, kiosk: Outbox) -> None:
    ids = populate(kiosk)
    refused = kiosk.get(ids["refused"])
    result = run(site, "list")
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 5  # heading + 4 items
    assert refused.reference in result.output and "form.invalid" in result.output
    assert_no_pii(result.output)

    only = run(site, "list", "--state", "refused")
    assert only.exit_code == 0 and refused.reference in only.output
    assert kiosk.get(ids["fresh"]).reference not in only.output
    rows = json.loads(run(site, "list", "--state", "pending", "--state", "refused",
                          as_json=True).output)
    assert [r["id"] for r in rows] == [ids["refused"], ids["waiting"], ids["fresh"]]
    assert all("payload" not in r for r in rows)
    assert_no_pii(json.dumps(rows, ensure_ascii=False))
    assert "(no items)" in run(site, "list", "--state", "discarded").output
    assert run(site, "list", "--state", "lost").exit_code == 2


RETRY_BY = ("--staff", "S0001", "--reason", "the platform fixed its form check")


def test_retry_by_receipt_reference(site: Path, kiosk: Outbox) -> None:
    ids = populate(kiosk)
    reference = kiosk.get(ids["refused"]).reference
    assert run(site, "retry", reference.lower()).exit_code == 2  # --staff and --reason needed
    assert kiosk.get(ids["refused"]).state == "refused"
    result = run(site, "retry", reference.lower(), *RETRY_BY)
    assert result.exit_code == 0, result.output
    assert "pending again" in result.output
    item = kiosk.get(ids["refused"])  # seen by the kiosk's own connection
    assert item.state == "pending" and item.has_payload
    assert kiosk.open_body(item) == citizen_body()

    waiting = run(site, "retry", str(ids["waiting"]), *RETRY_BY, as_json=True)
    assert waiting.exit_code == 0 and json.loads(waiting.output)["state"] == "pending"
    assert kiosk.get(ids["waiting"]).next_attempt_at < 4_000_000_000
    assert [(actor, action, details["item"]) for actor, action, details in staff_entries(site)] \
        == [("S0001", "outbox.retry", ids["refused"]), ("S0001", "outbox.retry", ids["waiting"])]


def test_retry_refuses_what_cannot_be_sent(site: Path, kiosk: Outbox) -> None:
    ids = populate(kiosk)
    result = run(site, "retry", str(ids["delivered"]), *RETRY_BY)
    assert result.exit_code == 1 and "payload is gone" in result.output
    missing = run(site, "retry", "K00000000", *RETRY_BY)
    assert missing.exit_code == 1 and "no outbox item" in missing.output
    assert run(site, "retry", "999", *RETRY_BY).exit_code == 1


def staff_entries(site: Path) -> list[tuple[str, str, dict]]:
    config = load_layers(site).config
    if not (Path(config.terminal.data_dir) / "audit.sqlite3").exists():
        return []
    with open_trail(config, create=False) as trail:
        assert trail.verify().ok
        return [(e.actor_id, e.action, e.details) for e in trail.entries()
                if e.actor_kind == "staff"]


def test_discard_a_refused_item_is_named_and_audited(site: Path, kiosk: Outbox) -> None:
    ids = populate(kiosk)
    staff = ("--staff", "S0001")
    assert run(site, "discard", str(ids["refused"]), *staff).exit_code == 2  # --reason needed
    assert run(site, "discard", str(ids["refused"]), "--reason", "dup").exit_code == 2  # --staff
    result = run(site, "discard", str(ids["refused"]), *staff, "--reason",
                 f"duplicate of the paper application of {ID_NUMBER}")
    assert result.exit_code == 0, result.output
    assert "payload is wiped" in result.output
    item = kiosk.get(ids["refused"])
    assert item.state == "discarded" and not item.has_payload
    assert ID_NUMBER not in item.note and "duplicate of the paper" in item.note
    [(actor, action, details)] = staff_entries(site)
    assert (actor, action, details["item"]) == ("S0001", "outbox.discard", ids["refused"])
    assert "duplicate of the paper" in details["reason"] and ID_NUMBER not in str(details)

    again = run(site, "discard", str(ids["refused"]), *staff, "--reason", "again")
    assert again.exit_code == 1 and "is discarded" in again.output
    blank = run(site, "discard", str(ids["refused"]), *staff, "--reason", "   ")
    assert blank.exit_code == 1
    assert len(staff_entries(site)) == 1  # nothing refused was recorded as done


def test_a_pending_application_is_never_discarded(site: Path, kiosk: Outbox) -> None:
    """A citizen's filing on its way (or waiting out a platform that is down) is not staff's
    to wipe: only what the platform refused may go."""
    ids = populate(kiosk)
    for name in ("fresh", "waiting"):
        result = run(site, "discard", str(ids[name]), "--staff", "S0001", "--reason", "cleanup")
        assert result.exit_code == 1, result.output
        assert "is pending" in result.output and "only an item the platform refused" in result.output
        assert kiosk.get(ids[name]).state == "pending" and kiosk.get(ids[name]).has_payload
    assert staff_entries(site) == []


def test_a_malformed_staff_id_discards_nothing(site: Path, kiosk: Outbox) -> None:
    ids = populate(kiosk)
    result = run(site, "discard", str(ids["refused"]), "--staff", ID_NUMBER + " x",
                 "--reason", "dup")
    assert result.exit_code == 1 and "audit trail refused" in result.output
    assert kiosk.get(ids["refused"]).state == "refused"
