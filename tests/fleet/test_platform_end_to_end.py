"""The demo path: a manager publishes to a ring, the reference platform serves the repository,
the terminal applies it and says so in its heartbeat, and `kiosk fleet status` shows it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from werkzeug.serving import make_server

from kiosk.cli import main
from kiosk.fleet.records import heartbeat_versions
from kiosk.fleet.updater import Outcome
from kiosk.refplatform import auth
from kiosk.refplatform.app import create_app
from kiosk.refplatform.fleet_files import serve_fleet_repository
from kiosk.refplatform.store import Store
from tests.fleet.conftest import make_terminal


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KIOSK_FLEET_REPO", str(tmp_path / "repo"))
    monkeypatch.setenv("KIOSK_PLATFORM_DB", str(tmp_path / "platform.sqlite3"))
    return CliRunner()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[str]:
    app = create_app(tmp_path / "platform.sqlite3")
    app.wsgi_app = serve_fleet_repository(app.wsgi_app, tmp_path / "repo" / "public")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_publish_to_a_ring_and_see_it_applied(tmp_path: Path, cli: CliRunner,
                                              platform: str) -> None:
    def run(*args: str) -> Any:
        if args[0] == "--config":
            args = (*args[:2], "--json", "fleet", *args[2:])
        else:
            args = ("--json", "fleet", *args)
        return cli.invoke(main, list(args), catch_exceptions=False)

    init = run("init", "--root-keys", str(tmp_path / "offline"))
    assert init.exit_code == 0, init.output
    layer = tmp_path / "opening.toml"
    layer.write_text("[session]\nidle_timeout_s = 75.0\n[ui]\nelder_mode = true\n")
    bad = tmp_path / "bad.toml"
    bad.write_text("[session]\nidle_timout_s = 75.0\n")
    refused = run("publish", "--ring", "canary", str(bad))
    assert refused.exit_code == 1 and "session.idle_timout_s" in refused.output
    published = run("publish", "--ring", "canary", str(layer))
    assert json.loads(published.output)["version"] == 1

    from kiosk.fleet.repository import FleetRepository
    terminal = make_terminal(tmp_path, FleetRepository(tmp_path / "repo"),
                             platform + "/fleet", terminal_id="SIM-0001")
    poll = ["--config", str(terminal.site), "poll", "--repository-url", platform + "/fleet",
            "--trusted-root", str(terminal.settings.trusted_root_file), "--ring", "canary"]
    polled = run(*poll)
    assert polled.exit_code == 0, polled.output
    assert json.loads(polled.output) == {"outcome": "applied", "version": 1, "reason": ""}
    assert json.loads(run(*poll).output)["outcome"] == Outcome.UNCHANGED

    store = Store(tmp_path / "platform.sqlite3")
    credential = auth.enrol(store, "SIM-0001")
    beat = {"health": "ok", "paper": "ok", "outbox_depth": 0, "devices": {},
            "versions": {"app": "0.1.0", **heartbeat_versions(terminal.settings.fleet_dir)}}
    answer = requests.post(platform + "/api/v1/kiosk/heartbeat", json=beat,
                           auth=("SIM-0001", credential), timeout=5)
    assert answer.status_code == 200, answer.text

    status = run("status")
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["by_version"] == {"1": ["SIM-0001"]}
    shown = json.loads(run("show").output)
    assert shown["targets"]["config/ring/canary.toml"]["version"] == 1


def test_the_platform_answers_an_unchanged_timestamp_304(tmp_path: Path, cli: CliRunner,
                                                         platform: str) -> None:
    assert cli.invoke(main, ["fleet", "init", "--root-keys", str(tmp_path / "k")]).exit_code == 0
    url = platform + "/fleet/metadata/timestamp.json"
    first = requests.get(url, timeout=5)
    assert first.status_code == 200 and first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.content == b""
