"""`kiosk console add-staff|staff|disable-staff`, `kiosk platform serve --console-*`, and the
app's seams: settings, the login's redirect, other parts plugging in, the board in pages."""

from __future__ import annotations

import json

import pyotp
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.console import audit, db
from tests.console.conftest import add_staff, english, fresh_postgres_database


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


def test_platform_serve_runs_the_console_beside_it_with_its_settings(tmp_path) -> None:
    """`kiosk platform serve --console-url --console-port --console-settings`: one process,
    the platform and the console each answering on its own port."""
    import socket
    import subprocess
    import sys
    import time

    import requests

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    settings = tmp_path / "console.toml"
    settings.write_text("[console]\nheartbeat_interval_s = 30\noffline_after_missed = 4\n")
    platform_port, console_port = free_port(), free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli.entry", "platform", "serve",
         "--db", str(tmp_path / "platform.sqlite3"), "--port", str(platform_port),
         "--console-url", f"sqlite:///{tmp_path / 'console.sqlite3'}",
         "--console-port", str(console_port), "--console-settings", str(settings)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                login = requests.get(f"http://127.0.0.1:{console_port}/", timeout=2)
                health = requests.get(f"http://127.0.0.1:{platform_port}/api/v1/health",
                                      timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    server.stderr.read().decode() if server.poll() is not None else "timeout"
                time.sleep(0.2)
        assert login.status_code == 200 and login.url.endswith("/login?next=/?")
        assert health.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_console_settings_come_from_a_toml_table_and_a_typo_is_refused(tmp_path) -> None:
    import pytest

    from kiosk.console.config import ConsoleConfig

    settings = tmp_path / "console.toml"
    settings.write_text("[console]\nheartbeat_interval_s = 30\noffline_after_missed = 4\n")
    assert ConsoleConfig.load(settings).offline_after_s == 120
    assert ConsoleConfig.load(None).offline_after_s == 180
    settings.write_text("[console]\noffline_after_mised = 4\n")
    with pytest.raises(ValueError, match="offline_after_mised"):
        ConsoleConfig.load(settings)


def test_after_login_only_a_path_on_this_console_is_followed() -> None:
    from kiosk.console.app import create_console
    from kiosk.console.views.login import _safe_next

    app = create_console(db.connect("sqlite://"))
    with app.test_request_context():
        assert _safe_next("/terminals/K-1?x=1") == "/terminals/K-1?x=1"
        for hostile in ("//evil.example/", "/\\evil.example/", "https://evil.example/", None):
            assert _safe_next(hostile) == "/"


def test_another_part_plugs_in_behind_the_same_login_with_a_link_and_a_terminal_panel(
        tmp_path) -> None:
    """How console-alerts and console-actions hang their pages on the app."""
    import datetime as dt

    from flask import Blueprint

    from kiosk.console import ingest
    from kiosk.console.app import create_console
    from kiosk.console.auth import may_see, requires_role

    bp = Blueprint("rollouts", __name__)

    @bp.route("/rollouts/<kiosk_id>")
    @requires_role("fleet_manager")
    def rollouts(kiosk_id: str) -> str:
        may_see(kiosk_id)
        return "rings"

    @bp.route("/rollouts")
    def index() -> str:
        return "all rings"

    bp.nav = [("rollouts.index", "Rollouts")]  # type: ignore[attr-defined]
    bp.terminal_panel = lambda kiosk_id: f"<p id='panel'>layer of {kiosk_id}</p>"  # type: ignore[attr-defined]
    engine = db.connect(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    db.migrate(engine)
    ingest.heartbeat(engine, "K-1", {"health": "ok", "versions": {"app": "1"},
                                     "outbox_depth": 0, "paper": "ok", "devices": {},
                                     "site": {"hall": "Hall A"}},
                     dt.datetime.now(dt.timezone.utc))
    app = create_console(engine, blueprints=[bp])
    client = english(app.test_client())
    assert client.get("/rollouts/K-1").status_code == 302  # to the login, like every page
    with client.session_transaction() as session:
        t = dt.datetime.now(dt.timezone.utc).timestamp()
        session.update(staff="boss", login_at=t, seen_at=t)
    add_staff(engine, "boss", "fleet_manager")
    assert client.get("/rollouts/K-1").get_data(as_text=True) == "rings"
    page = client.get("/terminals/K-1").get_data(as_text=True)
    assert "<p id='panel'>layer of K-1</p>" in page and 'href="/rollouts">Rollouts' in page
    engine.dispose()


def test_a_big_board_comes_in_pages_with_the_problems_first(tmp_path) -> None:
    import datetime as dt

    from kiosk.console import ingest
    from kiosk.console.app import create_console
    from kiosk.console.config import ConsoleConfig

    engine = db.connect(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    db.migrate(engine)
    now = dt.datetime.now(dt.timezone.utc)
    for kiosk_id, paper in (("K-1", "ok"), ("K-2", "out"), ("K-3", "low")):
        ingest.heartbeat(engine, kiosk_id, {"health": "ok", "versions": {"app": "1"},
                                            "outbox_depth": 0, "paper": paper, "devices": {}},
                         now)
    add_staff(engine, "boss", "fleet_manager")
    client = english(create_console(engine, ConsoleConfig(board_page_size=2)).test_client())
    with client.session_transaction() as session:
        session.update(staff="boss", login_at=now.timestamp(), seen_at=now.timestamp())
    first, second = (client.get(f"/?page={n}").get_data(as_text=True) for n in (1, 2))
    assert first.index('id="row-K-2"') < first.index('id="row-K-3"') and "row-K-1" not in first
    assert "row-K-1" in second and "Page 2 of 2" in second
    engine.dispose()


def test_no_session_outlives_a_shift_and_a_disabled_account_is_out_at_once(tmp_path) -> None:
    import datetime as dt

    from kiosk.console import staff
    from kiosk.console.app import create_console
    from kiosk.console.config import ConsoleConfig

    engine = db.connect(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    db.migrate(engine)
    add_staff(engine, "boss", "fleet_manager")
    config = ConsoleConfig(session_max_s=3600, idle_timeout_s=600)
    client = english(create_console(engine, config).test_client())
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    with client.session_transaction() as session:  # active a minute ago, logged in 61 min ago
        session.update(staff="boss", login_at=now - 3660, seen_at=now - 60)
    assert client.get("/").headers["Location"].startswith("/login")
    with client.session_transaction() as session:
        session.update(staff="boss", login_at=now - 60, seen_at=now - 60)
    assert client.get("/").status_code == 200
    staff.disable(engine, "boss")
    assert client.get("/").headers["Location"].startswith("/login")
    engine.dispose()


def test_the_chime_is_a_short_wav_made_in_code() -> None:
    import io
    import wave

    from kiosk.console.sound import chime

    with wave.open(io.BytesIO(chime())) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert wav.getnchannels() == 1 and 0.3 < seconds < 0.6


def test_a_postgresql_store_gives_up_rather_than_hold_a_heartbeat(postgres_server) -> None:
    import sqlalchemy as sa

    from kiosk.console.beside import bounded, open_store

    assert bounded("postgresql+psycopg://u:p%40ss@db/console?connect_timeout=2") == (
        "postgresql+psycopg://u:p%40ss@db/console?connect_timeout=2"
        "&options=-c+statement_timeout%3D5000")
    engine = open_store(fresh_postgres_database(postgres_server))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "5s"
    engine.dispose()
