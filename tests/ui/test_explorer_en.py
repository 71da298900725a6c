"""The explorer (tests/ui/explorer_walk.py) in en, in each mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.sim import Simulation
from tests.ui.explorer_walk import MODES, check_every_screen_visited, check_walk, terminal
from tests.ui.harness import KioskUi


@pytest.fixture(scope="module")
def walk_on(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulation, KioskUi]]:
    yield from terminal(tmp_path_factory)


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("mode", MODES)
def test_a_random_citizen_breaks_nothing(walk_on: tuple[Simulation, KioskUi], mode: str) -> None:
    check_walk(walk_on, "en", mode)


@pytest.mark.timeout(600)
def test_the_walks_reached_every_screen(walk_on: tuple[Simulation, KioskUi]) -> None:
    check_every_screen_visited(walk_on, "en")
