"""The event catalogue (`events.toml`): every event id the kiosk may log, with its documentation.

Loaded once and checked strictly, so a typo in the file fails at start-up, not in a log line
nobody reads.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("events.toml")

LEVELS = ("debug", "info", "warning", "error", "critical")
CATEGORIES = ("device", "session", "journey", "print", "platform", "admin", "system", "audit")
DISPOSITIONS = ("success", "failure", "cancelled")

_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_KEYS = {"level", "category", "doc", "fields", "disposition"}


class CatalogueError(ValueError):
    """events.toml is malformed (raised when it is loaded)."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    id: str
    level: str
    category: str
    doc: str
    fields: frozenset[str]
    disposition: bool  # the event closes an action and must say how it ended


def parse_catalogue(text: str, source: str = "events.toml") -> dict[str, EventSpec]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: {exc}") from exc
    specs: dict[str, EventSpec] = {}
    for event_id, entry in raw.items():
        where = f"{source}: [{event_id}]"
        if not _ID.match(event_id):
            raise CatalogueError(f"{where}: ids are snake_case")
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: must be a table")
        unknown = set(entry) - _KEYS
        if unknown:
            raise CatalogueError(f"{where}: unknown key(s) {sorted(unknown)}")
        level, category = entry.get("level", "info"), entry.get("category")
        doc, fields = entry.get("doc", ""), entry.get("fields", [])
        disposition = entry.get("disposition", False)
        if level not in LEVELS:
            raise CatalogueError(f"{where}: level must be one of {LEVELS}")
        if category not in CATEGORIES:
            raise CatalogueError(f"{where}: category must be one of {CATEGORIES}")
        if not isinstance(doc, str) or not doc.strip():
            raise CatalogueError(f"{where}: doc is required")
        if not isinstance(fields, list) or not all(isinstance(f, str) and _ID.match(f)
                                                   for f in fields):
            raise CatalogueError(f"{where}: fields is a list of snake_case names")
        if {"event", "disposition"} & set(fields):
            raise CatalogueError(f"{where}: 'event' and 'disposition' are reserved field names")
        if not isinstance(disposition, bool):
            raise CatalogueError(f"{where}: disposition is true or false")
        specs[event_id] = EventSpec(event_id, level, category, doc.strip(), frozenset(fields),
                                    disposition)
    return specs


@functools.cache
def catalogue() -> dict[str, EventSpec]:
    """The shipped catalogue (read once per process)."""
    return parse_catalogue(CATALOGUE_PATH.read_text(encoding="utf-8"), str(CATALOGUE_PATH))
