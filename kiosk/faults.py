"""Named crash points for the kill -9 drills: the one way tests stop the kiosk at an exact step.

`KIOSK_CRASH_AT="outbox.after_commit:3"` makes the process SIGKILL itself the 3rd time it passes
`crash_point("outbox.after_commit")` — no cleanup, no flush, exactly like a power cut or the
OOM killer. Unset (always, in production) a crash point costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "KIOSK_CRASH_AT"


def _parse(text: str) -> dict[str, int]:
    plan: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, nth = part.rpartition(":")
        if not sep or not name or not nth.isdigit() or int(nth) < 1:
            raise ValueError(f"{ENV}: {part!r} is not <point>:<n> with n >= 1")
        plan[name] = int(nth)
    return plan


_plan = _parse(os.environ.get(ENV, ""))
_passes: Counter[str] = Counter()


def crash_point(name: str) -> None:
    """Die here, by SIGKILL, if the crash plan says this is the moment."""
    if not _plan or name not in _plan:
        return
    _passes[name] += 1
    if _passes[name] == _plan[name]:
        os.kill(os.getpid(), signal.SIGKILL)
