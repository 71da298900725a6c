"""The kiosk ⇄ platform contract: `openapi.yaml` is the single source of truth both sides test against."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).with_name("openapi.yaml")


@cache
def load_spec() -> dict[str, Any]:
    """The parsed OpenAPI document (cached: it is read on every validation)."""
    # libyaml's loader when PyYAML has it (1.1 s in pure Python, read by every process that
    # serves or checks the contract: each test worker, each platform)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def schema(name: str) -> dict[str, Any]:
    """One component schema, e.g. `schema("Service")`."""
    return load_spec()["components"]["schemas"][name]
