"""`kiosk audit verify|export|tail|keygen`: exit 0 intact, 1 broken, 2 nothing to check.
One test runs the real `kiosk` process; the rest invoke the group in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.audit import AuditTrail
from kiosk.audit.keyfile import load_or_create_key

from tests.maintenance.audit_support import Clock, populate, raw
from kiosk.cli.audit_cmd import audit_group

from tests.maintenance.cli_support import invoke, kiosk, write_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = write_site(tmp_path)
    with AuditTrail(tmp_path / "data" / "audit.sqlite3", clock=Clock(),
                    key=load_or_create_key(tmp_path / "data" / "audit.key")) as trail:
        populate(trail)
    return site


def run(site: Path, *args: str, as_json: bool = False):
    return invoke(site, audit_group, *args, as_json=as_json)


def test_verify_exit_codes(site: Path, tmp_path: Path) -> None:
    ok = run(site, "verify")
    assert ok.exit_code == 0, ok.output
    assert "intact, 6 entries" in ok.output

    raw(tmp_path / "data" / "audit.sqlite3").execute(
        "UPDATE audit SET actor_id = 'staff-008' WHERE seq = 3")
    broken = kiosk(site, "--json", "audit", "verify")
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert (report["ok"], report["first_bad_seq"], report["entries"]) == (False, 3, 2)
    human = run(site, "verify")
    assert human.exit_code == 1 and "BROKEN at seq 3" in human.output

    (tmp_path / "data" / "audit.sqlite3").unlink()
    missing = run(site, "verify")
    assert missing.exit_code == 2 and "no audit trail" in missing.output
    assert not (tmp_path / "data" / "audit.sqlite3").exists()  # looking created nothing


STAFF = ("--staff", "S0001", "--reason", "quarterly review by the district office")


def test_an_export_names_who_took_it_and_why(site: Path, tmp_path: Path) -> None:
    assert run(site, "export", "--reason", "review").exit_code == 2  # --staff is required
    assert run(site, "export", "--staff", "S0001").exit_code == 2  # --reason is required
    bad = run(site, "export", "--staff", "110105194912310021", "--reason", "x")
    assert bad.exit_code == 1 and "audit trail refused" in bad.output and not bad.stdout.count(
        '"seq"')
    out = tmp_path / "export.jsonl"
    assert run(site, "export", "--out", str(out), *STAFF).exit_code == 0
    last = json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    assert (last["actor_kind"], last["actor_id"], last["action"]) == ("staff", "S0001",
                                                                      "audit.export")
    assert last["details"]["reason"] == "quarterly review by the district office"
    assert (tmp_path / "data" / "audit.sqlite3").exists()
    (tmp_path / "data" / "audit.sqlite3").unlink()
    missing = run(site, "export", *STAFF)
    assert missing.exit_code == 1 and "no audit trail" in missing.output
    assert not (tmp_path / "data" / "audit.sqlite3").exists()  # not made for the entry


def test_export_then_verify_the_file_and_an_anchor(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    exported = run(site, "export", "--out", str(out), *STAFF)
    assert exported.exit_code == 0, exported.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 7  # with the export's own
    assert run(site, "verify", "--file", str(out)).exit_code == 0

    head = json.loads(run(site, "verify", as_json=True).stdout)
    anchor = f"{head['last_seq']}:{head['last_hash']}"
    assert run(site, "verify", "--anchor", anchor).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert run(site, "verify", "--file", str(out)).exit_code == 0
    cut = run(site, "verify", "--file", str(out), "--anchor", anchor)
    assert cut.exit_code == 1 and "cut short" in cut.output
    assert run(site, "verify", "--anchor", "7:zz").exit_code == 2

    stdout = run(site, "export", "--since", "5", *STAFF)
    assert [json.loads(x)["seq"] for x in stdout.stdout.splitlines()] == [5, 6, 7, 8]


def test_keygen_and_a_keyed_verify(site: Path, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "audit.key"
    assert run(site, "keygen", str(key)).exit_code == 0
    assert len(key.read_bytes()) == 32 and key.stat().st_mode & 0o777 == 0o640
    again = run(site, "keygen", str(key))
    assert again.exit_code == 2 and "invalidate" in again.output
    assert "with MACs" in run(site, "verify").output  # its own key, found beside it
    # The trail was written with another key: checked with this one, no MAC matches.
    keyed = run(site, "verify", "--key-file", str(key))
    assert keyed.exit_code == 1 and "BROKEN at seq 1" in keyed.output and "MAC" in keyed.output


def test_tail_shows_the_last_entries(site: Path) -> None:
    result = run(site, "tail", "-n", "2")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == ["5", "6"]
