"""What a fleet layer may set: the schema's `REMOTE` allow-lists, walked key by key.

A fleet layer is signed by keys kept online (the targets role), so it is the one configuration
source an attacker can hope to forge or steal. It may tune the terminal, never change what
the terminal runs, where it sends citizens' data, what it trusts or where it keeps its state.
Checked three times: `kiosk fleet publish` before signing, the terminal's updater before
applying, and the loader before using the applied layer.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from kiosk.config.schema import KioskConfig, Section


def _section_of(annotation: Any) -> type[Section] | None:
    """The Section class a field holds directly (not a tuple of them), if any."""
    candidates = typing.get_args(annotation) if isinstance(annotation, types.UnionType) \
        else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, Section):
            return candidate
    return None


def not_remote(layer: Mapping[str, Any], model: type[BaseModel] = KioskConfig,
               prefix: str = "") -> list[str]:
    """The dotted keys of `layer` a fleet layer may not set. Unknown keys are the schema's to
    report (as misspelt), not this list's."""
    found: list[str] = []
    allowed = getattr(model, "REMOTE", frozenset())
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        field = model.model_fields.get(key)
        section = _section_of(field.annotation) if field is not None else None
        if field is None:
            continue
        if section is not None and isinstance(value, Mapping):
            found += not_remote(value, section, f"{dotted}.")
        elif section is not None or key not in allowed:
            found.append(dotted)
    return found


def refusal(layer: Mapping[str, Any]) -> str | None:
    """Why this fleet layer must be refused, or None when every key it sets may be set."""
    bad = not_remote(layer)
    if not bad:
        return None
    return (f"a fleet layer may not set {', '.join(bad)}: device paths, command lines, URLs, "
            "trust stores, keys, the audit trail, staff credentials and [fleet] belong to each "
            "terminal's site file")
