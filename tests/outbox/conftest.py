"""Fixtures for the outbox area: a real SQLite file under tmp_path, a key, a clock we move by
hand (time is an input of the queue, not a boundary), and a citizen's data to look for."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.idcard.idnumber import check_digit
from kiosk.outbox import Outbox

_FIRST17 = "11010519491231002"
ID_NUMBER = _FIRST17 + check_digit(_FIRST17)  # a valid-looking resident ID number
NAME = "张三丰"
MOBILE = "13912345678"
FORM_VALUE = "申请事项-独一无二的表单值-Q7Z9"


class ManualClock:
    """time.time() for the queue, moved by the test: no sleeping to see a backoff expire."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def citizen_body(pages: int = 0, page_bytes: int = 110_000) -> dict:
    """An application as a screen would queue it; `pages` JPEG-sized random scans, base64."""
    body = {"service": "household.registration",
            "applicant": {"id_number": ID_NUMBER, "name": NAME, "mobile": MOBILE},
            "form": {"reason": FORM_VALUE, "address": "北京市西城区某街道1号"},
            "attachments": []}
    for n in range(pages):
        body["attachments"].append({"name": f"page{n + 1}.jpg", "media_type": "image/jpeg",
                                    "data": base64.b64encode(os.urandom(page_bytes)).decode()})
    return body


def files_bytes(db: Path) -> bytes:
    """Everything SQLite keeps on disk for `db`: the database, its WAL and its index."""
    out = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = db.with_name(db.name + suffix)
        if p.exists():
            out += p.read_bytes()
    return out


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "outbox.sqlite3"


@pytest.fixture
def make_outbox(db_path: Path, key: bytes, clock: ManualClock) -> Iterator[Callable[..., Outbox]]:
    opened: list[Outbox] = []

    def make(**kwargs) -> Outbox:
        kwargs.setdefault("max_items", 50)
        kwargs.setdefault("min_free_mb", 1)
        kwargs.setdefault("clock", clock)
        outbox = Outbox(kwargs.pop("path", db_path), kwargs.pop("key", key), **kwargs)
        opened.append(outbox)
        return outbox

    yield make
    for outbox in opened:
        outbox.close()


@pytest.fixture
def outbox(make_outbox: Callable[..., Outbox]) -> Outbox:
    return make_outbox()
