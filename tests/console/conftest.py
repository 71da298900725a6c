"""Shared fixtures of the console's tests: one private PostgreSQL server and one headless
Chromium per test session, a fresh store per test on SQLite and on PostgreSQL.

PostgreSQL refuses to run as root (CI runs as root): the server's data directory then belongs
to `nobody` and initdb and postgres run through `runuser -u nobody`. It listens on 127.0.0.1
on a free port with trust authentication (nothing else can reach a test's loopback server in
its lifetime that the test would care about), fsync off, and is stopped at the session's end.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiosk.console import db, staff

PG_BIN = Path("/usr/lib/postgresql/15/bin")
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a long test password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a private PostgreSQL 15's maintenance database."""
    if not (PG_BIN / "postgres").exists():
        pytest.fail("PostgreSQL 15 is not installed (setup.sh installs postgresql)")
    base = Path(tempfile.mkdtemp(prefix="console-pg-"))
    data, sockets = base / "data", base / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for path in (base, data, sockets):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    subprocess.run(_as_postgres_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                      "--auth=trust", "--no-sync", "-E", "UTF8"]),
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(_as_postgres_user(
        [str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets),
         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
         "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    engine = sa.create_engine(url)
    deadline = time.monotonic() + 30
    while True:
        try:
            with engine.connect():
                break
        except sa.exc.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("the private PostgreSQL server did not start")
            time.sleep(0.1)
    engine.dispose()
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


def fresh_postgres_database(server_url: str) -> str:
    name = "console_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty console store: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    else:
        url = fresh_postgres_database(request.getfixturevalue("postgres_server"))
    engine = db.connect(url)
    db.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the session (Playwright never downloads one here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox"] if os.geteuid() == 0 else [])
        yield chromium
        chromium.close()


def add_staff(engine: sa.Engine, username: str, role: str, hall: str = "") -> str:
    """A staff account with the test password; answers its TOTP secret."""
    return staff.add(engine, username, PASSWORD, role, hall, dt.datetime.now(dt.timezone.utc))


def english(client):  # type: ignore[no-untyped-def]
    """A Flask test client whose requests ask for English (Accept-Language: en-US): the
    console answers in Chinese otherwise, and these tests read its English words."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US"
    return client


def signed_in(app, username: str) -> str:  # type: ignore[no-untyped-def]
    """The value of a console session cookie for `username`, as the login form would leave it
    after password and TOTP: for tests of pages behind the login (the login itself is
    tested in test_browser.py)."""
    now = time.time()
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"staff": username, "login_at": now, "seen_at": now})


@pytest.fixture
def engine(store: sa.Engine) -> sa.Engine:
    """The alerts' and reports' tests call the store `engine` (SQLite, then PostgreSQL)."""
    return store


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated store on SQLite only (tests of behaviour that does not depend on the engine)."""
    engine = db.connect(f"sqlite:///{tmp_path / 'console-sqlite.sqlite3'}")
    db.migrate(engine)
    yield engine
    engine.dispose()


def cell(kiosk_id: str) -> str:
    """A terminal as a page's table shows it: a bare id such as "K9" can also turn up inside
    the page's random CSRF token (it did once, and a hall test failed)."""
    return f"<td>{kiosk_id}</td>"
