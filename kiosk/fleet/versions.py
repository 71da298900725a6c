"""Application versions as comparable tuples (`0.1.0` < `0.10`), for `min_app_version`."""

from __future__ import annotations

import re
from importlib import metadata

_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


def parse_version(text: str) -> tuple[int, ...]:
    if not _VERSION.match(text):
        raise ValueError(f"{text!r} is not a version like 1.4 or 1.4.2")
    parts = [int(p) for p in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def app_version() -> str:
    try:
        return metadata.version("govkiosk")
    except metadata.PackageNotFoundError:
        return "0"


def satisfies(app: str, minimum: str) -> bool:
    return parse_version(app) >= parse_version(minimum)
