"""The audit trail: append-only, hash-chained; verify names the first bad entry."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.audit import AuditError, AuditTrail, verify_entries, verify_jsonl

from tests.maintenance.audit_support import KEY, Clock, populate, raw, rehash, rows, write

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "110105194912310021"


@pytest.fixture
def trail(tmp_path: Path):
    with AuditTrail(tmp_path / "audit.sqlite3", key=KEY, clock=Clock()) as t:
        populate(t)
        yield t


def test_an_untouched_trail_verifies(trail: AuditTrail) -> None:
    result = trail.verify()
    assert result.ok and result.entries == 6 and result.first_bad_seq is None
    assert (result.last_seq, result.last_hash) == trail.head()
    entries = list(trail.entries())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert entries[0].time == "2027-01-15T08:00:01.500Z"
    assert {e.actor_kind for e in entries} == {"system", "citizen_session", "staff"}


def test_the_trail_refuses_updates_and_deletes(trail: AuditTrail) -> None:
    db = sqlite3.connect(trail.path, isolation_level=None)
    for sql in ("UPDATE audit SET action = 'x.y' WHERE seq = 2", "DELETE FROM audit WHERE seq = 6"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    db.close()
    assert trail.verify().ok


def test_an_edited_entry_is_named(trail: AuditTrail) -> None:
    db = raw(trail.path)
    db.execute("""UPDATE audit SET details = '{"note":"ok","step":99}' WHERE seq = 3""")
    result = trail.verify()
    assert not result.ok and result.first_bad_seq == 3 and "edited" in result.reason
    assert result.entries == 2


def test_a_deleted_entry_is_named(trail: AuditTrail) -> None:
    raw(trail.path).execute("DELETE FROM audit WHERE seq = 4")
    result = trail.verify()
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "missing" in result.reason


def test_a_deleted_first_entry_is_named(trail: AuditTrail) -> None:
    raw(trail.path).execute("DELETE FROM audit WHERE seq = 1")
    assert trail.verify().first_bad_seq == 1


def test_reordered_entries_are_named(trail: AuditTrail) -> None:
    db = raw(trail.path)
    db.execute("UPDATE audit SET seq = -3 WHERE seq = 3")
    db.execute("UPDATE audit SET seq = 3 WHERE seq = 4")
    db.execute("UPDATE audit SET seq = 4 WHERE seq = -3")
    assert (trail.verify().ok, trail.verify().first_bad_seq) == (False, 3)


def test_an_inserted_entry_breaks_the_chain_after_it_and_the_mac_names_it(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditTrail(path, key=KEY, clock=Clock()) as trail:
        populate(trail)
        db = raw(path)
        old = rows(db)
        db.execute("DELETE FROM audit WHERE seq >= 3")
        forged = rehash(old[2], old[1].hash, None, action="outbox.retry", actor_id="nobody")
        write(db, forged)  # hashes well, chains onto 2; but no MAC could be made
        for entry in old[2:]:  # the genuine entries move one seq up, untouched
            write(db, replace(entry, seq=entry.seq + 1))
    for key, first_bad in ((None, 4), (KEY, 3)):
        with AuditTrail(path, key=key) as trail:
            result = trail.verify()
            assert (result.ok, result.first_bad_seq) == (False, first_bad), (key, result)


def test_without_the_key_a_rewritten_tail_passes_with_it_it_does_not(tmp_path: Path) -> None:
    """What the HMAC adds: recomputing every hash after an edit fools a bare hash chain."""
    path = tmp_path / "audit.sqlite3"
    with AuditTrail(path, key=KEY, clock=Clock()) as trail:
        populate(trail)
        db = raw(path)
        prev = rows(db)[1].hash
        for entry in rows(db)[2:]:
            changed = rehash(entry, prev, None, **({"action": "nothing.happened"}
                                                   if entry.seq == 3 else {}))
            write(db, changed)
            prev = changed.hash
        assert AuditTrail(path).verify().ok  # hashes alone: undetectable
        result = trail.verify()
        assert (result.ok, result.first_bad_seq) == (False, 3) and "MAC" in result.reason


def test_a_trail_cut_short_is_caught_only_by_an_anchor(trail: AuditTrail) -> None:
    anchor = trail.head()
    raw(trail.path).execute("DELETE FROM audit WHERE seq >= 5")
    assert trail.verify().ok  # the chain itself cannot know it once went further
    result = trail.verify(anchor=anchor)
    assert (result.ok, result.first_bad_seq) == (False, 5) and "cut short" in result.reason


def test_export_is_jsonl_that_verifies_alone(trail: AuditTrail, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    with open(out, "w", encoding="utf-8") as handle:
        assert trail.export(handle) == 6
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [1, 2, 3, 4, 5, 6]
    assert set(json.loads(lines[0])) == {"seq", "time", "actor_kind", "actor_id", "action",
                                         "details", "prev_hash", "hash", "mac"}
    assert verify_jsonl(out).ok

    swapped = lines[:2] + [lines[3], lines[2]] + lines[4:]
    (tmp_path / "swapped.jsonl").write_text("\n".join(swapped) + "\n", encoding="utf-8")
    assert verify_jsonl(tmp_path / "swapped.jsonl").first_bad_seq == 3
    duplicated = lines[:3] + [lines[2]] + lines[3:]
    (tmp_path / "dup.jsonl").write_text("\n".join(duplicated) + "\n", encoding="utf-8")
    assert verify_jsonl(tmp_path / "dup.jsonl").first_bad_seq == 4
    edited = lines[:4] + [lines[4].replace('"step":5', '"step":6')] + lines[5:]
    (tmp_path / "edited.jsonl").write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert verify_jsonl(tmp_path / "edited.jsonl").first_bad_seq == 5

    with open(tmp_path / "since.jsonl", "w", encoding="utf-8") as handle:
        assert trail.export(handle, since_seq=4) == 3
    assert verify_jsonl(tmp_path / "since.jsonl").first_bad_seq == 1  # not the whole trail
    assert verify_jsonl(tmp_path / "since.jsonl", partial=True).ok


def test_personal_data_never_enters_the_trail(trail: AuditTrail) -> None:
    entry = trail.append("staff", "staff-007", "outbox.discard",
                         {"reason": f"citizen {ID_NUMBER} called, mobile 13912345678"})
    assert entry.details == {"reason": "citizen 110105********0021 called, mobile 139****5678"}
    with pytest.raises(ValueError, match="never an ID number"):
        trail.append("citizen_session", ID_NUMBER, "session.start")
    with pytest.raises(ValueError, match="personal data"):
        trail.append("citizen_session", "S-1", "form.submit", {"name": "张三丰"})
    with pytest.raises(ValueError, match="actor kind"):
        trail.append("citizen", "S-1", "session.start")
    with pytest.raises(ValueError, match="floats"):
        trail.append("system", "kiosk", "x.y", {"duration": 1.5})
    assert ID_NUMBER not in trail.path.read_bytes().decode("utf-8", "replace")
    assert trail.verify().ok and trail.head()[0] == 7


def test_two_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    code = ("import sys\nfrom kiosk.audit import AuditTrail\n"
            "t = AuditTrail(sys.argv[1], key=bytes(range(32)))\n"
            "for i in range(60): t.append('system', sys.argv[2], 'load.test', {'i': i})\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), f"writer-{n}"], cwd=ROOT)
             for n in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with AuditTrail(path, key=KEY) as trail:
        result = trail.verify()
        assert result.ok and result.entries == 120
        assert {e.actor_id for e in trail.entries()} == {"writer-0", "writer-1"}


def test_verify_entries_on_nothing_is_an_empty_intact_trail() -> None:
    result = verify_entries([])
    assert result.ok and result.entries == 0 and result.last_seq is None


def test_without_its_key_a_trail_is_read_only(trail: AuditTrail) -> None:
    with AuditTrail(trail.path) as unkeyed:
        assert unkeyed.verify().ok and not unkeyed.verify().mac_checked
        with pytest.raises(AuditError, match="read-only"):
            unkeyed.append("system", "kiosk", "x.y")
    assert trail.head()[0] == 6


@pytest.mark.parametrize("where", ["/dev/null", "dir", "link", "file_as_dir"])
def test_a_trail_where_nothing_would_be_kept_is_refused(tmp_path: Path, where: str) -> None:
    (tmp_path / "real.sqlite3").write_bytes(b"")
    (tmp_path / "file").write_text("x")
    (tmp_path / "link.sqlite3").symlink_to(tmp_path / "real.sqlite3")
    (tmp_path / "dir.sqlite3").mkdir()
    path = {"/dev/null": Path("/dev/null"), "dir": tmp_path / "dir.sqlite3",
            "link": tmp_path / "link.sqlite3", "file_as_dir": tmp_path / "file" / "a.sqlite3"}
    with pytest.raises(AuditError, match="not a re"):
        AuditTrail(path[where], key=KEY)
