"""A refusal the console shows staff in their language: its sentence is an English msgid of
the console catalogue with named values, so `str()` stays English (logs, CLI) and a page shows
`_(exc.msgid, **exc.values)`. No Flask here: the pure modules raise these."""

from __future__ import annotations

from typing import Any


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a word for the console catalogue, translated later where it is shown."""
    return msgid


class Refusal(Exception):
    def __init__(self, msgid: str, /, **values: Any) -> None:
        self.msgid, self.values = msgid, values
        super().__init__(msgid % values if values else msgid)
