"""A private PostgreSQL server for bench/console_bench.py (the tests use conftest.py's fixture).

initdb and postgres from Debian's /usr/lib/postgresql/15/bin, in a temporary directory, listening
on a Unix socket only (no TCP port to collide with). Postgres refuses to run as root: when the
tests run as root the server runs as `nobody` through runuser, and the directory is given to it.
Each test gets its own database (`fresh_database`) so tests never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

BIN = Path("/usr/lib/postgresql/15/bin")
last_pid = 0  # the process that runs the newest server (runuser's when run as root)


def available() -> bool:
    return (BIN / "postgres").exists()


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def server() -> Iterator[str]:
    """Start a server; yield the SQLAlchemy URL prefix (append a database name)."""
    root = Path(tempfile.mkdtemp(prefix="console-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
        shutil.chown(sock, "nobody")
        root.chmod(0o755)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(_as_server_user([str(BIN / "initdb"), "-D", str(data), "-U", "console",
                                    "--auth=trust", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True, env=env)
    proc = subprocess.Popen(_as_server_user([
        str(BIN / "postgres"), "-D", str(data), "-k", str(sock), "-c", "listen_addresses=",
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "max_connections=60"]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    global last_pid
    last_pid = proc.pid
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([str(BIN / "pg_isready"), "-h", str(sock), "-U", "console"],
                             capture_output=True).returncode != 0:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"postgres did not start: {proc.stderr.read()!r}")
            time.sleep(0.1)
        yield f"postgresql+psycopg://console@/%s?host={sock}"
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url_template: str) -> str:
    """Create an empty database on the server; its URL."""
    name = "t" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(url_template % "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url_template % name
