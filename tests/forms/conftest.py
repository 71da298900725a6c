"""The seed catalogue's forms, shared by the forms tests."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.refplatform.seed import load_examples, load_services

SERVICES = load_services()
EXAMPLES = load_examples()
FORMS: dict[str, dict[str, Any]] = {s["service_id"]: s["form_schema"] for s in SERVICES}


@pytest.fixture(params=sorted(FORMS), ids=str)
def service_form(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """(service id, form schema) of each seed service."""
    return request.param, FORMS[request.param]


def on_screen(value: Any) -> Any:
    """What the screen hands over for a JSON value: text, or a list of chosen values."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return list(value)
    return str(value)
