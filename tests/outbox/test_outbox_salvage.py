"""`kiosk outbox salvage PATH --staff --reason`: what can be read of an outbox file set aside as
damaged goes back in the queue, each item under its own idempotency key and receipt reference;
delivered items and items already queued are not queued again; audited. Real SQLite files,
damaged as tests/outbox/test_outbox_damage.py damages them (truncated, bit-flipped, emptied)."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
import tomli_w
from click.testing import CliRunner, Result

from kiosk.audit import open_trail
from kiosk.cli import CliContext
from kiosk.cli.outbox_cmd import outbox_group
from kiosk.client.errors import RequestRefused
from kiosk.config import load_layers
from kiosk.outbox import OutboxDamaged, database_path, open_outbox
from tests.outbox.conftest import ID_NUMBER, NAME, citizen_body

ITEMS = 40


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    path = tmp_path / "site.toml"
    path.write_text(tomli_w.dumps({
        "terminal": {"data_dir": str(tmp_path / "data")},
        "audit": {"path": str(tmp_path / "audit" / "trail.sqlite3")},
        "outbox": {"key_file": str(tmp_path / "keys" / "outbox.key"), "min_free_mb": 1}}),
        encoding="utf-8")
    return path


def run(site: Path, *args: str, as_json: bool = False) -> Result:
    return CliRunner().invoke(outbox_group, list(args), obj=CliContext(str(site), as_json))


def filled(site: Path) -> dict[str, dict]:
    """The kiosk's outbox with ITEMS applications of a few KB each (they span many pages):
    two delivered, one refused, the rest pending. reference -> {key, state, body}."""
    config = load_layers(site).config
    with open_outbox(config) as outbox:
        items = {}
        for n in range(ITEMS):
            body = citizen_body(pages=1, page_bytes=1500) | {"n": n}
            queued = outbox.enqueue("application", body)
            items[queued.reference] = {"id": queued.id, "key": queued.idempotency_key,
                                       "state": "pending", "body": body}
        refs = list(items)
        for ref in refs[:2]:
            outbox.mark_delivered(items[ref]["id"], {"receipt_no": "SQ2026000001"})
            items[ref]["state"] = "delivered"
        outbox.mark_refused(items[refs[2]]["id"], RequestRefused("no", status=422, code="x"))
        items[refs[2]]["state"] = "refused"
    return items


def damage_and_set_aside(site: Path, how: str) -> Path:
    """Damage the file as a disk or a person does; the kiosk's next opening sets it aside."""
    config = load_layers(site).config
    db = database_path(config)
    data = db.read_bytes()
    if how == "truncated":
        db.write_bytes(data[: len(data) * 2 // 3])
    elif how == "empty":
        db.write_bytes(b"")
    else:  # bit flips until the kiosk refuses the file (most single flips do)
        rng = random.Random(20)
        while True:
            flipped = bytearray(data)
            for _ in range(3):
                at = rng.randrange(4096, len(flipped))  # past page 1: the schema reads
                flipped[at] ^= 1 << rng.randrange(8)
            db.write_bytes(bytes(flipped))
            try:
                open_outbox(config).close()
            except OutboxDamaged:
                break
            except Exception:
                pass
            for side in ("-wal", "-shm"):
                db.with_name(db.name + side).unlink(missing_ok=True)
    with pytest.raises(OutboxDamaged):
        open_outbox(config)
    [aside] = [p for p in db.parent.glob(db.name + ".damaged-*") if "-" not in p.name[-4:]]
    with pytest.raises(OutboxDamaged, match="waits for staff"):
        open_outbox(config)  # the kiosk opens no fresh, empty queue beside it
    return aside


@pytest.mark.parametrize("how", ["truncated", "bit_flipped"])
def test_a_damaged_outbox_is_salvaged_once_and_nothing_twice(site: Path, how: str) -> None:
    items = filled(site)
    aside = damage_and_set_aside(site, how)
    spare = aside.with_name("spare-copy")
    shutil.copyfile(aside, spare)

    result = run(site, "salvage", str(aside), "--staff", "S0001", "--reason", "disk fault",
                 as_json=True)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    queued = report["queued"]
    print(f"\n{how}: {len(queued)} of {ITEMS - 2} sendable items put back, "
          f"{report['bad_rows']} rows unreadable, {len(report['unopened'])} payloads damaged")
    assert queued, report
    assert len(set(queued)) == len(queued)
    assert all(items[ref]["state"] != "delivered" for ref in queued)  # never sent again
    assert report["moved_to"] and not aside.exists()

    # The kiosk opens its outbox again: the same references, keys and bodies, in order.
    with open_outbox(load_layers(site).config) as outbox:
        back = outbox.pending()
        assert [i.reference for i in back] == queued
        assert [i.id for i in back] == sorted(i.id for i in back)
        for item in back:
            original = items[item.reference]
            assert item.idempotency_key == original["key"]
            assert outbox.open_body(item) == original["body"]
    lost = {ref for ref, v in items.items() if v["state"] != "delivered"} - set(queued)
    assert len(lost) <= report["bad_rows"] + len(report["unopened"]) + 2

    # The same file salvaged again (a copy kept by someone): nothing is queued twice.
    again = run(site, "salvage", str(spare), "--staff", "S0001", "--reason", "again", "--keep",
                as_json=True)
    assert again.exit_code == 0, again.output
    second = json.loads(again.output)
    assert second["queued"] == [] and sorted(second["present"]) == sorted(queued)
    assert spare.exists()  # --keep
    with open_outbox(load_layers(site).config) as outbox:
        assert len(outbox.pending()) == len(queued)

    with open_trail(load_layers(site).config, create=False) as trail:
        staff = [(e.actor_id, e.action, e.details.get("queued")) for e in trail.entries()]
    assert staff == [("S0001", "outbox.salvage", None),
                     ("S0001", "outbox.salvaged", len(queued)),
                     ("S0001", "outbox.salvage", None), ("S0001", "outbox.salvaged", 0)]
    for text in (result.output, again.output):
        assert ID_NUMBER not in text and NAME not in text


def test_an_empty_file_has_nothing_to_salvage_and_stays(site: Path) -> None:
    filled(site)
    aside = damage_and_set_aside(site, "empty")
    result = run(site, "salvage", str(aside), "--staff", "S0001", "--reason", "disk fault")
    assert result.exit_code == 1
    assert "does not read as an outbox" in result.output and "stays" in result.output
    assert aside.exists()  # staff decide; the kiosk still opens no empty queue beside it
    with pytest.raises(OutboxDamaged, match="waits for staff"):
        open_outbox(load_layers(site).config)


def test_salvage_needs_staff_and_a_set_aside_file(site: Path) -> None:
    filled(site)
    live = database_path(load_layers(site).config)
    assert run(site, "salvage", str(live), "--staff", "S0001", "--reason", "x").exit_code == 1
    result = run(site, "salvage", str(live))
    assert result.exit_code != 0 and "--staff" in result.output
