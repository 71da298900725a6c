"""`kiosk console add-staff|staff|disable-staff|prune` on a store URL."""

from __future__ import annotations

import json

import pyotp
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.console import audit, db


def test_staff_are_made_listed_and_disabled_from_the_command_line(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    runner = CliRunner()
    made = runner.invoke(main, ["--json", "console", "add-staff", "--url", url, "zhang",
                                "--role", "hall_staff", "--hall", "Hall A"],
                         env={"KIOSK_CONSOLE_PASSWORD": "twelve chars or more"})
    assert made.exit_code == 0, made.output
    secret = json.loads(made.output)["totp_secret"]
    assert pyotp.TOTP(secret).now().isdigit()
    assert "twelve chars" not in made.output
    no_hall = runner.invoke(main, ["console", "add-staff", "--url", url, "wang",
                                   "--role", "hall_staff"],
                            env={"KIOSK_CONSOLE_PASSWORD": "twelve chars or more"})
    assert no_hall.exit_code == 1 and "hall staff belong to a hall" in no_hall.output
    listed = runner.invoke(main, ["--json", "console", "staff", "--url", url])
    assert [(r["username"], r["role"], r["hall"]) for r in json.loads(listed.output)] == [
        ("zhang", "hall_staff", "Hall A")]
    assert runner.invoke(main, ["console", "disable-staff", "--url", url, "zhang"]).exit_code == 0
    engine = db.connect(url)
    assert [(r["staff"], r["action"]) for r in audit.recent(engine)] == [
        ("cli", "disable_staff"), ("cli", "add_staff")]
    engine.dispose()
