"""A fleet repository, a loopback static-file server in front of it (which can be told to
misbehave), and a terminal with its own data dir and site file."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.updater import FleetSettings, FleetUpdater, Outcome, base_layers


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.log.append(self.path)
        for suffix, fault in self.server.faults.items():
            if self.path.endswith(suffix):
                return getattr(self, f"_{fault}")()
        return super().do_GET()

    def _stall(self) -> None:
        """Headers and a first piece of the body, then silence: a repository gone mid-file."""
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"x" * 100)
        self.wfile.flush()
        time.sleep(3)

    def _endless(self) -> None:
        """A body that never ends (no Content-Length): only the client's limit stops it."""
        self.send_response(200)
        self.end_headers()
        try:
            for _ in range(2000):
                self.wfile.write(b"{" * 4096)
        except OSError:
            pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    faults: dict[str, str]
    log: list[str]


@dataclass
class StaticServer:
    directory: Path
    server: _Server = field(init=False)

    def __post_init__(self) -> None:
        handler = lambda *a: _Handler(*a, directory=str(self.directory))  # noqa: E731
        self.server = _Server(("127.0.0.1", 0), handler)
        self.server.faults, self.server.log = {}, []
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def faults(self) -> dict[str, str]:
        return self.server.faults

    @property
    def log(self) -> list[str]:
        return self.server.log

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def repo(tmp_path: Path) -> FleetRepository:
    repository = FleetRepository(tmp_path / "repo", root_keys_dir=tmp_path / "offline")
    repository.init()
    return repository


@pytest.fixture
def server(repo: FleetRepository) -> Iterator[StaticServer]:
    s = StaticServer(repo.public)
    yield s
    s.stop()


@dataclass
class Terminal:
    site: Path
    settings: FleetSettings
    healthy: list[bool] = field(default_factory=lambda: [True])

    def updater(self, **kw: object) -> FleetUpdater:
        return FleetUpdater(self.settings, layers=lambda: base_layers(self.site),
                            health_check=lambda config: self.healthy[0], **kw)

    @property
    def applied(self) -> Path:
        return self.settings.fleet_dir / "applied.toml"

    def applied_bytes(self) -> bytes | None:
        return self.applied.read_bytes() if self.applied.exists() else None


def make_terminal(tmp_path: Path, repo: FleetRepository, url: str, *, terminal_id: str = "T-1",
                  ring: str = "canary", **settings: object) -> Terminal:
    data_dir = tmp_path / f"data-{terminal_id}"
    site = tmp_path / f"site-{terminal_id}.toml"
    site.write_text(f'[terminal]\nid = "{terminal_id}"\ndata_dir = "{data_dir}"\n')
    root = tmp_path / "trusted-root.json"
    if not root.exists():
        root.write_bytes((repo.metadata_dir / "1.root.json").read_bytes())
    values: dict[str, object] = dict(repository_url=url, trusted_root_file=root,
                                     data_dir=data_dir, terminal_id=terminal_id, ring=ring,
                                     timeout_s=1.0)
    values.update(settings)
    return Terminal(site, FleetSettings(**values))  # type: ignore[arg-type]


@pytest.fixture
def terminal(tmp_path: Path, repo: FleetRepository, server: StaticServer) -> Terminal:
    return make_terminal(tmp_path, repo, server.url)


CANARY = parse_scope("ring:canary")
V1 = b"[session]\nidle_timeout_s = 60.0\n"


@pytest.fixture
def applied_v1(repo: FleetRepository, terminal: Terminal) -> tuple[FleetUpdater, bytes]:
    """Version 1 applied honestly: what an attack must leave byte for byte."""
    repo.publish(CANARY, V1)
    updater = terminal.updater()
    assert updater.poll_once().outcome is Outcome.APPLIED
    return updater, terminal.applied.read_bytes()
