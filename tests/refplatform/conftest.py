"""A live reference platform on loopback with a two-service catalogue of the tests' own.

Every server here checks its own answers against the contract (validate_responses=True) and
the `platform` fixture fails the test if any answer broke it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from kiosk.refplatform import auth
from kiosk.refplatform.ids import CST
from kiosk.refplatform.server import ServerHandle, start_in_thread
from kiosk.refplatform.store import Store

CITIZEN_ID = "11010519491231002X"
OTHER_ID = "440304199001011233"
KIOSK = "kiosk-test-01"


def _localized(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _material(material_id: str, zh: str, en: str, kind: str, *, required: bool = True,
              pages: tuple[int, int] = (1, 2), elicence_kind: str | None = None,
              may_promise: bool = False) -> dict[str, Any]:
    return {"material_id": material_id, "name": _localized(zh, en), "kind": kind,
            "required": required, "pages_min": pages[0], "pages_max": pages[1],
            "elicence_kind": elicence_kind, "may_promise": may_promise}


SERVICES: list[dict[str, Any]] = [
    {
        "service_id": "police.no-record",
        "name": _localized("无犯罪记录证明", "Certificate of no criminal record"),
        "audience": "individual",
        "department": _localized("市公安局", "City Public Security Bureau"),
        "fee_fen": 0, "terminal_completable": True, "legal_limit_days": 7,
        "promised_limit_days": 3, "appointment": False,
        "description": _localized("开具无犯罪记录证明。", "Issues a certificate of no record."),
        "materials": [
            _material("id_card", "居民身份证", "Resident ID card", "identity", pages=(1, 2),
                      elicence_kind="resident_id"),
            _material("letter", "单位介绍信", "Letter from employer", "other", required=False,
                      pages=(1, 3), may_promise=True),
        ],
        "form_schema": {
            "type": "object", "additionalProperties": False, "required": ["purpose", "mobile"],
            "properties": {
                "purpose": {"type": "string", "title": "用途", "enum": ["就业", "出国", "其他"]},
                "mobile": {"type": "string", "title": "手机号", "pattern": "^1[3-9][0-9]{9}$"},
            },
        },
    },
    {
        "service_id": "civil.marriage-record",
        "name": _localized("婚姻登记记录证明", "Marriage registration record"),
        "audience": "individual",
        "department": _localized("市民政局", "City Civil Affairs Bureau"),
        "fee_fen": 2000, "terminal_completable": False, "legal_limit_days": 20,
        "promised_limit_days": 5, "appointment": True,
        "description": _localized("出具婚姻登记记录证明。", "Issues a marriage record."),
        "materials": [
            _material("household", "户口簿", "Household register", "certificate",
                      pages=(1, 4), may_promise=True),
            _material("photo", "近期照片", "Recent photo", "photo", pages=(1, 1)),
        ],
        "form_schema": {
            "type": "object", "required": ["address"],
            "properties": {"address": {"type": "string", "title": "住址", "minLength": 2}},
        },
    },
]

CITIZENS: dict[str, dict[str, Any]] = {
    CITIZEN_ID: {
        "known": True,
        "prefill": {"name": "张三", "mobile": "13800138000", "address": "北京市朝阳区某路1号"},
        "elicences": [{"licence_id": "EL-ID-0001", "kind": "resident_id", "title": "居民身份证",
                       "issuer": "北京市公安局朝阳分局", "issued_on": "2020-01-01",
                       "valid_until": "2040-01-01"}],
    },
}


class MovableClock:
    """The platform's now; tests move it instead of sleeping. Starts on a Tuesday morning."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 6, 10, 10, 0, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def jpeg_b64(size: tuple[int, int] = (32, 24)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def scan(material_id: str, pages: int = 1) -> dict[str, Any]:
    return {"material_id": material_id, "source": "scan",
            "pages": [{"media_type": "image/jpeg", "content": jpeg_b64()} for _ in range(pages)]}


def no_record_application(**changes: Any) -> dict[str, Any]:
    body = {
        "service_id": "police.no-record",
        "applicant": {"id_kind": "resident", "id_number": CITIZEN_ID, "name": "张三",
                      "mobile": "13800138000"},
        "form": {"purpose": "就业", "mobile": "13800138000"},
        "materials": [scan("id_card", 2)],
        "client_reference": "K01-0001",
    }
    body.update(changes)
    return body


def marriage_application(**changes: Any) -> dict[str, Any]:
    body = {
        "service_id": "civil.marriage-record",
        "applicant": {"id_kind": "resident", "id_number": CITIZEN_ID, "name": "张三"},
        "form": {"address": "北京市朝阳区某路1号"},
        "materials": [{"material_id": "household", "source": "promised",
                       "promised_by": "2025-06-20"}, scan("photo")],
        "client_reference": "K01-0002",
    }
    body.update(changes)
    return body


class Api:
    """A kiosk's view of the live platform: requests with Basic auth and helpers for keys."""

    def __init__(self, handle: ServerHandle, credential: str, clock: MovableClock,
                 store: Store) -> None:
        self.handle = handle
        self.url = handle.url
        self.clock = clock
        self.store = store
        self.session = requests.Session()
        self.session.auth = (KIOSK, credential)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, body: Any = None, *, key: str | None = None,
             **kw: Any) -> requests.Response:
        headers = dict(kw.pop("headers", {}))
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.session.post(self.url + path, json=body, headers=headers, timeout=60, **kw)

    def file(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post("/applications", body or no_record_application(), key=new_key())
        assert response.status_code == 201, response.text
        return response.json()


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store(tmp_path / "platform.sqlite3")
    store.seed(SERVICES, CITIZENS)
    return store


def served(store: Store, clock: MovableClock, **options: Any) -> Iterator[ServerHandle]:
    """The platform over `store` on loopback, checking its own answers against the contract;
    the test fails if any broke it."""
    handle = start_in_thread(store.path, validate_responses=True, clock=clock, **options)
    try:
        yield handle
    finally:
        handle.stop()
    violations = handle.app.extensions["refplatform"].violations
    assert not violations, f"the platform broke its contract: {violations}"


@pytest.fixture
def platform(store: Store, clock: MovableClock) -> Iterator[ServerHandle]:
    # The business rules of each operation, behind a door left open to contract-1.0 terminals
    # (no citizen session needed): the door itself is tests/refplatform/test_citizen_sessions.py.
    yield from served(store, clock, require_citizen_session=False)


@pytest.fixture
def credential(store: Store) -> str:
    return auth.enrol(store, KIOSK)


@pytest.fixture
def api(platform: ServerHandle, credential: str, clock: MovableClock, store: Store) -> Api:
    return Api(platform, credential, clock, store)
