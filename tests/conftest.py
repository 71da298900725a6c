"""The suite's order: its longest files first, so that the workers (pytest-xdist, a whole file
each at a time: setup.sh) finish together instead of one worker walking an explorer module
while the others have nothing left.

In collection order the UI modules came last (tests/ui sorts late) and the last minutes of a
run were one or two workers on the slowest files. Measured on a fresh clone, 5 Dec 2026."""

from __future__ import annotations

import pytest

# the slowest files of a run, slowest first (seconds, all their tests, three workers)
LONGEST_FIRST = (
    "tests/ui/test_apply_journey.py",  # ~200 s
    "tests/ui/test_explorer_en.py",  # ~180 s
    "tests/ui/test_explorer_zh.py",  # ~160 s
    "tests/ui/test_journeys_in_modes.py",  # ~135 s
    "tests/demo/test_headless_demo.py",  # ~130 s
    "tests/admin/test_admin_ui.py",  # ~115 s
    "tests/document/test_hard_pages.py",  # ~75 s
    "tests/delivery/test_crash_drill.py",  # ~70 s
    "tests/refplatform/test_schemathesis.py",  # ~70 s
    "tests/ui/test_elder_words_fit.py",  # ~55 s
    "tests/ui/test_session_dialogs.py",  # ~50 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A stable sort: the files above first in that order, every other file as collected
    (each worker collects the same order, as pytest-xdist requires)."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
