"""A citizen's ID number never reaches an exception text or a log record, whatever the platform echoes."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.client import PlatformClient, PlatformError
from tests.client import samples
from tests.client.fake_platform import FakePlatform, Script

KEY = "6f1c2a9e-0b7d-4c1e-9a55-3c2e1d0f7a11"
ID = samples.ID_NUMBER
MOBILE = "13800138000"
ECHO = f"{ID} {samples.NAME} {MOBILE}"

CALLS: list[Callable[[PlatformClient], Any]] = [
    lambda c: c.lookup_citizen(ID),
    lambda c: c.query_applications(ID),
    lambda c: c.create_application(samples.APPLICATION_CREATE, KEY),
    lambda c: c.book_appointment({"slot_id": "S-1", "service_id": "x",
                                  "applicant": samples.APPLICATION_CREATE["applicant"]}, KEY),
]

REPLIES = [
    Script(status=422, body={"type": "about:blank", "title": f"bad {ID}", "status": 422,
                             "code": "invalid_id_number", "detail": f"{ECHO} is not valid",
                             "errors": [{"path": "/id_number", "message": ECHO}]}),
    Script(status=500, body=f"<pre>Traceback: KeyError {ECHO}</pre>".encode()),
    Script(status=200, body={"known": "yes", "prefill": {"id_number": ID, "n": [ID]},
                             "elicences": [{"licence_id": ID, "title": ID}], "items": [ID]}),
    Script(status=200, body={"items": [{"receipt_no": ID, "applicant_masked": ID}]}),
    Script(status=200, body=f'{{"known": true, "prefill": "{ECHO}'.encode()),
    Script(status=200, body=f'["{ECHO}"]'.encode()),
    Script(status=200, body=f'{{"x": "{ECHO}"}}'.encode(), cut_after=20),
    Script(status=302, body=ECHO.encode(), headers={"Location": f"/x?id={ID}"}),
]


def texts_of(exc: BaseException) -> list[str]:
    out = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    if isinstance(exc, PlatformError):
        out += [exc.detail, exc.code]
    return out


@pytest.mark.parametrize("call", range(len(CALLS)))
def test_no_id_number_in_exceptions_or_logs(platform: FakePlatform, client: PlatformClient,
                                           caplog: pytest.LogCaptureFixture, call: int) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    for script in REPLIES:
        for _ in range(3):  # enough for every retry
            platform.reply(Script(**{**vars(script),
                                     "headers": {"Content-Type": "application/json",
                                                 **script.headers}}))
        with pytest.raises(PlatformError) as caught:
            CALLS[call](client)
        seen.append(type(caught.value).__name__)
        for text in texts_of(caught.value):
            assert ID not in text and MOBILE not in text, text
        platform.scripts.clear()
    assert {"RequestRefused", "ServerFault", "ResponseMalformed"} <= set(seen)
    assert caplog.records, "the retries should have been logged"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert ID not in text and MOBILE not in text, text
    # ...and yet the platform did receive it, in the body only
    assert any(ID.encode() in r.body for r in platform.requests)
    assert not any(ID in r.path for r in platform.requests)
