"""`emit(event_id, disposition=..., **fields)`: the one way the kiosk logs a catalogued event.

The line is logfmt (`event=print_job_complete disposition=failure device=printer reason=paper_out`)
so it reads well in `journalctl` and parses with one regex; the same values ride on the record
(`event_id`, `disposition`, `event_fields`) for handlers that keep fields (none yet:
a native journald handler would use them). Values are PII-masked here, before any handler
sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from kiosk.events.catalogue import DISPOSITIONS, EventSpec, catalogue
from kiosk.logs import mask_text

log = logging.getLogger("kiosk.events")

_MAX_VALUE = 200


class UndeclaredEvent(KeyError):
    """The id is not in events.toml (or the call does not match its declaration)."""


def _value(value: Any) -> str:
    text = mask_text(str(value))
    if len(text) > _MAX_VALUE:
        text = text[:_MAX_VALUE] + "…"
    if not text or any(c in text for c in ' "=\\') or not text.isprintable():
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text


def declared(event_id: str, disposition: str | None, fields: Mapping[str, Any]) -> EventSpec:
    """The catalogue's entry for `event_id`, once the id, the fields and the disposition
    are what events.toml declares (UndeclaredEvent otherwise): logged or posted alike."""
    spec = catalogue().get(event_id)
    if spec is None:
        raise UndeclaredEvent(f"event {event_id!r} is not declared in kiosk/events/events.toml")
    extra = set(fields) - spec.fields
    if extra:
        raise UndeclaredEvent(f"event {event_id!r} declares no field(s) {sorted(extra)}")
    if spec.disposition and disposition not in DISPOSITIONS:
        raise UndeclaredEvent(f"event {event_id!r} needs a disposition in {DISPOSITIONS}")
    if not spec.disposition and disposition is not None:
        raise UndeclaredEvent(f"event {event_id!r} takes no disposition")
    return spec


def emit(event_id: str, disposition: str | None = None, **fields: Any) -> str:
    """Log `event_id` with its fields; return the line. Raise UndeclaredEvent for an id or a
    field that events.toml does not declare, or a disposition missing/unexpected."""
    spec = declared(event_id, disposition, fields)
    clean = {k: mask_text(str(v)) for k, v in fields.items() if v is not None}
    parts = [f"event={event_id}"]
    if disposition is not None:
        parts.append(f"disposition={disposition}")
    parts += [f"{k}={_value(v)}" for k, v in clean.items()]
    line = " ".join(parts)
    log.log(logging.getLevelName(spec.level.upper()), "%s", line,
            extra={"event_id": event_id, "disposition": disposition, "event_fields": clean})
    return line
