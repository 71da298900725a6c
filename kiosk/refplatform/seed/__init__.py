"""Seed data of the reference platform: a city's service catalogue and its demo citizens.

Every person here is fictitious. The ID numbers are those of the emulator's sample cards
(`assets/cards/*.json`), and each citizen's prefill agrees with what that card holds, so a demo
card placed on the emulated reader is recognised by the reference platform. Nothing here is
real personal data, but the code around it treats it as if it were (masked in logs).

Files (package data, read through importlib.resources):
- `services.json`  list of `Service` objects (kiosk/api/openapi.yaml), in display order;
- `citizens.json`  ID number -> `Citizen` object;
- `examples.json`  service id -> filled-in forms valid against that service's `form_schema`.

Form fields carry an English label in `x-title-en` (enum choices in `x-enum-en`) beside the
Chinese `title`; JSON Schema ignores these annotations.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["load_services", "load_citizens", "load_examples"]


@cache
def _read(name: str) -> Any:
    """Parse one seed file once; callers get copies, so nobody edits the shared cache."""
    return json.loads(files(__name__).joinpath(name).read_text(encoding="utf-8"))


def load_services() -> list[dict[str, Any]]:
    """The service catalogue (each item a full `Service`), in display order."""
    return copy.deepcopy(_read("services.json"))


def load_citizens() -> dict[str, dict[str, Any]]:
    """Demo citizens keyed by ID number (each a `Citizen` with `known: true`)."""
    return copy.deepcopy(_read("citizens.json"))


def load_examples() -> dict[str, list[dict[str, Any]]]:
    """Sample application forms keyed by service id, at least one per service."""
    return copy.deepcopy(_read("examples.json"))
